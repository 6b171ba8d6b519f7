"""Where each recorded video goes in the composed 1280×720 picture, and when. Pure.

The picture follows who was publishing when: time is cut at every start and end of a video
track, and each stretch gets a grid of the videos live in it. A screen share takes the left
three quarters and the cameras stack in the column beside it. Starts and ends closer together
than `MIN_STRETCH_S` count as one instant (tracks that begin a few milliseconds apart make one
grid, not a grid per millisecond).
"""

import itertools
import math
from dataclasses import dataclass

WIDTH = 1280
HEIGHT = 720
SCREEN_WIDTH = 960
SIDE_TILE_HEIGHT = 180
MIN_STRETCH_S = 0.5
LEAD_S = 0.5
"""Each cell takes its video from this long before its stretch begins, so that the frame on show
at the cut (sent a little before it) is drawn from the first instant."""


@dataclass(frozen=True, slots=True)
class VideoSpan:
    track: int
    """The track's index among the composition's inputs."""
    start_s: float
    end_s: float
    screen: bool = False


@dataclass(frozen=True, slots=True)
class Placement:
    track: int
    start_s: float
    end_s: float
    x: int
    y: int
    width: int
    height: int


def _even(value: float) -> int:
    return max(2, int(value) // 2 * 2)


def _grid(tracks: list[int]) -> list[tuple[int, int, int, int, int]]:
    columns = math.ceil(math.sqrt(len(tracks)))
    rows = math.ceil(len(tracks) / columns)
    width, height = _even(WIDTH / columns), _even(HEIGHT / rows)
    cells = []
    for place, track in enumerate(tracks):
        row, column = divmod(place, columns)
        in_row = min(columns, len(tracks) - row * columns)
        left = (WIDTH - in_row * width) // 2  # a short last row is centred
        cells.append((track, left + column * width, row * height, width, height))
    return cells


def _with_screen(screen: int, cameras: list[int]) -> list[tuple[int, int, int, int, int]]:
    if not cameras:
        return [(screen, 0, 0, WIDTH, HEIGHT)]
    cells = [(screen, 0, 0, SCREEN_WIDTH, HEIGHT)]
    height = _even(min(SIDE_TILE_HEIGHT, HEIGHT / len(cameras)))
    for place, camera in enumerate(cameras):
        cells.append((camera, SCREEN_WIDTH, place * height, WIDTH - SCREEN_WIDTH, height))
    return cells


def _snapped(spans: list[VideoSpan]) -> list[VideoSpan]:
    """Each start and end moved to the first of the instants less than `MIN_STRETCH_S` apart
    that it is part of; a video shorter than that is left out."""
    instants = sorted({t for span in spans for t in (span.start_s, span.end_s)})
    snap: dict[float, float] = {}
    first = previous = None
    for instant in instants:
        if previous is None or first is None or instant - previous >= MIN_STRETCH_S:
            first = instant
        snap[instant] = first
        previous = instant
    moved = [
        VideoSpan(span.track, snap[span.start_s], snap[span.end_s], span.screen) for span in spans
    ]
    return [span for span in moved if span.end_s > span.start_s]


def layout(spans: list[VideoSpan]) -> list[Placement]:
    """One placement per track and stretch of time in which the set of live videos is the same."""
    spans = _snapped(spans)
    cuts = sorted({t for span in spans for t in (span.start_s, span.end_s)})
    placements: list[Placement] = []
    for start, end in itertools.pairwise(cuts):
        live = [span for span in spans if span.start_s <= start < span.end_s]
        if not live:
            continue
        screens = [span.track for span in live if span.screen]
        cameras = [span.track for span in live if span.track not in screens[:1]]
        cells = _with_screen(screens[0], cameras) if screens else _grid(cameras)
        placements += [Placement(t, start, end, x, y, w, h) for t, x, y, w, h in cells]
    return _merged(placements)


def _merged(placements: list[Placement]) -> list[Placement]:
    """Join a track's consecutive stretches in the same cell into one."""
    merged: list[Placement] = []
    for placement in placements:
        same = next(
            (
                i
                for i, p in enumerate(merged)
                if (p.track, p.x, p.y, p.width, p.height, p.end_s)
                == (placement.track, placement.x, placement.y, placement.width,
                    placement.height, placement.start_s)
            ),
            None,
        )  # fmt: skip
        if same is None:
            merged.append(placement)
        else:
            merged[same] = Placement(
                placement.track,
                merged[same].start_s,
                placement.end_s,
                placement.x,
                placement.y,
                placement.width,
                placement.height,
            )
    return merged


def filter_graph(
    placements: list[Placement],
    video_offsets: dict[int, float],
    audio_offsets: dict[int, float],
    duration_s: float,
    frame_rate: int = 30,
) -> str:
    """ffmpeg's `-filter_complex` for inputs numbered by track: the grid as `[v]`, all audio
    mixed as `[a]` (a silent track when nobody spoke), each input shifted by its offset.

    Each input's timestamps count from its first packet (janus-pp-rec writes them so), so an
    input is shifted by its offset alone: a video whose first frames cannot be decoded (recording
    began between two key frames) keeps its place. Each cell scales only the frames of its own
    stretch (`trim`), and is drawn centred in its place on the black picture (no padding).

    The picture shows each video frame from the first of its own frames at or after the frame's
    time; videos are moved half a picture earlier, so that each frame is shown at the picture
    nearest its time (within half a picture either way, not up to a whole one late)."""
    chains = [
        f"color=c=black:s={WIDTH}x{HEIGHT}:r={frame_rate}:d={duration_s:.3f},format=yuv420p[base0]"
    ]
    uses: dict[int, list[int]] = {}
    for number, placement in enumerate(placements):
        uses.setdefault(placement.track, []).append(number)
    for track, numbers in uses.items():
        shifted = f"[{track}:v]setpts=PTS+{video_offsets[track] - 0.5 / frame_rate:.4f}/TB"
        outs = "".join(f"[src{n}]" for n in numbers)
        chains.append(f"{shifted},split={len(numbers)}{outs}" if len(numbers) > 1 else
                      f"{shifted}{outs}")  # fmt: skip
    for number, p in enumerate(placements):
        since = f"start={p.start_s - LEAD_S:.3f}:" if p.start_s > LEAD_S else ""
        chains.append(
            f"[src{number}]trim={since}end={p.end_s:.3f},"
            f"scale={p.width}:{p.height}:force_original_aspect_ratio=decrease,setsar=1"
            f"[cell{number}]"
        )
        chains.append(
            f"[base{number}][cell{number}]overlay=x='{p.x}+({p.width}-overlay_w)/2'"
            f":y='{p.y}+({p.height}-overlay_h)/2':eof_action=pass"
            f":enable='between(t,{p.start_s:.3f},{p.end_s:.3f})'[base{number + 1}]"
        )
    chains.append(f"[base{len(placements)}]null[v]")
    if audio_offsets:
        delayed = []
        for track, offset in audio_offsets.items():
            delay = round(offset * 1000)
            chains.append(f"[{track}:a]adelay={delay}:all=1[aud{track}]")
            delayed.append(f"[aud{track}]")
        chains.append(
            f"{''.join(delayed)}amix=inputs={len(delayed)}:duration=longest:normalize=0,"
            f"apad,atrim=0:{duration_s:.3f}[a]"
        )
    else:
        chains.append(f"anullsrc=r=48000:cl=mono,atrim=0:{duration_s:.3f}[a]")
    return ";".join(chains)
