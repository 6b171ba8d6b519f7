"""Where each recorded video goes in the composed 1280×720 picture, and when. Pure.

The picture follows who was publishing when: time is cut at every start and end of a video
track, and each stretch gets a grid of the videos live in it. A screen share takes the left
three quarters and the cameras stack in the column beside it.
"""

import itertools
import math
from dataclasses import dataclass

WIDTH = 1280
HEIGHT = 720
SCREEN_WIDTH = 960
SIDE_TILE_HEIGHT = 180


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


def layout(spans: list[VideoSpan]) -> list[Placement]:
    """One placement per track and stretch of time in which the set of live videos is the same."""
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
) -> str:
    """ffmpeg's `-filter_complex` for inputs numbered by track: the grid as `[v]`, all audio
    mixed as `[a]` (a silent track when nobody spoke), each input shifted by its offset."""
    chains = [f"color=c=black:s={WIDTH}x{HEIGHT}:r=30:d={duration_s:.3f}[base0]"]
    uses: dict[int, list[int]] = {}
    for number, placement in enumerate(placements):
        uses.setdefault(placement.track, []).append(number)
    for track, numbers in uses.items():
        shifted = f"[{track}:v]setpts=PTS-STARTPTS+{video_offsets[track]:.3f}/TB"
        outs = "".join(f"[src{n}]" for n in numbers)
        chains.append(f"{shifted},split={len(numbers)}{outs}" if len(numbers) > 1 else
                      f"{shifted}{outs}")  # fmt: skip
    for number, p in enumerate(placements):
        chains.append(
            f"[src{number}]scale={p.width}:{p.height}:force_original_aspect_ratio=decrease,"
            f"pad={p.width}:{p.height}:(ow-iw)/2:(oh-ih)/2,setsar=1[cell{number}]"
        )
        chains.append(
            f"[base{number}][cell{number}]overlay={p.x}:{p.y}:eof_action=pass"
            f":enable='between(t,{p.start_s:.3f},{p.end_s:.3f})'[base{number + 1}]"
        )
    chains.append(f"[base{len(placements)}]format=yuv420p[v]")
    if audio_offsets:
        delayed = []
        for track, offset in audio_offsets.items():
            delay = round(offset * 1000)
            chains.append(f"[{track}:a]aresample=48000,adelay={delay}:all=1[aud{track}]")
            delayed.append(f"[aud{track}]")
        chains.append(
            f"{''.join(delayed)}amix=inputs={len(delayed)}:duration=longest:normalize=0,"
            f"apad,atrim=0:{duration_s:.3f}[a]"
        )
    else:
        chains.append(f"anullsrc=r=48000:cl=stereo,atrim=0:{duration_s:.3f}[a]")
    return ";".join(chains)
