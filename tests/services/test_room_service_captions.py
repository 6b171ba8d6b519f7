"""Live transcription in `RoomService` on SQLite and PostgreSQL, over the real `LiveTranscriber`
(its media replaced by one that keeps the caption pipeline it is given, and speaks for the
speakers through it): only a host starts and stops it, the `automatic-2nd-participant` trigger,
everyone is told and sent the captions (an interim one only when its words change), a `normal`
meeting's media goes through the SFU, and the session's final captions become a ready
`LIVE_TRANSCRIPTION` transcript with its webhooks, also when the room empties."""

import json
from pathlib import Path
from typing import Any

import pytest

from helpers import Api
from salon.rooms.recorder import RoomRecorder
from salon.rooms.service import RoomService
from salon.signaling import messages
from salon.transcription.captions import Heard
from salon.transcription.live import CaptionPipeline
from salon.transcription.live_service import LiveTranscriber
from services.room_harness import MeetingKeys, Member, Rooms
from services.test_room_service_group_media import RecordingMedia


class FakeCaptionMedia:
    def __init__(self) -> None:
        self.sinks: dict[str, CaptionPipeline | None] = {}

    async def caption(self, room_name: str, sink: CaptionPipeline | None) -> None:
        self.sinks[room_name] = sink

    def say(self, room_name: str, who: Member, text: str, final: bool, at_s: float = 1.0) -> None:
        sink = self.sinks[room_name]
        assert sink is not None, "live transcription is not on"
        sink.on_heard(who.id, Heard(text, final, at_s, at_s + 1.5), 1_000_000)


class SilentEngine:
    name = "silent"
    languages: tuple[str, ...] = ("en",)

    def transcribe(self, pcm: bytes, vocabulary: Any = ()) -> list[Any]:
        return []


@pytest.fixture
def media() -> FakeCaptionMedia:
    return FakeCaptionMedia()


@pytest.fixture
def rooms(api: Api, media: FakeCaptionMedia) -> Rooms:
    services = api.app.state.services
    service = RoomService(
        services.meetings,
        RoomRecorder(api.database, services.orgs),
        api.clock,
        encode=messages.encode,
        group_media=RecordingMedia(),
        live_captioning=LiveTranscriber(media, SilentEngine(), services.transcriptions, api.clock),
    )
    return Rooms(api, service)


async def transcribed(rooms: Rooms, trigger: str = "manual", mode: str = "group") -> MeetingKeys:
    return await rooms.meeting(
        roomMode=mode, liveTranscription={"startTrigger": trigger, "language": "en"}
    )


def statuses(member: Member) -> list[bool]:
    return [m["transcribing"] for m in member.client.of("transcription-status")]


async def webhook_types(api: Api) -> list[str]:
    found = await api.database.fetch_all("SELECT body FROM webhook_events ORDER BY created_ms")
    return [
        json.loads(row["body"])["type"]
        for row in found
        if json.loads(row["body"])["type"].startswith("transcription.")
    ]


async def kept_transcript(
    api: Api, rooms: Rooms, meeting: MeetingKeys
) -> tuple[dict[str, Any], str]:
    listed = await api.client.get(f"/v1/transcriptions?roomName={meeting.room}", headers=api.auth)
    assert listed.status_code == 200, listed.text
    (found,) = listed.json()["results"]
    row = await api.app.state.services.transcriptions.get(api.org_id, found["transcriptionId"])
    assert row.location is not None
    data_dir = Path(api.app.state.services.settings.data_dir)
    return found, (data_dir / row.location).read_text()


async def test_a_host_starts_everyone_gets_captions_and_the_transcript_is_kept(
    api: Api, rooms: Rooms, media: FakeCaptionMedia
) -> None:
    await api.app.state.services.webhooks.create(api.org_id, "https://hooks.example.com/x", None)
    meeting = await transcribed(rooms, mode="normal")
    host = await rooms.join(meeting, meeting.host_key, displayName="Hana")
    ada = await rooms.join(meeting, displayName="Ada Lovelace")
    joined = host.client.of("joined")[0]
    assert (joined["media"], joined["liveTranscription"]) == ("sfu", True)

    assert await rooms.send(ada, "start-live-transcription") == "not_allowed"
    assert statuses(host) == []
    assert meeting.room not in media.sinks
    assert await rooms.send(host, "start-live-transcription") is None
    assert statuses(host) == statuses(ada) == [True]

    for text, final in (("the", False), ("the", False), ("the lighthouse", False),
                        ("the lighthouse was approved", True)):  # fmt: skip
        media.say(meeting.room, ada, text, final)
    captions = [(c["displayName"], c["text"], c["final"]) for c in host.client.of("caption")]
    assert captions == [
        ("Ada Lovelace", "the", False),
        ("Ada Lovelace", "the lighthouse", False),
        ("Ada Lovelace", "the lighthouse was approved", True),
    ]
    assert len(ada.client.of("caption")) == 3
    assert host.client.of("caption")[0]["startedAt"] == 1_001_000

    assert await rooms.send(ada, "stop-live-transcription") == "not_allowed"
    assert await rooms.send(host, "stop-live-transcription") is None
    assert statuses(ada) == [True, False]
    assert media.sinks[meeting.room] is None
    found, text = await kept_transcript(api, rooms, meeting)
    assert (found["type"], found["state"]) == ("LIVE_TRANSCRIPTION", "ready")
    assert "**[00:00:0" in text, text
    assert "Ada Lovelace:** the lighthouse was approved" in text, text
    assert await webhook_types(api) == ["transcription.started", "transcription.finished"]


async def test_the_second_participant_starts_it_and_the_room_emptying_stops_it(
    api: Api, rooms: Rooms, media: FakeCaptionMedia
) -> None:
    meeting = await transcribed(rooms, trigger="automatic-2nd-participant")
    ada = await rooms.join(meeting, displayName="Ada")
    assert statuses(ada) == []
    bruno = await rooms.join(meeting, displayName="Bruno")
    assert statuses(ada) == [True]
    assert statuses(bruno) == [True]
    media.say(meeting.room, bruno, "please send the invoice", True)
    await rooms.send(ada, "leave")
    await rooms.send(bruno, "leave")
    found, text = await kept_transcript(api, rooms, meeting)
    assert found["state"] == "ready", found
    assert "Bruno:** please send the invoice" in text, text


async def test_a_meeting_without_live_transcription_refuses_a_hosts_start(
    api: Api, rooms: Rooms
) -> None:
    meeting = await rooms.meeting(roomMode="normal")
    host = await rooms.join(meeting, meeting.host_key)
    assert host.client.of("joined")[0]["media"] == "mesh"
    assert await rooms.send(host, "start-live-transcription") == "not_allowed"
