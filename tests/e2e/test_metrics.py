"""Prometheus metrics of a real `salon serve` process, scraped over HTTP and parsed with
prometheus_client's own text-format parser: the metrics port, `/metrics` on the main port behind
its bearer token, and the figures after real API calls, signaling joins, a rate-limited request
and webhook deliveries, and a background job's run. No label may carry a room name, a meeting
id, a participant id or a job id."""

import asyncio
import json
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from websockets.asyncio.client import ClientConnection, connect

from e2e.salon_process import HOST, SalonServer, free_port, run_cli
from webhook_helpers import ALLOW_LOCAL, HANG, Receiver, until

FUTURE = "2099-01-01T00:00:00Z"
TOKEN = "metrics-token-for-tests-0123456789"
WAIT_S = 10.0

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def label_values(samples: Samples) -> set[str]:
    return {v for _, labels in samples for _, v in labels}


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SalonServer]:
    root = tmp_path_factory.mktemp("metrics")
    metrics_port = free_port()
    extra = ["--rate-limit-points", "20", "--log-level", "warning", "--janus", "off"]
    extra += ["--metrics-port", str(metrics_port), "--session-end-grace-s", "0.2", *ALLOW_LOCAL]
    with SalonServer.on(log_dir=root / "logs", data_dir=root / "data", extra_args=extra) as s:
        s.metrics_url = f"http://{HOST}:{metrics_port}/metrics"  # type: ignore[attr-defined]
        yield s


@pytest.fixture
async def web() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=WAIT_S) as client:
        yield client


async def scrape(web: httpx.AsyncClient, server: SalonServer) -> Samples:
    answer = await web.get(server.metrics_url)  # type: ignore[attr-defined]
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain; version=")
    return parse(answer.text)


async def scrape_until(
    web: httpx.AsyncClient, server: SalonServer, holds: Callable[[Samples], bool]
) -> Samples:
    """Scrape until `holds` (or the deadline: the caller's assertion then says what is wrong)."""
    deadline = time.monotonic() + WAIT_S
    while True:
        samples = await scrape(web, server)
        if holds(samples) or time.monotonic() > deadline:
            return samples
        await asyncio.sleep(0.05)  # the pause between two scrapes


async def joined(url: str, room: str) -> tuple[ClientConnection, dict[str, Any]]:
    ws = await connect(url, open_timeout=WAIT_S)
    await ws.send(json.dumps({"type": "join", "v": 1, "room": room}))
    while True:
        message = json.loads(await ws.recv())
        if message["type"] == "joined":
            return ws, message


async def test_the_metrics_port_counts_api_signaling_rate_limits_and_webhooks(
    server: SalonServer, web: httpx.AsyncClient, receiver: Receiver
) -> None:
    key = server.first_key
    assert key is not None
    auth = {"Authorization": f"Bearer {key}"}
    ok = json.loads(
        server.cli(
            "webhooks", "create", "--url", receiver.plan("/ok", [200]), "--json", *ALLOW_LOCAL
        ).stdout
    )
    hangs = server.cli("webhooks", "create", "--url", receiver.plan("/hang", [HANG]), *ALLOW_LOCAL)
    assert hangs.returncode == 0
    before = await scrape(web, server)

    created = await web.post(
        f"{server.base_url}/v1/meetings", json={"endDate": FUTURE}, headers=auth
    )
    assert created.status_code == 201
    meeting = created.json()
    fetched = await web.get(f"{server.base_url}/v1/meetings/{meeting['meetingId']}", headers=auth)
    assert fetched.status_code == 200

    url = f"ws://{HOST}:{server.port}/_salon/signal"
    first, _ = await joined(url, meeting["roomName"])
    second, _ = await joined(url, meeting["roomName"])
    await first.send(json.dumps({"type": "chat", "text": "hello"}))
    during = await scrape(web, server)
    assert value(during, "salon_rooms", mode="normal") == 1
    assert value(during, "salon_participants", mode="normal", role="visitor") == 2
    await until(lambda: receiver.count("/ok") >= 3, WAIT_S)  # 2 joins, session started

    # Spend the rest of the budget (20 points, reads cost 1): the last ones are refused.
    statuses = [
        (await web.get(f"{server.base_url}/v1/hello", headers=auth)).status_code for _ in range(25)
    ]
    assert 429 in statuses
    for ws in (first, second):
        await ws.send(json.dumps({"type": "leave"}))
        await ws.close()
    after = await scrape_until(
        web, server, lambda s: value(s, "salon_webhook_attempts_total", outcome="delivered") >= 3
    )

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("salon_http_requests_total", route="/v1/meetings", method="POST", status="201") == 1
    assert (
        grew(
            "salon_http_requests_total",
            route="/v1/meetings/{meetingId}",
            method="GET",
            status="200",
        )
        == 1
    )
    assert grew("salon_http_requests_total", route="<unmatched>", method="GET", status="429") >= 1
    assert grew("salon_rate_limited_requests_total", area="api") == statuses.count(429)
    assert (
        grew("salon_http_request_duration_seconds_count", route="/v1/meetings", method="POST") == 1
    )
    assert grew("salon_signaling_messages_received_total", type="join") == 2
    assert grew("salon_signaling_messages_received_total", type="chat") == 1
    assert grew("salon_signaling_messages_sent_total", type="joined") == 2
    assert grew("salon_signaling_messages_sent_total", type="participant-joined") == 1
    assert grew("salon_signaling_messages_sent_total", type="chat") == 2
    assert grew("salon_join_duration_seconds_count") == 2
    assert grew("salon_db_commit_batch_size_count") >= 1
    assert value(after, "salon_db_commit_duration_seconds_count") >= 1
    assert value(after, "salon_webhook_attempts_total", outcome="delivered") >= 3
    # The hanging endpoint's deliveries wait in the outbox, the oldest since the first join.
    assert value(after, "salon_webhook_pending") >= 3
    assert value(after, "salon_webhook_oldest_pending_age_seconds") > 0
    assert value(after, "salon_janus_instances") == 0
    assert value(after, "salon_ready") == 1
    assert value(after, "process_resident_memory_bytes") > 10_000_000
    assert value(after, "process_open_fds") > 0
    assert value(after, "process_cpu_seconds_total") > 0
    # Nothing unbounded in any label (the meeting id, a small number, could match a bucket).
    for unbounded in (meeting["roomName"][1:], ok["id"]):
        assert not any(unbounded in label for label in label_values(after))
    assert not any("/v1/meetings/" + meeting["meetingId"] in v for v in label_values(after))
    # Everyone left: the room and its participants are gone from the gauges.
    gone = await scrape_until(web, server, lambda s: value(s, "salon_rooms", mode="normal") == 0)
    assert value(gone, "salon_participants", mode="normal", role="visitor") == 0
    assert value(gone, "salon_rooms", mode="normal") == 0


