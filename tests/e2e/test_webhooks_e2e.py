"""Webhooks end to end: real `salon serve` processes on SQLite, real WebSocket joins, the `salon
webhooks` CLI, and a real HTTP receiver on loopback that checks every signature.

Also: a server killed with SIGKILL while deliveries wait (some in flight under a lease, some
between retries) sends all of them after a restart, each to its own endpoint, none lost.
"""

import asyncio
import json
import os
import signal
import subprocess
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from e2e.salon_process import SalonServer
from salon.meetings.model import parse_date_time
from salon.webhooks import HEADER, InvalidSignature, sign, verify
from salon.webhooks.dispatcher import LEASE_MS
from webhook_helpers import ALLOW_LOCAL, HANG, Receiver, opened, until

FUTURE = "2099-01-01T00:00:00Z"
# Whereby's Node sample: it signs JSON.stringify of the *parsed* body.
NODE_CHECK = """
const crypto = require("crypto");
const [body, header, secret] = JSON.parse(require("fs").readFileSync(0, "utf8"));
const [t, v1] = header.split(",").map((part) => part.replace(/^(t|v1)=/, ""));
const payload = `${t}.${JSON.stringify(JSON.parse(body))}`;
const mine = crypto.createHmac("sha256", secret).update(payload).digest("hex");
process.stdout.write(crypto.timingSafeEqual(Buffer.from(mine), Buffer.from(v1)) ? "ok" : "no");
"""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture
async def web() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


def cli_json(server: SalonServer, *args: str) -> Any:
    ran = server.cli("webhooks", *args, "--json")
    assert ran.returncode == 0, ran.stderr
    return json.loads(ran.stdout)


def cli_refused(server: SalonServer, *args: str) -> str:
    ran = server.cli("webhooks", *args)
    assert ran.returncode == 1, ran.stdout
    assert "Traceback" not in ran.stderr
    [line] = [line for line in ran.stderr.splitlines() if line.startswith("salon: ")]
    return line


async def api(
    web: httpx.AsyncClient,
    server: SalonServer,
    key: str,
    method: str,
    path: str,
    status: int,
    body: Any = None,
) -> Any:
    answer = await web.request(
        method, server.base_url + path, json=body, headers={"Authorization": f"Bearer {key}"}
    )
    assert answer.status_code == status, answer.text
    return answer.json()


async def join(server: SalonServer, room: str, **fields: str) -> ClientConnection:
    socket = await connect(server.base_url.replace("http://", "ws://") + "/_salon/signal")
    await socket.send(json.dumps({"type": "join", "v": 1, "room": room, **fields}))
    while json.loads(await asyncio.wait_for(socket.recv(), 5))["type"] != "joined":
        pass
    return socket


async def leave(socket: ClientConnection) -> None:
    await socket.send(json.dumps({"type": "leave"}))
    try:
        while True:
            await asyncio.wait_for(socket.recv(), 5)
    except ConnectionClosed:
        pass


async def poll(
    web: httpx.AsyncClient, server: SalonServer, key: str, path: str, ok: Callable[[Any], bool]
) -> Any:
    """`GET path` until its body satisfies `ok` (the server records attempts just after them)."""
    deadline = time.monotonic() + 10
    while not ok(body := await api(web, server, key, "GET", path, 200)):
        assert time.monotonic() < deadline, f"{path} never settled: {body}"
        await asyncio.sleep(0.1)
    return body


def all_delivered(body: Any) -> bool:
    return {d["status"] for d in body["results"]} == {"delivered"}


