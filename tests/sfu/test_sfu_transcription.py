"""A recorded group room transcribed end to end: two aiortc bots join a real Janus and each
speaks a known sentence (espeak-ng, in a voice of its own, over and over) into its microphone
track; a host records 12 s; after the composition, `POST /v1/transcriptions` runs the job over
the tracks Janus wrote (janus-pp-rec's conversions, `feeds.json`, the room history's display
names), and the Markdown transcript names each speaker beside their sentence's words."""

import asyncio
import fractions
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import numpy
from aiortc import MediaStreamTrack
from av import AudioFrame

from e2e.salon_process import SalonServer
from sfu.bots import AUDIO_RATE, AUDIO_SAMPLES, Bot, MovingPicture
from sfu.rooms import GroupMeetings, create_group_meeting, wait_for

RECORD_FOR_S = 12.0
"""What is recorded: each sentence three or four times (the content, not a wait)."""
DONE_WITHIN_S = 300.0
"""Converting, composing and transcribing on two cores shared by several test runs."""
PAUSE_S = 1.2


def speech_samples(voice: str, sentence: str, folder: Path) -> numpy.ndarray:
    """The sentence read by espeak-ng, then a pause: 48 kHz mono 16-bit samples."""
    wav = folder / f"{voice}.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", "130", "-w", str(wav), sentence], check=True)
    raw = subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-i", str(wav), "-ac", "1", "-ar", str(AUDIO_RATE),
         "-f", "s16le", "-"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    said = numpy.frombuffer(raw, dtype=numpy.int16)
    return numpy.concatenate([said, numpy.zeros(int(PAUSE_S * AUDIO_RATE), dtype=numpy.int16)])


class Speech(MediaStreamTrack):
    """A microphone that says the same sentence again and again, in real time."""

    kind = "audio"

    def __init__(self, samples: numpy.ndarray) -> None:
        super().__init__()
        whole = -(-len(samples) // AUDIO_SAMPLES) * AUDIO_SAMPLES
        self._samples = numpy.pad(samples, (0, whole - len(samples)))
        self._count = 0
        self._start = 0.0

    async def recv(self) -> AudioFrame:
        if self._count == 0:
            self._start = time.monotonic()
        due = self._start + self._count * AUDIO_SAMPLES / AUDIO_RATE
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        at = self._count * AUDIO_SAMPLES % len(self._samples)
        chunk = self._samples[at : at + AUDIO_SAMPLES]
        frame = AudioFrame.from_ndarray(chunk.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = AUDIO_RATE
        frame.pts = self._count * AUDIO_SAMPLES
        frame.time_base = fractions.Fraction(1, AUDIO_RATE)
        self._count += 1
        return frame


class Speaker(Bot):
    """A bot whose microphone speaks `samples` (and whose camera shows the moving picture)."""

    samples: numpy.ndarray | None = None

    async def _publish(self) -> None:
        if self._publisher is not None:
            await self._publisher.close()
        pc = self._publisher = self._new_pc()
        assert self.samples is not None
        pc.addTrack(Speech(self.samples))
        pc.addTrack(MovingPicture(self.video_size))
        await pc.setLocalDescription(await pc.createOffer())
        await self._send(
            {
                "type": "sfu-publish",
                "description": {"type": "offer", "sdp": pc.localDescription.sdp},
                "restart": True,
            }
        )


def frames_of(bot: Bot, kind: str) -> list[dict[str, Any]]:
    return [frame for frame in bot.frames if frame["type"] == kind]


async def until(client: httpx.AsyncClient, path: str, ready: Any) -> Any:
    deadline = time.monotonic() + DONE_WITHIN_S
    while True:
        response = await client.get(path)
        assert response.status_code == 200, response.text
        found = ready(response.json())
        if found:
            return found
        assert time.monotonic() < deadline, f"{path} not done within {DONE_WITHIN_S} s"
        await asyncio.sleep(0.5)


async def test_a_recorded_room_is_transcribed_with_each_speakers_name_and_words(
    meetings: GroupMeetings, salon: SalonServer, tmp_path: Path
) -> None:
    async with meetings.client() as api:
        meeting = await create_group_meeting(
            api,
            "talk-",
            fields=["hostRoomUrl"],
            recording={
                "type": "cloud",
                "destination": {"provider": "whereby"},
                "startTrigger": "none",
            },
        )
        host_key = meeting["hostRoomUrl"].split("roomKey=")[1]
        ada = Speaker(salon.base_url, meeting["roomName"], "Ada Lovelace", room_key=host_key)
        ada.samples = speech_samples(
            "en-us+f2", "The lighthouse project was approved on Tuesday.", tmp_path
        )
        bruno = Speaker(salon.base_url, meeting["roomName"], "Bruno")
        bruno.samples = speech_samples(
            "en-us+klatt4", "Please send the invoice to the accounting department.", tmp_path
        )
        try:
            await asyncio.gather(ada.join(), bruno.join())
            await wait_for(
                lambda: all(b.id and b.received[o.pid].audio_frames > 25
                            for b, o in ((ada, bruno), (bruno, ada)) if b.id and o.id),
                "each bot hears the other",
                within_s=60,
                detail=lambda: (ada.received, bruno.received),
            )  # fmt: skip
            await ada.send({"type": "start-recording"})
            await wait_for(
                lambda: any(f["recording"] for f in frames_of(bruno, "recording-status")),
                "the recording starts",
                within_s=30,
            )
            await asyncio.sleep(RECORD_FOR_S)  # what is recorded: both voices
            await ada.send({"type": "stop-recording"})
            await wait_for(
                lambda: len(frames_of(bruno, "recording-status")) >= 2, "the recording stops"
            )
        finally:
            await asyncio.gather(ada.close(), bruno.close())

        recording = await until(
            api,
            f"/v1/recordings?roomName={meeting['roomName']}",
            lambda page: page["results"][0] if page["results"] else None,
        )
        created = await api.post(
            "/v1/transcriptions", json={"recordingId": recording["recordingId"]}
        )
        assert created.status_code == 201, created.text
        transcription_id = created.json()["transcriptionId"]
        done = await until(
            api,
            f"/v1/transcriptions/{transcription_id}",
            lambda found: found if found["state"] != "in_progress" else None,
        )
        assert done["state"] == "ready", done
        assert done["filename"] == f"{meeting['roomName'].lstrip('/')}-{recording['startDate']}.md"
        assert RECORD_FOR_S - 3 < done["durationInSeconds"] < RECORD_FOR_S + 3, done
        link = await api.get(f"/v1/transcriptions/{transcription_id}/access-link")
        async with httpx.AsyncClient(timeout=30) as anyone:
            text = (await anyone.get(link.json()["accessLink"])).text
    said: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("**["):
            speaker, _, words = line.split("] ", 1)[1].partition(":** ")
            said[speaker] = f"{said.get(speaker, '')} {words}"
    assert sorted(said) == ["Ada Lovelace", "Bruno"], text
    for word in ("approved", "tuesday"):
        assert word in said["Ada Lovelace"], text
    for word in ("send", "invoice"):  # "accounting department" suffers from Opus at 130 wpm
        assert word in said["Bruno"], text