async def test_the_public_port_does_not_serve_metrics_by_default(
    server: SalonServer, web: httpx.AsyncClient
) -> None:
    answer = await web.get(f"{server.base_url}/metrics")
    assert answer.status_code == 404
    assert "salon_http_requests" not in answer.text


async def test_the_main_port_serves_metrics_only_with_the_token(
    tmp_path: Path, web: httpx.AsyncClient
) -> None:
    extra = ["--metrics", "--janus", "off", "--log-level", "warning"]
    server = SalonServer.on(log_dir=tmp_path / "logs", data_dir=tmp_path / "data", extra_args=extra)
    server.env["SALON_METRICS_TOKEN"] = TOKEN
    with server:
        url = f"{server.base_url}/metrics"
        missing = await web.get(url)
        assert missing.status_code == 401
        assert missing.json() == {
            "error": "a valid metrics bearer token is required",
            "code": "unauthorized",
        }
        wrong = await web.get(url, headers={"Authorization": f"Bearer {TOKEN}x"})
        assert wrong.status_code == 401
        right = await web.get(url, headers={"Authorization": f"Bearer {TOKEN}"})
        assert right.status_code == 200
        assert value(parse(right.text), "salon_janus_instances") == 0
        posted = await web.post(url, headers={"Authorization": f"Bearer {TOKEN}"})
        assert posted.status_code == 405


def test_metrics_on_the_main_port_without_a_token_is_refused_at_start(tmp_path: Path) -> None:
    ran = run_cli("serve", "--metrics", "--port", str(free_port()), data_dir=tmp_path)
    assert ran.returncode == 1
    assert ran.stderr.strip().endswith(
        "salon: --metrics needs a bearer token: --metrics-token or SALON_METRICS_TOKEN"
    )


async def test_a_background_job_moves_the_job_metrics(
    server: SalonServer, web: httpx.AsyncClient
) -> None:
    """A job written to the queue as a service writes one (here a recording's removal, for a
    recording gone already): the runner finds it at its next poll and its run is counted."""
    assert server.data_dir is not None
    runs = "salon_job_duration_seconds_count"
    before = await scrape(web, server)
    assert (
        "salon_jobs",
        frozenset({("kind", "transcription.run"), ("status", "pending")}),
    ) in before
    with sqlite3.connect(server.data_dir / "salon.db", timeout=10) as db:
        db.execute(
            "INSERT INTO jobs (id, kind, payload, status, attempts, max_attempts, run_after_ms,"
            " created_ms) VALUES ('job_e2e_metrics', 'recording.remove',"
            " '{\"recordingId\": \"gone\"}', 'pending', 0, 2, 0, 0)"
        )
    done = {"kind": "recording.remove", "outcome": "done"}
    after = await scrape_until(
        web, server, lambda s: value(s, runs, **done) > value(before, runs, **done)
    )
    assert value(after, runs, **done) - value(before, runs, **done) == 1
    assert value(after, "salon_job_duration_seconds_bucket", le="+Inf", **done) >= 1
    assert value(after, "salon_jobs", kind="recording.remove", status="pending") == 0
    assert not any("job_e2e_metrics" in label for label in label_values(after))