def node_accepts(body: bytes, header: str, secret: str) -> bool:
    ran = subprocess.run(
        ["node", "-e", NODE_CHECK],
        input=json.dumps([body.decode(), header, secret]),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    return ran.stdout == "ok"


async def test_the_cli_manages_endpoints_and_real_joins_arrive_signed(
    tmp_path: Path, receiver: Receiver, web: httpx.AsyncClient
) -> None:
    with SalonServer.on(
        log_dir=tmp_path / "logs", data_dir=tmp_path / "data", extra_args=ALLOW_LOCAL
    ) as server:
        key = server.first_key
        assert key is not None
        refusal = cli_refused(server, "create", "--url", server.base_url + "/v1/meetings")
        assert "url must not point at this Salon server" in refusal
        joins_and_leaves = "room.client.joined,room.client.left"
        made = cli_json(
            server,
            "create",
            "--url",
            receiver.url("/hook"),
            "--events",
            joins_and_leaves,
            *ALLOW_LOCAL,
        )
        assert list(made) == ["id", "url", "events", "secret"]
        assert made["events"] == ["room.client.joined", "room.client.left"]
        hook = made["id"]
        assert cli_json(server, "update", hook, "--disable")["enabled"] is False
        listed = server.cli("webhooks", "list").stdout
        assert f"{hook}  off  {made['url']}" in listed
        assert made["secret"] not in listed
        more = joins_and_leaves + ",room.session.started"
        changed = cli_json(server, "update", hook, "--enable", "--events", more)
        assert (changed["enabled"], changed["events"]) == (True, more.split(","))
        rotated = cli_json(server, "rotate-secret", hook)["secret"]
        assert rotated != made["secret"]
        shown = cli_json(server, "show", hook)
        assert shown == {**changed, "secret": rotated, "updatedAt": shown["updatedAt"]}

        meeting = await api(web, server, key, "POST", "/v1/meetings", 201, {"endDate": FUTURE})
        host = await join(
            server,
            meeting["roomName"],
            displayName='Åsa "Host" 🎥',
            externalId="crm-42",
            metadata='{"seat":"A1"}',
        )
        guest = await join(server, meeting["roomName"])
        await leave(guest)
        await leave(host)
        await until(lambda: receiver.count("/hook") >= 5, within_s=10)
        events = {e["id"]: e for e in (opened(r, rotated) for r in receiver.at("/hook"))}
        kinds = sorted(e["type"] for e in events.values())
        assert kinds == ["room.client.joined"] * 2 + ["room.client.left"] * 2 + [
            "room.session.started"
        ]
        first = receiver.at("/hook")[0]
        with pytest.raises(InvalidSignature):
            verify(first.body, first.headers[HEADER.lower()], made["secret"])
        with_name = next(r for r in receiver.at("/hook") if "Åsa".encode() in r.body)
        assert node_accepts(with_name.body, with_name.headers[HEADER.lower()], rotated)
        host_data = json.loads(with_name.body)["data"]
        assert (host_data["externalId"], host_data["metadata"]) == ("crm-42", '{"seat":"A1"}')

        await poll(web, server, key, f"/v1/webhook-deliveries?webhookId={hook}", all_delivered)
        log = cli_json(server, "deliveries", hook)
        assert sorted(d["eventId"] for d in log) == sorted(events)
        assert {(d["status"], d["attempts"], d["lastStatus"]) for d in log} == {
            ("delivered", 1, 200)
        }
        text = server.cli("webhooks", "deliveries", "--limit", "2").stdout.splitlines()
        assert len(text) == 2
        assert all("delivered" in line and "attempts=1" in line for line in text)

        replayed = cli_json(server, "replay", log[0]["id"])
        assert (replayed["eventId"], replayed["replayOf"]) == (log[0]["eventId"], log[0]["id"])
        await until(lambda: receiver.count("/hook") == 6, within_s=5)
        again = opened(receiver.at("/hook")[-1], rotated)
        assert again == events[log[0]["eventId"]]

        metrics = await poll(
            web, server, key, "/v1/webhook-metrics", lambda m: m["deliveries"]["pending"] == 0
        )
        assert metrics == {
            "deliveries": {"pending": 0, "delivered": 6, "failed": 0},
            "process": {"delivered": 6, "retried": 0, "failed": 0},
        }
        assert cli_json(server, "delete", hook) == {"deleted": hook}
        assert f"no webhook endpoint with id '{hook}'" in cli_refused(server, "deliveries", hook)


async def test_a_server_killed_with_deliveries_pending_sends_them_all_after_a_restart(
    tmp_path: Path, receiver: Receiver, web: httpx.AsyncClient
) -> None:
    """Three endpoints of one organization: one healthy, one that hangs (each attempt in flight
    under a lease when the server dies), one answering 503 (between retries when it dies); and
    one endpoint of another organization."""
    data = tmp_path / "data"
    retrying = ["--webhook-retries", "20", "--webhook-retry-delay-ms", "300"]
    first = SalonServer.on(
        log_dir=tmp_path / "logs",
        data_dir=data,
        extra_args=["--session-end-grace-s", "0.2", *retrying, *ALLOW_LOCAL],
    )
    first.start()
    try:
        key = first.first_key
        assert key is not None
        assert first.cli("orgs", "create", "acme").returncode == 0
        made = first.cli("keys", "create", "--org", "acme", "--name", "a", "--json")
        acme_key = json.loads(made.stdout)["key"]
        hooks: dict[str, dict[str, Any]] = {}
        for path, steps, owner in (
            ("/healthy", [200], key),
            ("/stuck", [HANG], key),
            ("/flaky", [503], key),
            ("/acme", [200], acme_key),
        ):
            body = {"url": receiver.plan(path, steps)}
            hooks[path] = await api(web, first, owner, "POST", "/v1/webhooks", 201, body)
        home = await api(web, first, key, "POST", "/v1/meetings", 201, {"endDate": FUTURE})
        away = await api(web, first, acme_key, "POST", "/v1/meetings", 201, {"endDate": FUTURE})
        people = [await join(first, home["roomName"], displayName=f"P{n}") for n in range(3)]
        people.append(await join(first, away["roomName"], displayName="Acme"))
        for person in people:
            await leave(person)
        # At home: 3 joins, 3 leaves, a session's start and end. At acme: a join and a leave.
        await until(lambda: receiver.count("/healthy") == 8 and receiver.count("/acme") == 2)
        for request in receiver.at("/healthy"):
            event = opened(request, hooks["/healthy"]["secret"])
            created_s = parse_date_time("createdAt", event["createdAt"]) / 1000
            assert request.at - created_s < 2.0, "the healthy endpoint waited for the others"

        stuck_log = f"/v1/webhook-deliveries?webhookId={hooks['/stuck']['id']}"
        timed_out = await poll(
            web,
            first,
            key,
            stuck_log,
            lambda b: any(d["lastError"] == "timed out" for d in b["results"]),
        )
        [cut, *_] = [d for d in timed_out["results"] if d["lastError"] == "timed out"]
        assert 5000 <= cut["lastLatencyMs"] < 7000, "the timeout is 5 s"
        # Every stuck delivery is in flight again now, and every flaky one is between retries.
        await until(
            lambda: len(receiver.event_ids("/stuck")) == len(receiver.event_ids("/flaky")) == 8
        )
        healthy_log = f"/v1/webhook-deliveries?webhookId={hooks['/healthy']['id']}"
        await poll(web, first, key, healthy_log, all_delivered)
        assert first.process is not None
        os.kill(first.process.pid, signal.SIGKILL)
        first.process.wait(timeout=10)
        killed_at = time.monotonic()
    finally:
        first.stop()

    home_events = receiver.event_ids("/healthy")
    receiver.plan("/stuck", [200])
    receiver.plan("/flaky", [200])
    with SalonServer.on(log_dir=tmp_path / "logs", data_dir=data, extra_args=ALLOW_LOCAL) as second:
        await until(
            lambda: (
                receiver.event_ids("/stuck", 200)
                == receiver.event_ids("/flaky", 200)
                == home_events
            ),
            within_s=LEASE_MS / 1000 + 10,
        )
        assert time.monotonic() - killed_at < LEASE_MS / 1000 + 10
        for path, hook in hooks.items():
            owner = acme_key if path == "/acme" else key
            query = f"/v1/webhook-deliveries?webhookId={hook['id']}"
            logged = (await poll(web, second, owner, query, all_delivered))["results"]
            assert {d["eventId"] for d in logged} == receiver.event_ids(path), path
        metrics = await api(web, second, key, "GET", "/v1/webhook-metrics", 200)
        assert metrics["process"] == {"delivered": 16, "retried": 0, "failed": 0}
    for path, hook in hooks.items():
        for request in receiver.at(path):  # each went to its own endpoint: its secret signs it
            event = opened(request, hook["secret"])
            assert event["data"]["subdomain"] == ("acme" if path == "/acme" else "default")
    assert receiver.count("/healthy") == 8, "a delivered event was sent again"
    assert receiver.count("/acme") == 2


README = Path(__file__).resolve().parents[2] / "README.md"
README_VERIFY_CHECKS = """
const [body, secret, headers] = JSON.parse(require("fs").readFileSync(0, "utf8"));
const answers = headers.map((header) => {
  try { return verify(body, header, secret); } catch (error) { return `threw: ${error.message}`; }
});
process.stdout.write(JSON.stringify(answers));
"""


def readme_node_verify() -> str:
    """The Node `verify` sample of the README's webhook section, as printed there."""
    text = README.read_text()
    start = text.index("```js\n", text.index("## Webhooks")) + len("```js\n")
    return "\n".join(line.strip() for line in text[start : text.index("```", start)].splitlines())


def test_the_readme_node_sample_says_no_to_a_signature_of_another_length() -> None:
    """`crypto.timingSafeEqual` throws on buffers of different lengths: the sample must compare
    the lengths first and answer false, not throw at the receiver."""
    secret, body, now = "whsec_readme", '{"id":"e1","type":"room.client.joined"}', int(time.time())
    good = sign(body.encode(), secret, now)
    headers = [good, f"t={now},v1=abc", good + "00", f"t={now},v1=é" + "0" * 63, f"t={now}", ""]
    ran = subprocess.run(
        ["node", "-e", readme_node_verify() + README_VERIFY_CHECKS],
        input=json.dumps([body, secret, headers]),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout) == [True, False, False, False, False, False]
