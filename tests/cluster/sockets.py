"""Two real `salon serve` nodes over one PostgreSQL database and one Redis database, and
protocol-level WebSocket clients for them (as `e2e/test_signaling_socket.py` drives one node)."""

import asyncio
import json
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from cluster.nodes import _asyncpg_url
from e2e.salon_process import HOST, SalonServer

WAIT_S = 10.0
FUTURE = "2099-01-01T00:00:00Z"
READY_WITHIN_S = 120.0
"""A node over PostgreSQL and Redis starts slower than one over SQLite, the more so on a machine
busy with other tests; this is a deadline, not a wait."""


class SlowStartingServer(SalonServer):
    def _wait_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + READY_WITHIN_S
        with httpx.Client(base_url=self.base_url, timeout=1.0) as client:
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(f"salon serve exited:\n{self.stdout}\n{self.stderr}")
                try:
                    if client.get("/healthz").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no /healthz within {READY_WITHIN_S} s\n{self.stderr}")
                time.sleep(0.1)  # the pause between polls, not a synchronisation


def node(database_url: str, redis_url: str, log_dir: Path, number: int) -> SalonServer:
    extra = [
        "--redis-url", redis_url, "--node-id", f"node-{number}", "--janus", "off",
        "--rate-limit-points", "0", "--log-level", "warning", "--session-end-grace-s", "1",
    ]  # fmt: skip
    return SlowStartingServer.on(
        log_dir=log_dir / f"node-{number}", database_url=database_url, extra_args=extra
    )


@contextmanager
def two_nodes(database_url: str, redis_url: str, log_dir: Path) -> Iterator[list[SalonServer]]:
    """Node 1, then node 2 (the first start over a fresh database makes the first key)."""
    with ExitStack() as stack:
        servers = []
        for number in (1, 2):
            server = node(database_url, redis_url, log_dir, number)
            stack.enter_context(server)
            servers.append(server)
        yield servers


@dataclass
class Meeting:
    room: str
    host_key: str
    meeting_id: str


async def create_meeting(server: SalonServer, key: str) -> Meeting:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=WAIT_S) as http:
        created = await http.post(
            "/v1/meetings",
            headers={"Authorization": f"Bearer {key}"},
            json={"endDate": FUTURE, "fields": ["hostRoomUrl"]},
        )
    assert created.status_code == 201, created.text
    body = created.json()
    return Meeting(body["roomName"], body["hostRoomUrl"].split("roomKey=")[1], body["meetingId"])


async def subscribe_webhooks(database_url: str, events: str) -> None:
    """An endpoint for these events in the (only) organization, so that they are written to the
    outbox; nobody receives them (the address refuses), which these tests do not need."""
    connection = await asyncpg.connect(_asyncpg_url(database_url), timeout=10)
    try:
        org_id = await connection.fetchval("SELECT id FROM orgs ORDER BY id LIMIT 1")
        await connection.execute(
            "INSERT INTO webhook_endpoints (id, org_id, url, events, secret, enabled,"
            " created_ms, updated_ms) VALUES ('whtest', $1, 'https://hooks.invalid/x', $2,"
            " 'secret', true, 0, 0)",
            org_id,
            events,
        )
    finally:
        await connection.close()


async def outbox(database_url: str, kind: str) -> list[dict[str, Any]]:
    """The `data` of each webhook event of this type written so far."""
    connection = await asyncpg.connect(_asyncpg_url(database_url), timeout=10)
    try:
        rows = await connection.fetch("SELECT body FROM webhook_events WHERE type = $1", kind)
    finally:
        await connection.close()
    return [json.loads(row["body"])["data"] for row in rows]


class Person:
    """One protocol-level client: a socket to one node and what it heard."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.participant_id = ""
        self.resume_token = ""
        self.heard: list[dict[str, Any]] = []

    @classmethod
    async def open(cls, server: SalonServer) -> "Person":
        return cls(await connect(f"ws://{HOST}:{server.port}/_salon/signal"))

    async def send(self, kind: str, **fields: Any) -> None:
        await self.ws.send(json.dumps({"type": kind, **fields}))

    async def next_of(self, kind: str, within_s: float = WAIT_S, **fields: Any) -> dict[str, Any]:
        """The next message of `kind` with these field values (others are kept in `heard`)."""
        deadline = time.monotonic() + within_s
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), max(deadline - time.monotonic(), 0.01))
            message: dict[str, Any] = json.loads(raw)
            self.heard.append(message)
            if message["type"] == kind and all(message.get(k) == v for k, v in fields.items()):
                return message

    async def join(self, room: str, key: str | None, name: str, **fields: Any) -> dict[str, Any]:
        await self.send("join", v=1, room=room, roomKey=key, displayName=name, **fields)
        joined = await self.next_of("joined")
        self.participant_id, self.resume_token = joined["participantId"], joined["resumeToken"]
        return joined

    async def closed_with(self, within_s: float = WAIT_S) -> tuple[int | None, str]:
        """Read to the end: the close code and reason the server sent."""
        deadline = time.monotonic() + within_s
        try:
            while True:
                raw = await asyncio.wait_for(self.ws.recv(), max(deadline - time.monotonic(), 0.01))
                self.heard.append(json.loads(raw))
        except ConnectionClosed as closed:
            if closed.rcvd is None:
                return None, ""
            return closed.rcvd.code, closed.rcvd.reason


async def joined_through(
    server: SalonServer, room: str, key: str | None, name: str, within_s: float
) -> tuple[Person, dict[str, Any]]:
    """Join through `server`, opening a new socket after each refusal (as the page does), until
    `within_s` has passed."""
    deadline = time.monotonic() + within_s
    while True:
        person = await Person.open(server)
        try:
            return person, await person.join(room, key, name)
        except (ConnectionClosed, TimeoutError, KeyError):
            await person.ws.close()
            if time.monotonic() > deadline:
                raise
        await asyncio.sleep(0.2)  # the page's backoff between attempts, not a synchronisation
