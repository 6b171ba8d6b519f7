"""Live streaming of a group room to a real RTMP server (nginx with `libnginx-mod-rtmp`, which
records what it receives): two aiortc publishers in a meeting whose `streaming` trigger is
`automatic`; Janus forwards their streams, ffmpeg composes them live and pushes them; what nginx
recorded holds H.264 at 1280×720 and AAC for several seconds (ffprobe), and the stream ends when
the room empties."""

import json
import subprocess
import time
from pathlib import Path
from typing import Any

from e2e.salon_process import SalonServer
from sfu.bots import Bot
from sfu.rooms import GroupMeetings, children_named, create_group_meeting, wait_for
from sfu.rtmp_server import RtmpServer

STREAMED_WITHIN_S = 90.0
"""Janus forwarding, ffmpeg starting and its first key frame, on two cores shared by others."""
MIN_RECEIVED_S = 5.0
ENDED_WITHIN_S = 30.0


def probe(path: Path) -> dict[str, Any]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries",
         "stream=codec_type,codec_name,width,height:format=duration", "-of", "json", str(path)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    parsed: dict[str, Any] = json.loads(out.stdout or "{}")
    return parsed


def received_s(path: Path) -> float:
    if not path.exists() or path.stat().st_size == 0:
        return 0.0
    try:
        return float(probe(path).get("format", {}).get("duration", 0.0))
    except ValueError:
        return 0.0


async def test_a_group_room_streams_live_to_an_rtmp_server(
    meetings: GroupMeetings, salon: SalonServer, bots: list[Bot], tmp_path: Path
) -> None:
    with RtmpServer(tmp_path / "nginx") as rtmp:
        async with meetings.client() as api:
            made = await create_group_meeting(
                api,
                "live-",
                streaming={
                    "destination": {"url": rtmp.url("stream-key-1")},
                    "startTrigger": "automatic",
                },
            )
            room = made["roomName"]
        bots += [Bot(salon.base_url, room, f"Live {n}") for n in range(2)]
        for bot in bots:
            await bot.join()
        recorded = rtmp.recorded("stream-key-1")
        started = time.monotonic()
        await wait_for(
            lambda: received_s(recorded) >= MIN_RECEIVED_S,
            f"{MIN_RECEIVED_S} s of stream at nginx",
            within_s=STREAMED_WITHIN_S,
            detail=lambda: rtmp.log()[-2000:],
        )
        print(f"{MIN_RECEIVED_S} s received after {time.monotonic() - started:.1f} s")

        assert salon.process is not None
        salon_pid = salon.process.pid
        assert children_named(salon_pid, "ffmpeg"), "the live ffmpeg is Salon's"
        for bot in bots:  # the room empties: streaming stops
            await bot.send({"type": "leave"})
            await bot.close()
        await wait_for(
            lambda: not children_named(salon_pid, "ffmpeg"),
            "the live ffmpeg ends",
            within_s=ENDED_WITHIN_S,
        )

    found = probe(recorded)
    streams = {s["codec_type"]: s for s in found["streams"]}
    assert sorted(streams) == ["audio", "video"], found
    video = streams["video"]
    assert (video["codec_name"], video["width"], video["height"]) == ("h264", 1280, 720), found
    assert streams["audio"]["codec_name"] == "aac", found
    assert float(found["format"]["duration"]) >= MIN_RECEIVED_S, found
