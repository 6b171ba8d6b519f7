"""Cloud recording in `RoomService` on SQLite and PostgreSQL, over a recording `GroupMedia` and
the real `RecordingService` (its SFU replaced by one that notes what it is asked): only a host
starts and stops it, the start trigger starts it, everyone (and every newcomer) is told, the room
emptying stops it and queues its composition, and webhooks see a `recorder` come and go."""

import json
from pathlib import Path
from typing import Any

import pytest

from helpers import Api
from salon.recording.service import RecordingService
from salon.rooms.errors import Refused
from salon.rooms.recorder import RoomRecorder
from salon.rooms.service import RoomService
from salon.signaling import messages
from services.room_harness import MeetingKeys, Rooms, command
from services.test_recording_jobs import FakeMedia
from services.test_room_service_group_media import RecordingMedia

CLOUD = {"type": "cloud", "destination": {"provider": "whereby"}, "startTrigger": "none"}


@pytest.fixture
def sfu() -> FakeMedia:
    return FakeMedia()


@pytest.fixture
def media() -> RecordingMedia:
    return RecordingMedia()


@pytest.fixture
def rooms(api: Api, sfu: FakeMedia, media: RecordingMedia, tmp_path: Path) -> Rooms:
    recordings = RecordingService(
        api.database, api.clock, sfu, tmp_path, b"k" * 32, "https://x.test", lambda: None
    )
    service = RoomService(
        api.app.state.services.meetings,
        RoomRecorder(api.database, api.app.state.services.orgs),
        api.clock,
        encode=messages.encode,
        group_media=media,
        cloud_recording=recordings,
    )
    return Rooms(api, service)


async def recorded(rooms: Rooms, trigger: str = "none", mode: str = "group") -> MeetingKeys:
    return await rooms.meeting(roomMode=mode, recording={**CLOUD, "startTrigger": trigger})


def statuses(member: Any) -> list[bool]:
    return [m["recording"] for m in member.client.of("recording-status")]


async def recorder_events(api: Api) -> list[tuple[str, dict[str, int]]]:
    found = await api.database.fetch_all("SELECT body FROM webhook_events ORDER BY created_ms")
    bodies = [json.loads(row["body"]) for row in found]
    return [
        (b["type"], b["data"]["numClientsByRoleName"])
        for b in bodies
        if b["data"].get("roleName") == "recorder"
    ]


async def test_only_a_host_starts_and_stops_it_and_everyone_is_told(
    api: Api, rooms: Rooms, sfu: FakeMedia
) -> None:
    await api.app.state.services.webhooks.create(api.org_id, "https://hooks.example.com/x", None)
    meeting = await recorded(rooms)
    host = await rooms.join(meeting, meeting.host_key)
    guest = await rooms.join(meeting)
    assert await rooms.send(guest, "start-recording") == "not_allowed"
    assert await rooms.send(guest, "stop-recording") == "not_allowed"
    assert sfu.calls == []
    assert statuses(host) == statuses(guest) == []

    assert await rooms.send(host, "start-recording") is None
    assert await rooms.send(host, "start-recording") is None  # already recording: nothing new
    assert statuses(host) == statuses(guest) == [True]
    [(room, folder)] = sfu.calls
    assert room == meeting.room
    assert folder is not None
    assert folder.name == "tracks"
    late = await rooms.join(meeting)
    assert statuses(late) == [True]

    assert await rooms.send(guest, "stop-recording") == "not_allowed"
    api.clock.advance(1000)
    assert await rooms.send(host, "stop-recording") is None
    assert statuses(host) == statuses(guest) == statuses(late) == [True, False]
    assert sfu.calls[-1] == (meeting.room, None)
    [recording] = await api.database.fetch_all("SELECT id, status FROM recordings")
    assert recording["status"] == "processing"
    [job] = await api.database.fetch_all("SELECT kind, payload, status FROM jobs")
    assert (job["kind"], json.loads(job["payload"]), job["status"]) == (
        "recording.compose",
        {"recordingId": recording["id"]},
        "pending",
    )
    assert await recorder_events(api) == [
        ("room.client.joined", {"host": 1, "visitor": 1, "recorder": 1}),
        ("room.client.left", {"host": 1, "visitor": 2}),
    ]


