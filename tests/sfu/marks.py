"""Flashes and beeps at the same instants, to measure how well a recording keeps sound and
picture together: aiortc tracks that show a black picture turning white and play a 1 kHz beep
every `PERIOD_S`, and the measurement of both in a composed file (used by tests/sfu and by
bench/recording.py).

Both tracks time their frames from one `EPOCH`, and the pictures lie on a grid from it, so each
flash begins exactly on a frame and at the same instant as its beep.
"""

import asyncio
import fractions
import math
import subprocess
import time
from pathlib import Path

import numpy
from aiortc import MediaStreamTrack
from av import AudioFrame, VideoFrame

PERIOD_S = 2.0
MARK_S = 0.2
"""How long each flash and beep lasts."""
FPS = 15
SETTLE_S = 1.0
SIZE = (320, 180)
AUDIO_RATE = 48_000
SAMPLES = 960
EPOCH = time.monotonic()


def marked(at: float) -> bool:
    """Is `at` (monotonic seconds) inside a flash-and-beep?"""
    return (at - EPOCH) % PERIOD_S < MARK_S


class Flash(MediaStreamTrack):
    kind = "video"

    def __init__(self, size: tuple[int, int] = SIZE) -> None:
        super().__init__()
        self._size = size
        self._count = 0
        self._start = 0.0

    async def recv(self) -> VideoFrame:
        if self._count == 0:  # frames on a grid from EPOCH: a flash starts on a frame
            self._start = EPOCH + math.ceil((time.monotonic() - EPOCH) * FPS) / FPS
        due = self._start + self._count / FPS
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        level = 255 if marked(due) else 0
        width, height = self._size
        picture = numpy.full((height, width, 3), level, dtype=numpy.uint8)
        picture[0, 0, 0] = self._count % 256  # every frame differs, as a camera's do
        frame = VideoFrame.from_ndarray(picture, format="rgb24")
        frame.pts = self._count * (90_000 // FPS)
        frame.time_base = fractions.Fraction(1, 90_000)
        self._count += 1
        return frame


class Beep(MediaStreamTrack):
    kind = "audio"

    def __init__(self, loud: bool = True) -> None:  # beeps whether the bot speaks or not
        super().__init__()
        self._count = 0
        self._start = 0.0

    async def recv(self) -> AudioFrame:
        if self._count == 0:
            self._start = time.monotonic()
        due = self._start + self._count * SAMPLES / AUDIO_RATE
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        t = due + numpy.arange(SAMPLES) / AUDIO_RATE
        on = ((t - EPOCH) % PERIOD_S) < MARK_S
        samples = (numpy.sin(2 * numpy.pi * 1000 * t) * 12000 * on).astype(numpy.int16)
        frame = AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = AUDIO_RATE
        frame.pts = self._count * SAMPLES
        frame.time_base = fractions.Fraction(1, AUDIO_RATE)
        self._count += 1
        return frame


def _probe(path: Path, stream: str, entries: str) -> str:
    return subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", stream, "-show_entries", entries,
         "-of", "csv=p=0", str(path)],
        check=True, capture_output=True, text=True, timeout=60,
    ).stdout.strip()  # fmt: skip


def luma_onsets(path: Path) -> list[float]:
    """When the picture turns bright (the file's frames are at a constant rate from 0)."""
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-vf", "scale=32:18,format=gray",
         "-f", "rawvideo", "-"],
        check=True, capture_output=True, timeout=300,
    ).stdout  # fmt: skip
    frames = numpy.frombuffer(raw, dtype=numpy.uint8).reshape(-1, 32 * 18).mean(axis=1)
    rate = float(fractions.Fraction(_probe(path, "v", "stream=r_frame_rate")))
    bright = frames > (frames.min() + frames.max()) / 2
    return [i / rate for i in range(1, len(bright)) if bright[i] and not bright[i - 1]]


def beep_onsets(path: Path) -> list[float]:
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-ac", "1", "-ar", "8000", "-f", "s16le", "-"],
        check=True, capture_output=True, timeout=300,
    ).stdout  # fmt: skip
    samples = numpy.frombuffer(raw, dtype=numpy.int16).astype(numpy.float64)
    window = 40  # 5 ms
    energy = numpy.sqrt(
        numpy.convolve(samples**2, numpy.ones(window) / window, mode="same")[::window]
    )
    loud = energy > energy.max() / 4
    return [i * window / 8000 for i in range(1, len(loud)) if loud[i] and not loud[i - 1]]


def offsets_ms(path: Path) -> list[float]:
    """Each flash in the file against the beep nearest to it (positive: the sound comes late).
    A mark under way when recording began shows where each track begins, not where the mark
    did: onsets in the first `SETTLE_S` are left out."""
    flashes = [t for t in luma_onsets(path) if t >= SETTLE_S]
    beeps = [t for t in beep_onsets(path) if t >= SETTLE_S]
    return [
        (min(beeps, key=lambda b: abs(b - flash)) - flash) * 1000
        for flash in flashes
        if beeps and min(abs(b - flash) for b in beeps) < PERIOD_S / 2
    ]
