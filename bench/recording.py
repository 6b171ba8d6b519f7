"""Benchmark: cloud recording of a group room of publisher bots on the managed Janus.

Run: `.venv/bin/python bench/recording.py [--seconds 60] [--publishers 4]` (as root: it re-runs
itself inside a private network namespace with a veth pair, as tests/sfu does).

The bots (aiortc, from tests/sfu/bots.py) show a black picture that turns white, and play a
1 kHz beep, at the same instants every `PERIOD_S`. The same room is held twice, first without
recording (the baseline), then recorded; the script prints Janus's CPU in each, the composition's
time over the recording's length, the audio-video offset of every flash and its beep measured in
the composed file, and the file's size per minute. Goals: Janus CPU with recording ≤ 1.15× without;
composition ≤ 0.5× the recording's length; every offset within ±40 ms.
"""

import argparse
import asyncio
import fractions
import importlib.util
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import numpy
from aiortc import MediaStreamTrack
from av import AudioFrame, VideoFrame

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from salon_server import SalonServer  # noqa: E402

VETH_SETUP = (
    "ip link set lo up; ip link add veth0 type veth peer name veth1; "
    "ip addr add 10.77.0.1/24 dev veth0; ip link set veth0 up; ip link set veth1 up"
)
TICKS = os.sysconf("SC_CLK_TCK")
PERIOD_S = 2.0
MARK_S = 0.2
"""How long each flash and beep lasts."""
FPS = 15
SIZE = (320, 180)
AUDIO_RATE = 48_000
SAMPLES = 960
COMPOSED_WITHIN_S = 900.0