async def test_the_second_participant_starts_it_and_the_room_emptying_stops_it(
    api: Api, rooms: Rooms, sfu: FakeMedia
) -> None:
    meeting = await recorded(rooms, "automatic-2nd-participant")
    first = await rooms.join(meeting)
    assert sfu.calls == []
    second = await rooms.join(meeting)
    assert statuses(first) == statuses(second) == [True]
    assert await rooms.send(first, "leave") is None
    assert len(sfu.calls) == 1
    assert await rooms.send(second, "leave") is None
    assert sfu.calls[-1] == (meeting.room, None)
    [recording] = await api.database.fetch_all("SELECT status FROM recordings")
    assert recording["status"] == "processing"


async def test_the_automatic_trigger_starts_it_with_the_first_participant(
    rooms: Rooms, sfu: FakeMedia
) -> None:
    meeting = await recorded(rooms, "automatic")
    first = await rooms.join(meeting)
    assert statuses(first) == [True]
    assert len(sfu.calls) == 1


async def test_the_prompt_trigger_asks_a_host_and_only_a_host(rooms: Rooms) -> None:
    meeting = await recorded(rooms, "prompt")
    guest = await rooms.join(meeting)
    host = await rooms.join(meeting, meeting.host_key)
    assert guest.client.of("recording-prompt") == []
    assert host.client.of("recording-prompt") == [{"type": "recording-prompt"}]


async def test_a_normal_room_recorded_in_the_cloud_goes_through_the_sfu_with_its_cap(
    rooms: Rooms, sfu: FakeMedia, media: RecordingMedia
) -> None:
    meeting = await recorded(rooms, mode="normal")
    host = await rooms.join(meeting, meeting.host_key)
    guests = [await rooms.join(meeting) for _ in range(3)]
    for member in (host, *guests):
        [joined] = member.client.of("joined")
        assert (joined["media"], joined["recording"]) == ("sfu", "cloud")
    assert [call[0] for call in media.calls] == ["enter"] * 4
    refused, _ = await rooms.refused_join(meeting)
    assert refused.message == "the room is full"
    assert await rooms.send(host, "start-recording") is None
    assert statuses(host) == [True]
    assert [room for room, _ in sfu.calls] == [meeting.room]


async def test_a_normal_room_recorded_locally_stays_peer_to_peer(
    rooms: Rooms, media: RecordingMedia
) -> None:
    meeting = await rooms.meeting(roomMode="normal", recording={**CLOUD, "type": "local"})
    member = await rooms.join(meeting)
    [joined] = member.client.of("joined")
    assert (joined["media"], joined["recording"]) == ("mesh", "local")
    assert media.calls == []


async def test_a_server_that_cannot_record_keeps_a_cloud_meeting_peer_to_peer(api: Api) -> None:
    rooms = Rooms.with_graces(api)  # no group media, no cloud recording
    meeting = await recorded(rooms, mode="normal")
    host = await rooms.join(meeting, meeting.host_key)
    [joined] = host.client.of("joined")
    assert (joined["media"], joined["recording"]) == ("mesh", "none")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"roomMode": "group"}, "this meeting is not set up for cloud recording"),
        (
            {"roomMode": "group", "recording": {**CLOUD, "type": "local"}},
            "this meeting is not set up for cloud recording",
        ),
    ],
)
async def test_a_room_that_does_not_record_in_the_cloud_refuses_a_host(
    api: Api, rooms: Rooms, sfu: FakeMedia, body: dict[str, Any], message: str
) -> None:
    meeting = await rooms.meeting(**body)
    host = await rooms.join(meeting, meeting.host_key)
    with pytest.raises(Refused) as refused:
        await rooms.service.handle(host.seat, command({"type": "start-recording"}))
    assert (refused.value.code.value, refused.value.message) == ("not_allowed", message)
    assert sfu.calls == []
    assert await api.database.fetch_all("SELECT id FROM recordings") == []
