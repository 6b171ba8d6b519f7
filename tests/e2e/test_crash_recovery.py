"""A `salon serve` killed with SIGKILL while people are in a room: the next start closes what
the dead process left open, so each `room.client.joined` gets its `room.client.left` and the
session its `room.session.ended`, and the history shows no one still in the room."""

import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect

from e2e.salon_process import HOST, SalonServer
from salon.storage.engines import open_database
from webhook_helpers import Receiver, until

FUTURE = "2099-01-01T00:00:00Z"
WAIT_S = 30.0


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


async def test_a_restart_after_kill_9_closes_participants_and_sessions_with_webhooks(
    tmp_path: Path, receiver: Receiver
) -> None:
    extra = ["--janus", "off", "--log-level", "warning"]
    server = SalonServer.on(log_dir=tmp_path / "logs", data_dir=tmp_path / "data", extra_args=extra)
    with server:
        key = server.first_key
        assert key is not None
        hooked = server.cli("webhooks", "create", "--url", receiver.plan("/h", [200]), "--json")
        secret = json.loads(hooked.stdout)["secret"]
        assert secret
        async with httpx.AsyncClient() as http:
            created = await http.post(
                f"{server.base_url}/v1/meetings",
                json={"endDate": FUTURE},
                headers={"Authorization": f"Bearer {key}"},
            )
        room = created.json()["roomName"]
        url = f"ws://{HOST}:{server.port}/_salon/signal"
        sockets = []
        for _ in range(2):
            ws = await connect(url)
            sockets.append(ws)
            await ws.send(json.dumps({"type": "join", "v": 1, "room": room}))
            while json.loads(await ws.recv())["type"] != "joined":
                pass
        await until(lambda: receiver.count("/h") == 3, WAIT_S)  # 2 joins, session started
        assert server.process is not None
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait(WAIT_S)
        for ws in sockets:
            await ws.close()
        server.start()
        # At least once: a delivery the killed process made but had not recorded comes again.
        await until(lambda: len(receiver.event_ids("/h")) == 6, WAIT_S)

    events = list({e["id"]: e for e in (json.loads(r.body) for r in receiver.at("/h"))}.values())
    kinds = sorted(event["type"] for event in events)
    assert kinds == [
        "room.client.joined",
        "room.client.joined",
        "room.client.left",
        "room.client.left",
        "room.session.ended",
        "room.session.started",
    ]
    joined = {e["data"]["participantId"] for e in events if e["type"] == "room.client.joined"}
    left = [e["data"] for e in events if e["type"] == "room.client.left"]
    assert {data["participantId"] for data in left} == joined
    assert sorted(data["numClients"] for data in left) == [0, 1]
    session = next(e for e in events if e["type"] == "room.session.started")["data"]
    ended = next(e for e in events if e["type"] == "room.session.ended")["data"]
    assert ended["roomSessionId"] == session["roomSessionId"]
    db = open_database(f"sqlite:///{tmp_path / 'data' / 'salon.db'}")
    try:
        still_in = await db.fetch_all("SELECT id FROM room_participants WHERE left_ms IS NULL")
        open_sessions = await db.fetch_all("SELECT id FROM room_sessions WHERE ended_ms IS NULL")
        reasons = await db.fetch_all("SELECT DISTINCT left_reason FROM room_participants")
    finally:
        await db.close()
    assert list(still_in) == []
    assert list(open_sessions) == []
    assert [row["left_reason"] for row in reasons] == ["timeout"]