def _load_bots() -> Any:
    spec = importlib.util.spec_from_file_location("sfu_bots", HERE.parent / "tests/sfu/bots.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bots = _load_bots()
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
        if self._count == 0:
            self._start = time.monotonic()
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

    def __init__(self) -> None:
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


bots.MovingPicture = Flash
bots.Tone = Beep


def in_veth_namespace() -> bool:
    return sorted(name for _, name in socket.if_nameindex()) == ["lo", "veth0", "veth1"]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def janus_pid(parent: int) -> int:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            name = stat[stat.index("(") + 1 : stat.rindex(")")]
            if name == "janus" and int(stat.rsplit(")", 1)[1].split()[1]) == parent:
                return int(entry.name)
    raise SystemExit("recording: FAILED: no janus under salon serve")


def call(server: SalonServer, method: str, path: str, body: Any = None) -> Any:
    request = urllib.request.Request(
        f"{server.base_url}{path}",
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Authorization": f"Bearer {server.key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)


def create(server: SalonServer, recorded: bool) -> str:
    body: dict[str, Any] = {"endDate": "2099-01-01T00:00:00Z", "roomMode": "group"}
    if recorded:
        body["recording"] = {"type": "cloud", "destination": None, "startTrigger": "automatic"}
    made: dict[str, str] = call(server, "POST", "/v1/meetings", body)
    return made["roomName"]


async def until(condition: Any, what: str, within_s: float = 60.0) -> None:
    deadline = time.monotonic() + within_s
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"recording: FAILED: {what} within {within_s} s")
        await asyncio.sleep(0.1)


async def hold_room(server: SalonServer, recorded: bool, publishers: int, seconds: float) -> float:
    """Publishers in a room for `seconds`; Janus's CPU (fraction of a core) over that time."""
    room = create(server, recorded)
    people = [bots.Bot(server.base_url, room, f"p{n}", video_size=SIZE) for n in range(publishers)]
    for bot in people:
        await bot.join()

    def all_publish() -> bool:
        return all(any(f["type"] == "sfu-published" for f in bot.frames) for bot in people)

    await until(all_publish, "every bot publishes")
    pid = janus_pid(server.pid)
    before, started = cpu_seconds(pid), time.monotonic()
    await asyncio.sleep(seconds)  # the measured window (and, recorded, the recording)
    cpu = (cpu_seconds(pid) - before) / (time.monotonic() - started)
    for bot in people:
        await bot.close()
    return cpu


def luma_onsets(path: Path) -> list[float]:
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-vf", "scale=32:18,format=gray",
         "-f", "rawvideo", "-"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    frames = numpy.frombuffer(raw, dtype=numpy.uint8).reshape(-1, 32 * 18).mean(axis=1)
    rate = 30.0  # the composition's frame rate
    bright = frames > (frames.min() + frames.max()) / 2
    return [i / rate for i in range(1, len(bright)) if bright[i] and not bright[i - 1]]


def beep_onsets(path: Path) -> list[float]:
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-ac", "1", "-ar", "8000", "-f", "s16le", "-"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    samples = numpy.frombuffer(raw, dtype=numpy.int16).astype(numpy.float64)
    window = 40  # 5 ms
    energy = numpy.sqrt(
        numpy.convolve(samples**2, numpy.ones(window) / window, mode="same")[::window]
    )
    loud = energy > energy.max() / 4
    return [i * window / 8000 for i in range(1, len(loud)) if loud[i] and not loud[i - 1]]


def offsets_ms(flashes: list[float], beeps: list[float]) -> list[float]:
    """Each flash against the beep nearest to it (positive: the sound comes late)."""
    return [
        (min(beeps, key=lambda b: abs(b - flash)) - flash) * 1000
        for flash in flashes
        if beeps and min(abs(b - flash) for b in beeps) < PERIOD_S / 2
    ]


async def main(seconds: float, publishers: int) -> None:
    with (
        tempfile.TemporaryDirectory() as data_dir,
        SalonServer(Path(data_dir), "--janus", "auto") as server,
    ):
        warm = bots.Bot(server.base_url, create(server, False), "warm-up")
        await warm.join()
        await until(lambda: any(f["type"] == "sfu-published" for f in warm.frames), "Janus up")
        await warm.close()
        print(
            f"{publishers} publishers ({SIZE[0]}x{SIZE[1]} VP8 + Opus bots), {seconds:.0f} s each"
        )
        plain = await hold_room(server, False, publishers, seconds)
        print(f"  without recording: Janus {plain * 100:.1f}% of a core")
        recorded = await hold_room(server, True, publishers, seconds)
        stopped = time.monotonic()
        print(f"  recording:         Janus {recorded * 100:.1f}% of a core")
        found: list[dict[str, Any]] = []

        def listed() -> bool:
            found[:] = call(server, "GET", "/v1/recordings")["results"]
            return bool(found)

        await until(listed, "the composed recording", COMPOSED_WITHIN_S)
        composing = time.monotonic() - stopped
        link = call(server, "GET", f"/v1/recordings/{found[0]['recordingId']}/access-link")
        composed = Path(data_dir) / "composed.mp4"
        with urllib.request.urlopen(link["accessLink"], timeout=60) as answer:  # noqa: ASYNC210
            composed.write_bytes(answer.read())
        probe = json.loads(
            subprocess.run(  # noqa: ASYNC221 - after the measurements
                ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json",
                 str(composed)],
                check=True, capture_output=True, text=True,
            ).stdout
        )  # fmt: skip
        duration = float(probe["format"]["duration"])
        offsets = offsets_ms(luma_onsets(composed), beep_onsets(composed))
        size_mb = composed.stat().st_size / 1e6
        print(f"  composed: {duration:.1f} s in {composing:.1f} s after the room emptied")
        if offsets:
            print(
                f"  A/V offsets of {len(offsets)} flashes (ms, + = sound late): median"
                f" {statistics.median(offsets):+.0f}, min {min(offsets):+.0f},"
                f" max {max(offsets):+.0f}"
            )
    worst = max((abs(o) for o in offsets), default=float("nan"))
    print(
        f"recording: file {size_mb / duration * 60:.1f} MB per minute | worst A/V offset"
        f" {worst:.0f} ms over {len(offsets)} flashes (goal <= 40) | composition/duration"
        f" {composing / duration:.2f} (goal <= 0.5) | Janus CPU {recorded * 100:.1f}% vs"
        f" {plain * 100:.1f}% of a core | with/without recording={recorded / max(plain, 1e-6):.2f}"
        f" (goal <= 1.15)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--publishers", type=int, default=4)
    args = parser.parse_args()
    if not in_veth_namespace():
        command = f"{VETH_SETUP}; exec {sys.executable} {' '.join(sys.argv)}"
        raise SystemExit(subprocess.call(["unshare", "--net", "sh", "-c", command]))
    asyncio.run(main(args.seconds, args.publishers))
