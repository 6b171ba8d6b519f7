"""A real `salon serve` stopped with people in a room, then started again: SIGTERM closes every
room before the process exits (pages told to reconnect with 1012; leaves and the session's end
recorded at the shutdown, their webhooks in the outbox); after SIGKILL the next start closes what
the dead process left open as of its last heartbeat. Either way each `room.client.left` and
`room.session.ended` reaches the receiver exactly once, also across a further restart."""

import asyncio
import json
import os
import signal
import sqlite3
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from e2e.salon_process import SalonServer, clean_env
from webhook_helpers import Receiver, until

FUTURE = "2099-01-01T00:00:00Z"
WAIT_S = 20.0
HOOK = "/hooks"
# The receivers of the test suite listen on loopback, which webhooks may reach only when allowed.
ALLOW_LOOPBACK = {"SALON_WEBHOOK_ALLOW_NETWORKS": "127.0.0.0/8"}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture
async def web() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


def server_on(data: Path, logs: Path) -> SalonServer:
    server = SalonServer.on(log_dir=logs, data_dir=data, extra_args=["--log-level", "warning"])
    server.env = clean_env(ALLOW_LOOPBACK)
    return server


async def call(web: httpx.AsyncClient, server: SalonServer, key: str, path: str, body: Any) -> Any:
    answer = await web.post(
        server.base_url + path, json=body, headers={"Authorization": f"Bearer {key}"}
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


async def join(server: SalonServer, room: str, name: str) -> ClientConnection:
    socket = await connect(server.base_url.replace("http://", "ws://") + "/_salon/signal")
    await socket.send(json.dumps({"type": "join", "v": 1, "room": room, "displayName": name}))
    while json.loads(await asyncio.wait_for(socket.recv(), WAIT_S))["type"] != "joined":
        pass
    return socket


async def close_code(socket: ClientConnection) -> int | None:
    """Read until the server closes; its close code."""
    try:
        while True:
            await asyncio.wait_for(socket.recv(), WAIT_S)
    except ConnectionClosed:
        pass
    return None if socket.close_code is None else int(socket.close_code)


def events(receiver: Receiver) -> list[dict[str, Any]]:
    return [json.loads(request.body) for request in receiver.at(HOOK)]


def kinds(receiver: Receiver) -> Counter[str]:
    return Counter(event["type"] for event in events(receiver))


def rows(data: Path, sql: str) -> list[sqlite3.Row]:
    with sqlite3.connect(data / "salon.db") as db:
        db.row_factory = sqlite3.Row
        return list(db.execute(sql))


async def a_session_of_two(
    web: httpx.AsyncClient, server: SalonServer, receiver: Receiver
) -> tuple[str, list[ClientConnection]]:
    """A webhook endpoint, a meeting, and two people in its room, their webhooks delivered."""
    key = server.first_key
    assert key is not None
    await call(web, server, key, "/v1/webhooks", {"url": receiver.url(HOOK)})
    meeting = await call(web, server, key, "/v1/meetings", {"endDate": FUTURE})
    people = [await join(server, meeting["roomName"], name) for name in ("Ada", "Bo")]
    await until(
        lambda: kinds(receiver) == {"room.client.joined": 2, "room.session.started": 1},
        within_s=WAIT_S,
    )
    return meeting["roomName"], people


def wait_exit(server: SalonServer) -> int:
    assert server.process is not None
    code = server.process.wait(timeout=WAIT_S)
    server.process = None
    return code


ENDED: Counter[str] = Counter(
    {
        "room.client.joined": 2,
        "room.session.started": 1,
        "room.client.left": 2,
        "room.session.ended": 1,
    }
)


async def a_later_start_sends_nothing_twice(
    web: httpx.AsyncClient, data: Path, logs: Path, receiver: Receiver, room: str
) -> None:
    """One more start: a new join's webhook arrives after whatever that start queued, and
    nothing of before came again."""
    with server_on(data, logs) as again:
        socket = await join(again, room, "Cy")
        await until(lambda: kinds(receiver)["room.client.joined"] == 3, within_s=WAIT_S)
        assert kinds(receiver) == ENDED + Counter({"room.client.joined": 1})
        await socket.close()
    ids = [event["id"] for event in events(receiver)]
    assert len(ids) == len(set(ids))


async def test_sigterm_closes_every_room_before_exiting(
    tmp_path: Path, receiver: Receiver, web: httpx.AsyncClient
) -> None:
    data, logs = tmp_path / "data", tmp_path / "logs"
    server = server_on(data, logs).start()
    try:
        room, people = await a_session_of_two(web, server, receiver)
        assert server.process is not None
        stopping_ms = time.time() * 1000
        os.kill(server.process.pid, signal.SIGTERM)
        codes = [await close_code(person) for person in people]
        # uvicorn re-raises the SIGTERM it handled once it has shut down gracefully
        assert wait_exit(server) == -signal.SIGTERM
        stopped_ms = time.time() * 1000
    finally:
        server.stop()
    assert codes == [1012, 1012], "pages are told to reconnect"
    left = rows(data, "SELECT left_ms, left_reason FROM room_participants")
    assert [r["left_reason"] for r in left] == ["server-stopped", "server-stopped"]
    [session] = rows(data, "SELECT ended_ms FROM room_sessions")
    for at in [*(r["left_ms"] for r in left), session["ended_ms"]]:
        assert stopping_ms - 1000 <= at <= stopped_ms
    # their webhooks were in the outbox before the process exited
    queued = Counter(r["type"] for r in rows(data, "SELECT type FROM webhook_events"))
    assert queued == ENDED
    with server_on(data, logs):
        await until(lambda: kinds(receiver) == ENDED, within_s=WAIT_S)
    await a_later_start_sends_nothing_twice(web, data, logs, receiver, room)


async def test_after_sigkill_the_next_start_closes_what_was_left_open_once(
    tmp_path: Path, receiver: Receiver, web: httpx.AsyncClient
) -> None:
    data, logs = tmp_path / "data", tmp_path / "logs"
    server = server_on(data, logs).start()
    try:
        room, people = await a_session_of_two(web, server, receiver)
        joined_ms = max(r["joined_ms"] for r in rows(data, "SELECT * FROM room_participants"))

        def heartbeat_since_joins() -> bool:
            beats = rows(data, "SELECT alive_ms FROM room_nodes WHERE node_id = 'main'")
            return bool(beats) and beats[0]["alive_ms"] > joined_ms

        await until(heartbeat_since_joins, within_s=WAIT_S)
        assert server.process is not None
        os.kill(server.process.pid, signal.SIGKILL)
        assert wait_exit(server) == -signal.SIGKILL
        [beat] = rows(data, "SELECT alive_ms FROM room_nodes")
        alive_ms = beat["alive_ms"]
    finally:
        server.stop()
        for person in people:
            await person.close()
    assert kinds(receiver) == {"room.client.joined": 2, "room.session.started": 1}
    open_rows = rows(data, "SELECT * FROM room_participants WHERE left_ms IS NULL")
    assert len(open_rows) == 2
    with server_on(data, logs):
        await until(lambda: kinds(receiver) == ENDED, within_s=WAIT_S)
    left = rows(data, "SELECT left_ms, left_reason FROM room_participants")
    assert [(r["left_ms"], r["left_reason"]) for r in left] == [(alive_ms, "server-lost")] * 2
    [session] = rows(data, "SELECT ended_ms FROM room_sessions")
    assert session["ended_ms"] == alive_ms
    ended = [e for e in events(receiver) if e["type"] == "room.session.ended"]
    assert ended[0]["data"]["roomName"] == room
    await a_later_start_sends_nothing_twice(web, data, logs, receiver, room)
