"""The HTTP server's sockets on a real `salon serve`: slow headers and bodies are cut off, open
connections are capped, `X-Forwarded-For` is believed only from a trusted proxy, and one-time
link tokens never reach the access log."""

import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from e2e.salon_process import HOST, SalonServer

SLOW_LIMIT_S = 1
ANSWER_WITHIN_S = 20.0
CONNECTIONS = 6


def raw(server: SalonServer) -> socket.socket:
    return socket.create_connection((HOST, server.port), timeout=ANSWER_WITHIN_S)


def read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (or the deadline passes)."""
    received = b""
    deadline = time.monotonic() + ANSWER_WITHIN_S
    while time.monotonic() < deadline:
        chunk = sock.recv(4096)
        if not chunk:
            return received
        received += chunk
    raise AssertionError(f"the server kept the connection open; received {received!r}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SalonServer]:
    folder = tmp_path_factory.mktemp("limits")
    with SalonServer.on(
        log_dir=folder / "logs",
        data_dir=folder / "data",
        extra_args=[
            "--timeout-headers",
            str(SLOW_LIMIT_S),
            "--timeout-body",
            str(SLOW_LIMIT_S),
            "--access-log",
            "--janus",
            "off",
        ],
    ) as running:
        yield running


def test_a_client_that_never_finishes_its_headers_is_cut_off(server: SalonServer) -> None:
    with raw(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: salon.test\r\nX-Slow: ")
        answer = read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 408 "), answer


def test_a_client_that_sends_nothing_is_cut_off(server: SalonServer) -> None:
    with raw(server) as sock:
        assert read_until_closed(sock).startswith(b"HTTP/1.1 408 ")


def test_a_client_that_never_finishes_its_body_is_cut_off(server: SalonServer) -> None:
    with raw(server) as sock:
        sock.sendall(
            b"POST /dashboard/sign-in HTTP/1.1\r\nHost: salon.test\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n"
            b"email=a"
        )
        answer = read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 408 "), answer
    # The server is fine afterwards.
    assert httpx.get(f"{server.base_url}/healthz").status_code == 200


def test_a_prompt_kept_alive_connection_serves_several_requests(server: SalonServer) -> None:
    with httpx.Client(base_url=server.base_url) as client:
        for _ in range(3):
            assert client.get("/healthz").status_code == 200


def test_open_connections_are_capped(tmp_path: Path) -> None:
    with SalonServer.on(
        log_dir=tmp_path / "logs",
        data_dir=tmp_path / "data",
        extra_args=["--limit-connections", str(CONNECTIONS), "--janus", "off"],
    ) as capped:
        held = [raw(capped) for _ in range(CONNECTIONS)]
        try:
            for sock in held:  # each one half-way through its headers, within the time limit
                sock.sendall(b"GET /healthz HTTP/1.1\r\n")
            deadline = time.monotonic() + ANSWER_WITHIN_S
            while True:
                with raw(capped) as extra:
                    extra.sendall(b"GET /healthz HTTP/1.1\r\nHost: salon.test\r\n\r\n")
                    answer = read_until_closed(extra)
                if answer.startswith(b"HTTP/1.1 503 "):
                    break
                assert time.monotonic() < deadline, f"never refused; last answer {answer!r}"
        finally:
            for sock in held:
                sock.close()
        deadline = time.monotonic() + ANSWER_WITHIN_S
        while httpx.get(f"{capped.base_url}/healthz").status_code != 200:
            assert time.monotonic() < deadline, "the server did not take connections again"


def logged_client(server: SalonServer, path: str) -> str:
    """The client address of the access log line of `path` (its first request)."""
    deadline = time.monotonic() + ANSWER_WITHIN_S
    pattern = re.compile(rf'(\S+):\d+ - "GET {re.escape(path)} HTTP/1.1"')
    while True:
        found = pattern.search(server.stderr)
        if found:
            return found.group(1)
        assert time.monotonic() < deadline, server.stderr[-2000:]


def test_forwarded_for_is_ignored_unless_the_proxy_is_trusted(
    server: SalonServer, tmp_path: Path
) -> None:
    spoofed = {"X-Forwarded-For": "198.51.100.9"}
    httpx.get(f"{server.base_url}/healthz?untrusted", headers=spoofed)
    assert logged_client(server, "/healthz?untrusted") == "127.0.0.1"
    with SalonServer.on(
        log_dir=tmp_path / "logs",
        data_dir=tmp_path / "data",
        extra_args=["--forwarded-allow-ips", "127.0.0.1", "--access-log", "--janus", "off"],
    ) as behind_proxy:
        httpx.get(f"{behind_proxy.base_url}/healthz?trusted", headers=spoofed)
        assert logged_client(behind_proxy, "/healthz?trusted") == "198.51.100.9"


def test_one_time_link_tokens_never_reach_the_access_log(server: SalonServer) -> None:
    tokens = {kind: f"{kind}-token-{n}" * 2 for n, kind in enumerate(("setup", "invite", "reset"))}
    for kind, token in tokens.items():
        httpx.get(f"{server.base_url}/dashboard/{kind}/{token}")
    for kind in tokens:
        logged_client(server, f"/dashboard/{kind}/[redacted]")
    for token in tokens.values():
        assert token not in server.stderr
