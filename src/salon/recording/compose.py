"""Composing a recording: each `.mjr` track Janus wrote is converted with `janus-pp-rec` (all at
once: they only copy packets), placed on the timeline by `mjr.track_timing` (the server time of
its first RTP timestamp, read from the packets' arrival times), and ffmpeg draws one 1280×720
H.264 + AAC file from them all. Every program runs under `nice`.

What the encoders are asked for, and why (docs/architecture.md, "Cloud recording"): the frame
rate of the fastest camera (at most 30: repeating frames costs the grid and the encoder and shows
nothing), x264's `superfast` preset at CRF 23, and the audio mixed to mono AAC at 96 kb/s
(WebRTC microphones send mono Opus).
"""

import asyncio
import json
import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path

from salon.jobs.model import JobFailed
from salon.jobs.subprocess import run_niced
from salon.recording.layout import VideoSpan, filter_graph, layout
from salon.recording.mjr import TrackTiming, read_header, timing_of
from salon.recording.model import FEEDS_FILE

log = logging.getLogger(__name__)

CONVERT_TIMEOUT_S = 3600.0
COMPOSE_TIMEOUT_S = 6 * 3600.0
DEFAULT_FRAME_RATE = 30
CONVERSIONS_AT_ONCE = 4
VIDEO_ENCODING = ["-c:v", "libx264", "-preset", "superfast", "-crf", "23", "-pix_fmt", "yuv420p"]
AUDIO_ENCODING = ["-c:a", "aac", "-b:a", "96k", "-ac", "1", "-ar", "48000"]
_NAME = re.compile(r"-user-(?P<feed>\d+)-.*-(?P<kind>audio|video|data)-(?P<mid>\d+)\.mjr$")
_EXTENSIONS = {"vp8": "webm", "vp9": "webm", "h264": "mp4", "av1": "webm", "opus": "opus"}


@dataclass(frozen=True, slots=True)
class Track:
    path: Path
    kind: str
    codec: str
    feed: str
    mid: str
    timing: TrackTiming


def _find_tracks(raw_dir: Path) -> list[Track]:
    tracks = []
    for path in sorted(raw_dir.glob("*.mjr")):
        named = _NAME.search(path.name)
        header = read_header(path)
        if named is None or header is None or named["kind"] == "data":
            continue
        codec = header.get("c")
        timing = timing_of(path, header)
        if not isinstance(codec, str) or timing is None:
            continue
        tracks.append(Track(path, named["kind"], codec, named["feed"], named["mid"], timing))
    return tracks


async def find_tracks(raw_dir: Path) -> list[Track]:
    """The tracks with at least one packet (their files read in a thread: they can be large)."""
    return await asyncio.to_thread(_find_tracks, raw_dir)


def screen_mids(raw_dir: Path) -> dict[str, list[str]]:
    try:
        feeds = json.loads((raw_dir / FEEDS_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return {feed: list(info.get("screenMids", [])) for feed, info in feeds.items()}


async def convert(track: Track, into: Path) -> Path:
    extension = _EXTENSIONS.get(track.codec)
    if extension is None:
        raise JobFailed(f"{track.path.name}: codec {track.codec} cannot be composed")
    target = into / f"{track.path.stem}.{extension}"
    if not target.exists():  # a retry keeps what the first attempt converted
        partial = into / f"{track.path.stem}.partial.{extension}"
        await run_niced(
            ["janus-pp-rec", str(track.path), str(partial)], timeout_s=CONVERT_TIMEOUT_S
        )
        partial.rename(target)
    return target


def frame_rate(tracks: list[Track]) -> int:
    """The composite's frame rate: the fastest camera's, at most 30."""
    rates = [t.timing.frame_rate for t in tracks if t.kind == "video" and t.timing.frame_rate]
    return min(DEFAULT_FRAME_RATE, math.ceil(max(rates) - 0.5)) if rates else DEFAULT_FRAME_RATE


async def compose(raw_dir: Path, tracks_dir: Path, target: Path, file_format: str) -> float:
    """Write the composed file to `target`; its duration in seconds."""
    tracks = await find_tracks(raw_dir)
    if not tracks:
        raise JobFailed("nothing was recorded: no track has a packet")
    tracks_dir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - one small folder
    start_us = min(track.timing.start_us for track in tracks)
    screens = screen_mids(raw_dir)
    slots = asyncio.Semaphore(CONVERSIONS_AT_ONCE)

    async def converted(track: Track) -> Path:
        async with slots:
            return await convert(track, tracks_dir)

    inputs = await asyncio.gather(*(converted(track) for track in tracks))
    spans: list[VideoSpan] = []
    video_offsets: dict[int, float] = {}
    audio_offsets: dict[int, float] = {}
    duration = 0.1
    for index, track in enumerate(tracks):
        offset = (track.timing.start_us - start_us) / 1e6
        duration = max(duration, offset + track.timing.length_s)
        if track.kind == "video":
            video_offsets[index] = offset
            screen = track.mid in screens.get(track.feed, [])
            spans.append(VideoSpan(index, offset, offset + track.timing.length_s, screen))
        else:
            audio_offsets[index] = offset
    rate = frame_rate(tracks)
    if video_offsets:  # the picture's frames fall on the first camera's: it is shown exactly
        phase = (-min(video_offsets.values())) % (1 / rate)
        video_offsets = {index: offset + phase for index, offset in video_offsets.items()}
        audio_offsets = {index: offset + phase for index, offset in audio_offsets.items()}
        spans = [VideoSpan(s.track, s.start_s + phase, s.end_s + phase, s.screen) for s in spans]
        duration += phase
    graph = filter_graph(layout(spans), video_offsets, audio_offsets, duration, rate)
    partial = target.with_name(f"{target.stem}.partial{target.suffix}")
    argv = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
    for path in inputs:
        argv += ["-i", str(path)]
    argv += ["-filter_complex", graph, "-map", "[v]", "-map", "[a]"]
    argv += [*VIDEO_ENCODING, "-r", str(rate), *AUDIO_ENCODING, "-t", f"{duration:.3f}"]
    if file_format == "mp4":
        argv += ["-movflags", "+faststart"]
    argv.append(str(partial))
    await run_niced(argv, timeout_s=COMPOSE_TIMEOUT_S)
    partial.rename(target)
    return duration
