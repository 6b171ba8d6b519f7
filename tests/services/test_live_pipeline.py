"""The live pipeline's program: started again when it ends on its own (an RTMP server that
closed the connection), and ended, for good, when streaming stops. A stand-in script plays
ffmpeg; it is given the SDP files of the feeds and the RTMP URL, as ffmpeg is."""

import asyncio
import os
import time
from collections.abc import Callable
from pathlib import Path

from salon.recording.live import ForwardedFeed, ForwardedStream, LivePipeline

FEED = ForwardedFeed(5, (ForwardedStream("audio", "opus", 20000),))
WITHIN_S = 20.0


def stand_in(tmp_path: Path, body: str) -> str:
    script = tmp_path / "ffmpeg"
    script.write_text(f"#!/bin/sh\necho $$ >> {tmp_path}/runs\n{body}\n")
    script.chmod(0o755)
    return str(script)


def runs(tmp_path: Path) -> list[int]:
    path = tmp_path / "runs"
    return [int(line) for line in path.read_text().split()] if path.exists() else []


async def until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WITHIN_S
    while not condition():
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.02)


async def test_a_program_that_ends_is_started_again_until_streaming_stops(tmp_path: Path) -> None:
    program = stand_in(tmp_path, "echo 'Connection refused' >&2; exit 1")
    pipeline = LivePipeline("rtmp://127.0.0.1:1/live/k", None, program, retry_after_s=0.05)
    await pipeline.start([FEED])
    await until(lambda: len(runs(tmp_path)) >= 3, "three runs")
    await pipeline.stop()  # it waits for the retrying to end: no run comes after it
    assert not pipeline.running
    assert len(runs(tmp_path)) == pipeline.runs


async def test_stopping_ends_the_running_program_and_nothing_starts_for_no_feeds(
    tmp_path: Path,
) -> None:
    program = stand_in(
        tmp_path, 'for a in "$@"; do echo "$a"; done > "$(dirname "$0")/args"; exec sleep 60'
    )
    pipeline = LivePipeline("rtmp://10.1.2.3:1935/live/k", "rtmp://host/live", program)
    await pipeline.start([FEED])
    await until(lambda: pipeline.running and (tmp_path / "args").exists(), "the program runs")
    args = (tmp_path / "args").read_text().split("\n")
    assert args[-3:-1] == ["flv", "rtmp://10.1.2.3:1935/live/k"]
    assert args[args.index("-rtmp_tcurl") + 1] == "rtmp://host/live"
    (pid,) = runs(tmp_path)
    await pipeline.stop()
    assert not pipeline.running
    await until(lambda: not os.path.exists(f"/proc/{pid}") or zombie(pid), "the program ends")
    await pipeline.start([])
    assert not pipeline.running
    assert runs(tmp_path) == [pid]


def zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True
