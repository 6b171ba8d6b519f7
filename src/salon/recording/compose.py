"""Composing a recording: each `.mjr` track Janus wrote is converted with `janus-pp-rec`, placed
on the timeline by the time its first packet was written (the `.mjr` header's `u`, in
microseconds of the server's clock, the same clock for every track), and ffmpeg draws one
1280×720 H.264 + AAC file from them all. Every program runs under `nice`."""

import json
import logging
import re
import struct
from dataclasses import dataclass
from pathlib import Path

from salon.jobs.model import JobFailed
from salon.jobs.subprocess import run_niced
from salon.recording.layout import VideoSpan, filter_graph, layout
from salon.recording.model import FEEDS_FILE

log = logging.getLogger(__name__)

CONVERT_TIMEOUT_S = 3600.0
COMPOSE_TIMEOUT_S = 6 * 3600.0
_MAGIC = b"MJR00002"
_NAME = re.compile(r"-user-(?P<feed>\d+)-.*-(?P<kind>audio|video|data)-(?P<mid>\d+)\.mjr$")
_EXTENSIONS = {"vp8": "webm", "vp9": "webm", "h264": "mp4", "av1": "webm", "opus": "opus"}


@dataclass(frozen=True, slots=True)
class Track:
    path: Path
    kind: str
    codec: str
    first_us: int
    feed: str
    mid: str


def read_header(path: Path) -> dict[str, object] | None:
    """The JSON header of a `.mjr` file; None when Janus never wrote a packet to it."""
    with path.open("rb") as file:
        head = file.read(10)
        if len(head) < 10 or head[:8] != _MAGIC:
            return None
        (size,) = struct.unpack(">H", head[8:10])
        try:
            header = json.loads(file.read(size))
        except ValueError:
            return None
    return header if isinstance(header, dict) else None


def find_tracks(raw_dir: Path) -> list[Track]:
    tracks = []
    for path in sorted(raw_dir.glob("*.mjr")):
        named = _NAME.search(path.name)
        header = read_header(path)
        if named is None or header is None or named["kind"] == "data":
            continue
        first = header.get("u")
        codec = header.get("c")
        if not isinstance(first, int) or not isinstance(codec, str) or first <= 0:
            continue
        tracks.append(Track(path, named["kind"], codec, first, named["feed"], named["mid"]))
    return tracks


def screen_mids(raw_dir: Path) -> dict[str, list[str]]:
    try:
        feeds = json.loads((raw_dir / FEEDS_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return {feed: list(info.get("screenMids", [])) for feed, info in feeds.items()}


async def _duration_s(path: Path) -> float:
    out = await run_niced(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
         str(path)],
        timeout_s=120,
    )  # fmt: skip
    try:
        return float(out.decode().strip())
    except ValueError:
        raise JobFailed(f"ffprobe found no duration in {path.name}") from None


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


async def compose(raw_dir: Path, tracks_dir: Path, target: Path, file_format: str) -> float:
    """Write the composed file to `target`; its duration in seconds."""
    tracks = find_tracks(raw_dir)
    if not tracks:
        raise JobFailed("nothing was recorded: no track has a packet")
    tracks_dir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - one small folder
    start_us = min(track.first_us for track in tracks)
    screens = screen_mids(raw_dir)
    inputs: list[Path] = []
    spans: list[VideoSpan] = []
    video_offsets: dict[int, float] = {}
    audio_offsets: dict[int, float] = {}
    for track in tracks:
        converted = await convert(track, tracks_dir)
        offset = (track.first_us - start_us) / 1e6
        length = await _duration_s(converted)
        index = len(inputs)
        inputs.append(converted)
        if track.kind == "video":
            video_offsets[index] = offset
            screen = track.mid in screens.get(track.feed, [])
            spans.append(VideoSpan(index, offset, offset + length, screen))
        else:
            audio_offsets[index] = offset
    duration = max([span.end_s for span in spans] + list(audio_offsets.values()) + [0.1])
    for index, offset in audio_offsets.items():
        duration = max(duration, offset + await _duration_s(inputs[index]))
    graph = filter_graph(layout(spans), video_offsets, audio_offsets, duration)
    partial = target.with_name(f"{target.stem}.partial{target.suffix}")
    argv = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
    for path in inputs:
        argv += ["-i", str(path)]
    argv += [
        "-filter_complex", graph, "-map", "[v]", "-map", "[a]",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-r", "30",
        "-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-t", f"{duration:.3f}",
    ]  # fmt: skip
    if file_format == "mp4":
        argv += ["-movflags", "+faststart"]
    argv.append(str(partial))
    await run_niced(argv, timeout_s=COMPOSE_TIMEOUT_S)
    partial.rename(target)
    return duration
