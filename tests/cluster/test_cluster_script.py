"""`./scripts/cluster 2`: two nodes on a PostgreSQL database of their own and a Redis database of
the test's own, behind nginx on one port. Through nginx: meetings are created and read, the
API budget is one for both nodes, a room's WebSocket is proxied, a delete closes it wherever it
landed; and a signal to the script stops the nodes and nginx."""

import asyncio
import itertools
import json
import os
import re
import secrets
import select
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from cluster.nodes import POSTGRES_ADMIN_URL, _asyncpg_url

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "cluster"
STARTED_WITHIN_S = 120.0
STOPPED_WITHIN_S = 60.0
WAIT_S = 10.0
END = "2099-01-01T00:00:00Z"


def free_base_port() -> int:
    """A port P with P, P+1 and P+2 free on 127.0.0.1 (nginx and two nodes)."""
    for _ in range(100):
        base = secrets.randbelow(20_000) + 30_000
        probes = []
        try:
            for offset in range(3):
                probe = socket.socket()
                probes.append(probe)
                probe.bind(("127.0.0.1", base + offset))
            return base
        except OSError:
            continue
        finally:
            for probe in probes:
                probe.close()
    raise AssertionError("no three free ports in a row")


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Started:
    process: "subprocess.Popen[bytes]"
    base_url: str
    key: str
    port: int
    banner: str


@pytest.fixture
def database_name() -> Iterator[str]:
    name = f"salon_cluster_script_{secrets.token_hex(4)}"
    yield name

    async def drop() -> None:
        connection = await asyncpg.connect(_asyncpg_url(POSTGRES_ADMIN_URL), timeout=10)
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()

    asyncio.run(drop())


@pytest.fixture
def cluster(database_name: str, redis_url: str, tmp_path: Path) -> Iterator[Started]:
    port = free_base_port()
    env = {
        **os.environ,
        "SALON_CLUSTER_POSTGRES": POSTGRES_ADMIN_URL,
        "SALON_CLUSTER_DATABASE": database_name,
        "SALON_CLUSTER_REDIS": redis_url,
        "SALON_CLUSTER_DATA": str(tmp_path / "nodes"),
    }
    process = subprocess.Popen(
        [str(SCRIPT), "2", "--port", str(port), "--janus", "off", "--log-level", "warning"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
    )
    banner = ""
    deadline = time.monotonic() + STARTED_WITHIN_S
    assert process.stdout is not None
    try:
        while "Ctrl-C" not in banner:
            left = deadline - time.monotonic()
            if left <= 0 or process.poll() is not None:
                raise AssertionError(f"the cluster did not start:\n{banner}")
            ready, _, _ = select.select([process.stdout], [], [], left)
            if ready:  # unbuffered: a buffered reader would hide lines from `select`
                banner += os.read(process.stdout.fileno(), 65536).decode()
        base = re.search(r"Base URL:\s+(\S+)", banner)
        key = re.search(r"^\s+(salon_[a-z0-9]{12}_\S+)\s*$", banner, re.MULTILINE)
        assert base is not None, banner
        assert key is not None, banner
        yield Started(process, base.group(1), key.group(1), port, banner)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # what Ctrl-C sends the script
            try:
                process.wait(timeout=STOPPED_WITHIN_S)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
                raise
        process.stdout.close()


async def hear_until_closed(socket_: ClientConnection, heard: list[str]) -> None:
    while True:
        heard.append(json.loads(await asyncio.wait_for(socket_.recv(), WAIT_S))["type"])


async def test_two_nodes_behind_nginx(cluster: Started) -> None:
    assert f"http://127.0.0.1:{cluster.port}" == cluster.base_url
    assert "node-1" in cluster.banner
    assert "node-2" in cluster.banner
    auth = {"Authorization": f"Bearer {cluster.key}"}
    async with httpx.AsyncClient(base_url=cluster.base_url, timeout=WAIT_S) as http:
        remaining = []
        for _ in range(4):  # nginx spreads them over the two nodes; the budget is one
            created = await http.post(
                "/v1/meetings", headers=auth, json={"endDate": END, "fields": ["hostRoomUrl"]}
            )
            assert created.status_code == 201, created.text
            remaining.append(int(created.headers["x-ratelimit-remaining"]))
        assert [a - b for a, b in itertools.pairwise(remaining)] == [3, 3, 3]
        meeting = created.json()
        read = await http.get(f"/v1/meetings/{meeting['meetingId']}", headers=auth)
        assert read.status_code == 200
        assert read.json()["roomUrl"].startswith(cluster.base_url + "/")

        host = f"ws://127.0.0.1:{cluster.port}/_salon/signal"
        key = meeting["hostRoomUrl"].split("roomKey=")[1]
        async with connect(host) as socket_:
            join = {"type": "join", "v": 1, "room": meeting["roomName"], "roomKey": key}
            await socket_.send(json.dumps({**join, "displayName": "Ada"}))
            deadline = time.monotonic() + WAIT_S
            while True:
                answer = json.loads(await asyncio.wait_for(socket_.recv(), WAIT_S))
                if answer["type"] == "joined":
                    break
                assert time.monotonic() < deadline, answer
            deleted = await http.delete(f"/v1/meetings/{meeting['meetingId']}", headers=auth)
            assert deleted.status_code == 204
            heard: list[str] = []
            with pytest.raises(ConnectionClosed):
                await hear_until_closed(socket_, heard)
            assert "removed" in heard, heard
        gone = await http.get(f"/v1/meetings/{meeting['meetingId']}", headers=auth)
        assert gone.status_code == 404

    cluster.process.send_signal(signal.SIGINT)
    cluster.process.wait(timeout=STOPPED_WITHIN_S)
    for port in (cluster.port, cluster.port + 1, cluster.port + 2):
        assert not listening(port), f"port {port} still open after the script stopped"
