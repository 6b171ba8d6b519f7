"""Live streaming in `RoomService` on SQLite and PostgreSQL, over the real `LiveStreaming` (its
media replaced by one that notes what it is asked): only a host starts and stops it, the
`automatic` and `prompt` triggers, everyone (and every newcomer) is told, the room emptying stops
it, and webhooks see a `streamer` come and go."""

import ipaddress
import json
from typing import Any

import pytest

from helpers import Api
from salon.recording.streamer import LiveStreaming
from salon.rooms.recorder import RoomRecorder
from salon.rooms.service import RoomService
from salon.signaling import messages
from salon.webhooks.destinations import Address, DestinationPolicy
from services.room_harness import MeetingKeys, Rooms
from services.test_room_service_group_media import RecordingMedia

URL = "rtmp://live.example.com/app/key"
PUBLIC = ipaddress.ip_address("8.8.4.4")


class FakeStream:
    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[str, str | None] | None]] = []

    async def stream(self, room_name: str, target: tuple[str, str | None] | None) -> None:
        self.calls.append((room_name, target))


async def public(host: str) -> list[Address]:
    return [PUBLIC]


@pytest.fixture
def media() -> FakeStream:
    return FakeStream()


@pytest.fixture
def rooms(api: Api, media: FakeStream) -> Rooms:
    service = RoomService(
        api.app.state.services.meetings,
        RoomRecorder(api.database, api.app.state.services.orgs),
        api.clock,
        encode=messages.encode,
        group_media=RecordingMedia(),
        live_streaming=LiveStreaming(media, DestinationPolicy(), public),
    )
    return Rooms(api, service)


async def streamed(
    rooms: Rooms, trigger: str = "none", mode: str = "group", url: str = URL
) -> MeetingKeys:
    return await rooms.meeting(
        roomMode=mode, streaming={"destination": {"url": url}, "startTrigger": trigger}
    )


def offered(member: Any) -> bool:
    """What `joined` told the page: may its hosts go live (it shows them the Go live button)."""
    [joined] = member.client.of("joined")
    streaming: bool = joined["streaming"]
    return streaming


def statuses(member: Any) -> list[bool]:
    return [m["streaming"] for m in member.client.of("streaming-status")]


async def streamer_events(api: Api) -> list[tuple[str, dict[str, int]]]:
    found = await api.database.fetch_all("SELECT body FROM webhook_events ORDER BY created_ms")
    bodies = [json.loads(row["body"]) for row in found]
    return [
        (b["type"], b["data"]["numClientsByRoleName"])
        for b in bodies
        if b["data"].get("roleName") == "streamer"
    ]


async def test_only_a_host_starts_and_stops_it_and_everyone_is_told(
    api: Api, rooms: Rooms, media: FakeStream
) -> None:
    await api.app.state.services.webhooks.create(api.org_id, "https://hooks.example.com/x", None)
    meeting = await streamed(rooms)
    host = await rooms.join(meeting, meeting.host_key)
    guest = await rooms.join(meeting)
    assert offered(host)  # the page shows the button to hosts alone
    assert offered(guest)
    assert await rooms.send(guest, "start-streaming") == "not_allowed"
    assert await rooms.send(guest, "stop-streaming") == "not_allowed"
    assert media.calls == []
    assert statuses(host) == statuses(guest) == []
    assert host.client.of("streaming-prompt") == []

    assert await rooms.send(host, "start-streaming") is None
    assert await rooms.send(host, "start-streaming") is None  # already live: nothing new
    assert statuses(host) == statuses(guest) == [True]
    [(room, target)] = media.calls
    assert room == meeting.room
    assert target == ("rtmp://8.8.4.4:1935/app/key", "rtmp://live.example.com/app")
    late = await rooms.join(meeting)
    assert statuses(late) == [True]

    assert await rooms.send(guest, "stop-streaming") == "not_allowed"
    api.clock.advance(1000)
    assert await rooms.send(host, "stop-streaming") is None
    assert await rooms.send(host, "stop-streaming") is None  # not live: nothing
    assert statuses(host) == statuses(guest) == statuses(late) == [True, False]
    assert media.calls[-1] == (meeting.room, None)
    assert len(media.calls) == 2
    assert await streamer_events(api) == [
        ("room.client.joined", {"host": 1, "visitor": 1, "streamer": 1}),
        ("room.client.left", {"host": 1, "visitor": 2}),
    ]


async def test_the_automatic_trigger_starts_it_and_the_room_emptying_stops_it(
    rooms: Rooms, media: FakeStream
) -> None:
    meeting = await streamed(rooms, "automatic")
    first = await rooms.join(meeting)
    assert statuses(first) == [True]
    assert [target is not None for _, target in media.calls] == [True]
    second = await rooms.join(meeting)
    assert statuses(second) == [True]
    assert await rooms.send(first, "leave") is None
    assert len(media.calls) == 1
    assert await rooms.send(second, "leave") is None
    assert media.calls[-1] == (meeting.room, None)


async def test_the_prompt_trigger_asks_each_host_and_starts_nothing(
    rooms: Rooms, media: FakeStream
) -> None:
    meeting = await streamed(rooms, "prompt")
    guest = await rooms.join(meeting)
    host = await rooms.join(meeting, meeting.host_key)
    assert len(host.client.of("streaming-prompt")) == 1
    assert guest.client.of("streaming-prompt") == []
    assert media.calls == []
    assert await rooms.send(host, "start-streaming") is None
    assert statuses(guest) == [True]
    other = await rooms.join(meeting, meeting.host_key)
    assert other.client.of("streaming-prompt") == []  # already live: nothing to ask


async def test_it_is_refused_where_it_cannot_run(rooms: Rooms, media: FakeStream) -> None:
    plain = await rooms.meeting(roomMode="group")
    host = await rooms.join(plain, plain.host_key)
    assert not offered(host)
    assert await rooms.send(host, "start-streaming") == "not_allowed"
    normal = await streamed(rooms, mode="normal")
    host = await rooms.join(normal, normal.host_key)
    assert not offered(host)
    assert await rooms.send(host, "start-streaming") == "not_allowed"
    private = await streamed(rooms, url="rtmp://10.0.0.5/app/key")
    host = await rooms.join(private, private.host_key)
    assert await rooms.send(host, "start-streaming") == "not_allowed"
    assert statuses(host) == []
    assert media.calls == []
