"""Benchmark: cloud recording of a group room of publisher bots on the managed Janus.

Run: `.venv/bin/python bench/recording.py [--seconds 60] [--publishers 4]` (as root: it re-runs
itself inside a private network namespace with a veth pair, as tests/sfu does).

The bots (aiortc, tests/sfu/bots.py with the tracks of tests/sfu/marks.py) show a black picture
that turns white, and play a 1 kHz beep, at the same instants every 2 s. The same room is held
twice, first without recording (the baseline), then recorded; the script prints Janus's CPU in
each, the composition's time (and CPU time) over the recording's length, the audio-video offset
of every flash and its beep measured in the composed file, and the file's size per minute.
Goals: Janus CPU with recording ≤ 1.15× without; composition ≤ 0.5× the recording's length;
every offset within ±40 ms. `--keep DIR` copies the recorded tracks there.
"""

import argparse
import asyncio
import importlib.util
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from salon_server import SalonServer  # noqa: E402

VETH_SETUP = (
    "ip link set lo up; ip link add veth0 type veth peer name veth1; "
    "ip addr add 10.77.0.1/24 dev veth0; ip link set veth0 up; ip link set veth1 up"
)
TICKS = os.sysconf("SC_CLK_TCK")
COMPOSED_WITHIN_S = 900.0


def _load(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(
        f"sfu_{name}", HERE.parent / f"tests/sfu/{name}.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bots = _load("bots")
marks = _load("marks")
bots.MovingPicture = marks.Flash
bots.Tone = marks.Beep
SIZE = marks.SIZE


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
    for bot in people:  # they leave (rather than vanish, which a room waits 20 s for)
        await bot.send({"type": "leave"})
        await bot.close()
    return cpu


def children_cpu_seconds(pid: int) -> float:
    """CPU time of the programs `pid` ran and waited for (the composition's ffmpeg and the rest)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / TICKS


async def main(seconds: float, publishers: int, keep: Path | None) -> None:
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
        stopped, children_before = time.monotonic(), children_cpu_seconds(server.pid)
        print(f"  recording:         Janus {recorded * 100:.1f}% of a core")
        found: list[dict[str, Any]] = []

        def listed() -> bool:
            found[:] = call(server, "GET", "/v1/recordings")["results"]
            return bool(found)

        await until(listed, "the composed recording", COMPOSED_WITHIN_S)
        composing = time.monotonic() - stopped
        composing_cpu = children_cpu_seconds(server.pid) - children_before
        link = call(server, "GET", f"/v1/recordings/{found[0]['recordingId']}/access-link")
        if keep is not None:  # the tracks, to profile the composition on them again
            for tracks in Path(data_dir).glob("recordings/*/tracks"):  # noqa: ASYNC240
                shutil.copytree(tracks, keep / tracks.parent.name, dirs_exist_ok=True)
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
        offsets = marks.offsets_ms(composed)
        size_mb = composed.stat().st_size / 1e6
        print(
            f"  composed: {duration:.1f} s in {composing:.1f} s after the room emptied"
            f" ({composing_cpu:.1f} s of CPU; load average {os.getloadavg()[0]:.1f}"
            f" on {os.cpu_count()} cores)"
        )
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
        f" {composing / duration:.2f} (goal <= 0.5; CPU {composing_cpu / duration:.2f}) | Janus CPU"
        f" {recorded * 100:.1f}% vs"
        f" {plain * 100:.1f}% of a core | with/without recording={recorded / max(plain, 1e-6):.2f}"
        f" (goal <= 1.15)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--publishers", type=int, default=4)
    parser.add_argument("--keep", type=Path, help="copy the recorded tracks into this folder")
    args = parser.parse_args()
    if not in_veth_namespace():
        command = f"{VETH_SETUP}; exec {sys.executable} {' '.join(sys.argv)}"
        raise SystemExit(subprocess.call(["unshare", "--net", "sh", "-c", command]))
    asyncio.run(main(args.seconds, args.publishers, args.keep))
