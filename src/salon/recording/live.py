"""The live composition of a streamed room: ffmpeg receives each publisher's forwarded RTP
(one SDP per publisher, audio and video on ports of their own, on 127.0.0.1), draws the same
grid as a recording (`layout.py`) and pushes H.264 + AAC in FLV to the RTMP server.

Packets are stamped with the time they arrive (there are no RTCP reports to align them by), so
each publisher's sound and picture stay as they arrived. When the set of publishers changes, the
pipeline starts again with the new set (the RTMP server sees the stream end and start again:
ffmpeg's inputs are fixed when it starts). It runs at normal priority: it is live. When ffmpeg
ends on its own (the RTMP server closed the connection, or could not be reached), it is started
again after `RETRY_AFTER_S`, doubled at each failure in a row up to `RETRY_MAX_S`.
"""

import asyncio
import contextlib
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

from salon.children import niced_child, stop_child
from salon.recording.layout import HEIGHT, WIDTH, VideoSpan, layout

log = logging.getLogger(__name__)

FRAME_RATE = 30
STOP_WITHIN_S = 5.0
RETRY_AFTER_S = 2.0
RETRY_MAX_S = 60.0
STEADY_S = 30.0
"""A run at least this long resets the delay before the next retry."""
PAYLOAD_TYPES = {"video": 96, "audio": 111}
RTP_MAPS = {
    "vp8": "VP8/90000",
    "vp9": "VP9/90000",
    "h264": "H264/90000",
    "av1": "AV1/90000",
    "opus": "opus/48000/2",
}
ENCODING = [
    "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-pix_fmt", "yuv420p",
    "-r", str(FRAME_RATE), "-g", str(2 * FRAME_RATE), "-b:v", "2500k", "-maxrate", "2500k",
    "-bufsize", "5000k", "-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-ac", "2",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class ForwardedStream:
    kind: str
    """`audio` or `video`."""
    codec: str
    port: int


@dataclass(frozen=True, slots=True)
class ForwardedFeed:
    feed_id: int
    streams: tuple[ForwardedStream, ...]
    participant_id: str = ""
    """Whose feed it is (live captions name the speaker)."""

    def sdp(self) -> str:
        """The session description ffmpeg reads this publisher's forwarded RTP from."""
        lines = ["v=0", "o=- 0 0 IN IP4 127.0.0.1", f"s=feed {self.feed_id}",
                 "c=IN IP4 127.0.0.1", "t=0 0"]  # fmt: skip
        for stream in self.streams:
            pt = PAYLOAD_TYPES[stream.kind]
            lines += [f"m={stream.kind} {stream.port} RTP/AVP {pt}",
                      f"a=rtpmap:{pt} {RTP_MAPS[stream.codec]}"]  # fmt: skip
        return "\r\n".join(lines) + "\r\n"


def live_graph(feeds: list[ForwardedFeed]) -> str:
    """The grid of every forwarded video as `[v]` and the mix of every sound as `[a]`, for
    inputs numbered as `feeds`. Videos that start late are drawn from when they come."""
    videos = [n for n, feed in enumerate(feeds) if any(s.kind == "video" for s in feed.streams)]
    sounds = [n for n, feed in enumerate(feeds) if any(s.kind == "audio" for s in feed.streams)]
    placements = layout([VideoSpan(n, 0.0, 1e9) for n in videos])
    chains = [f"color=c=black:s={WIDTH}x{HEIGHT}:r={FRAME_RATE},format=yuv420p[base0]"]
    for number, p in enumerate(placements):
        chains.append(
            f"[{p.track}:v]scale={p.width}:{p.height}:force_original_aspect_ratio=decrease,"
            f"setsar=1[cell{number}]"
        )
        chains.append(
            f"[base{number}][cell{number}]overlay=x='{p.x}+({p.width}-overlay_w)/2'"
            f":y='{p.y}+({p.height}-overlay_h)/2':eof_action=pass[base{number + 1}]"
        )
    chains.append(f"[base{len(placements)}]null[v]")
    if sounds:
        mixed = "".join(f"[{n}:a]" for n in sounds)
        chains.append(f"{mixed}amix=inputs={len(sounds)}:duration=longest:normalize=0[a]")
    else:
        chains.append("anullsrc=r=48000:cl=stereo[a]")
    return ";".join(chains)


def live_command(
    feeds: list[ForwardedFeed],
    sdp_paths: list[Path],
    url: str,
    tc_url: str | None,
    program: str = "ffmpeg",
) -> list[str]:
    argv = [program, "-nostdin", "-hide_banner", "-loglevel", "error"]
    for path in sdp_paths:
        argv += ["-protocol_whitelist", "file,udp,rtp", "-use_wallclock_as_timestamps", "1",
                 "-reorder_queue_size", "64", "-i", str(path)]  # fmt: skip
    argv += ["-filter_complex", live_graph(feeds), "-map", "[v]", "-map", "[a]", *ENCODING]
    if tc_url is not None:
        argv += ["-rtmp_tcurl", tc_url]
    return [*argv, "-f", "flv", url]


class LivePipeline:
    """One ffmpeg pushing a room's forwarded feeds to an RTMP URL, started again if it ends."""

    def __init__(
        self,
        url: str,
        tc_url: str | None,
        program: str = "ffmpeg",
        retry_after_s: float = RETRY_AFTER_S,
    ) -> None:
        self._url = url
        self._tc_url = tc_url
        self._program = program
        self._retry_after_s = retry_after_s
        self._process: asyncio.subprocess.Process | None = None
        self._watcher: asyncio.Task[None] | None = None
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._spawning = asyncio.Lock()
        self._generation = 0
        """Raised by every start and stop: a spawn asked for by an earlier one does not happen."""
        self.runs = 0
        """How many times ffmpeg was started (for the tests)."""

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

    async def start(self, feeds: list[ForwardedFeed]) -> None:
        await self.stop()
        if feeds:
            self._watcher = asyncio.create_task(self._keep_running(feeds, self._generation))

    async def _keep_running(self, feeds: list[ForwardedFeed], generation: int) -> None:
        delay = self._retry_after_s
        while True:
            started = asyncio.get_running_loop().time()
            # shielded: a process being started when streaming stops is tracked, then ended
            process = await asyncio.shield(self._spawn(feeds, generation))
            if process is None:
                return
            errors = await process.stderr.read() if process.stderr is not None else b""
            await process.wait()
            tail = errors.decode(errors="replace").strip()[-2000:]
            if asyncio.get_running_loop().time() - started >= STEADY_S:
                delay = self._retry_after_s
            log.warning(
                "streaming: ffmpeg ended (%s), again in %.0f s: %s", process.returncode, delay, tail
            )
            await asyncio.sleep(delay)
            delay = min(RETRY_MAX_S, delay * 2)

    async def _spawn(
        self, feeds: list[ForwardedFeed], generation: int
    ) -> asyncio.subprocess.Process | None:
        async with self._spawning:
            if generation != self._generation:
                return None
            return await self._spawn_now(feeds)

    async def _spawn_now(self, feeds: list[ForwardedFeed]) -> asyncio.subprocess.Process:
        self._cleanup()
        self._folder = tempfile.TemporaryDirectory(prefix="salon-live-")
        paths = []
        for feed in feeds:
            path = Path(self._folder.name) / f"feed-{feed.feed_id}.sdp"
            path.write_text(feed.sdp())
            paths.append(path)
        argv = live_command(feeds, paths, self._url, self._tc_url, self._program)
        self._process = await asyncio.create_subprocess_exec(
            *niced_child(argv, 0),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        self.runs += 1
        log.info("streaming: ffmpeg %d pushes %d feeds", self._process.pid, len(feeds))
        return self._process

    async def stop(self) -> None:
        self._generation += 1
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        async with self._spawning:  # a start under way finishes first, and is ended here
            process, self._process = self._process, None
            if process is not None:
                await stop_child(process, STOP_WITHIN_S)
            self._cleanup()

    def _cleanup(self) -> None:
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None
