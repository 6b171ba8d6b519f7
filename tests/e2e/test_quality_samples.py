"""Quality samples end to end: `stats` frames on a real `salon serve`'s signaling socket reach
`/v1/insights/participant` (after the buffer's flush), with the socket's User-Agent; a bad sample
is answered `bad_field` and the room goes on."""

import asyncio
import time
from typing import Any

import httpx

from e2e.test_signaling_socket import (
    Pair,
    Room,
    assert_chats,
    next_of,
    pair,
    room,
    send,
    server,
)

__all__ = ["pair", "room", "server"]  # fixtures, shared with the socket's own tests
FLUSHED_WITHIN_S = 30.0


async def insights(room: Room, path: str, **query: str) -> Any:
    async with httpx.AsyncClient(base_url=room.server.base_url) as http:
        response = await http.get(
            f"/v1/insights/{path}",
            params=query,
            headers={"Authorization": f"Bearer {room.server.first_key}"},
        )
    assert response.status_code == 200, response.text
    return response.json()


async def test_samples_sent_on_the_socket_are_served_by_insights(room: Room, pair: Pair) -> None:
    for index in range(3):
        await send(
            pair.host,
            "stats",
            packetLossSend=index * 0.5,
            packetLossRecv=0,
            bitrateSend=500_000 + index,
            bitrateRecv=250_000,
            audio=True,
            video=index != 1,
            screen=False,
        )
    await assert_chats(pair, "after samples")  # the samples got no answer; the room goes on
    sessions = (await insights(room, "room-sessions", roomName=room.name))["results"]
    assert len(sessions) == 1
    deadline = time.monotonic() + FLUSHED_WITHIN_S
    while True:
        found = await insights(
            room, "participant", roomSessionId=sessions[0]["roomSessionId"],
            participantId=pair.host_id,
        )  # fmt: skip
        if found and len(found[0]["samples"]["bitrateSend"]) == 3:
            break
        assert time.monotonic() < deadline, f"samples not stored within {FLUSHED_WITHIN_S} s"
        await asyncio.sleep(0.5)  # the pause between polls, not a synchronisation
    [quality] = found
    assert quality["samples"]["bitrateSend"] == [500_000, 500_001, 500_002]
    assert quality["samples"]["packetLossSend"] == [0.0, 0.5, 1.0]
    assert quality["userAgent"].startswith("Python/")
    assert quality["userRole"] == "host"
    kinds = [event["type"] for event in quality["events"]]
    assert kinds == ["joined", "microphone_on", "camera_on", "camera_off", "camera_on"]


async def test_a_bad_sample_is_answered_and_changes_nothing(room: Room, pair: Pair) -> None:
    await send(pair.guest, "stats", packetLossSend=101, packetLossRecv=0, bitrateSend=1,
               bitrateRecv=1)  # fmt: skip
    error = await next_of(pair.guest, "error")
    assert error == {
        "type": "error",
        "code": "bad_field",
        "message": "packetLossSend must be a number from 0 to 100",
        "about": "stats",
    }
    await send(pair.guest, "stats", packetLossSend=0, packetLossRecv=0, bitrateSend="fast",
               bitrateRecv=1)  # fmt: skip
    error = await next_of(pair.guest, "error")
    assert error["message"] == "bitrateSend must be a number from 0 to 10000000000"
    await assert_chats(pair, "after bad samples")
