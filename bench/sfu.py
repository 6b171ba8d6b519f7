"""Benchmark: a group room on the managed Janus, with a growing number of subscribers to a few
publishers (aiortc bots), beside a four-person peer-to-peer room (Chromium) in the same run.

Run: `.venv/bin/python bench/sfu.py` (as root: it re-runs itself inside a private network
namespace with a veth pair, as tests/sfu does, so no media leaves the machine and Janus has an
interface for ICE).

Measured, at each step of subscribers: Janus's CPU (from /proc, over a window) per forwarded
track (each subscribed audio or video stream is one forwarded track), Salon's CPU per
participant, and the first-frame time of the subscriber that joined last (from opening its
socket to its first decoded video frame). Then Chromium: four people in a normal (peer-to-peer)
room and four in a group room, their upload per participant. The last line ends with Janus's
forwarded tracks per core. Goals: ≥ 400 forwarded tracks per core, a first frame ≤ 1.0 s.
"""

import argparse
import asyncio
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

from playwright.async_api import Browser, BrowserContext, async_playwright

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from salon_server import SalonServer  # noqa: E402


def _load_bots() -> Any:
    """tests/sfu/bots.py (this script's own name, sfu, hides the tests' package of that name)."""
    spec = importlib.util.spec_from_file_location("sfu_bots", HERE.parent / "tests/sfu/bots.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


Bot = _load_bots().Bot

VETH_SETUP = (
    "ip link set lo up; ip link add veth0 type veth peer name veth1; "
    "ip addr add 10.77.0.1/24 dev veth0; ip link set veth0 up; ip link set veth1 up"
)
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--allow-loopback-in-peer-connection",
]  # fmt: skip
TICKS = os.sysconf("SC_CLK_TCK")
PUBLISHER_SIZE = (320, 180)
UPLOAD_JS = """
async () => {
  const room = window.salonRoom;
  const pcs = room.sfu.publisher ? [room.sfu.publisher] : [...room.mesh.mesh.peers.values()];
  let bytes = 0;
  for (const pc of pcs) (await pc.getStats()).forEach(s => {
    if (s.type === 'outbound-rtp') bytes += s.bytesSent || 0; });
  return bytes;
}
"""


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
    raise SystemExit("sfu: FAILED: no janus under salon serve")


def create(server: SalonServer, mode: str) -> dict[str, str]:
    body = json.dumps({"endDate": "2099-01-01T00:00:00Z", "roomMode": mode}).encode()
    request = urllib.request.Request(
        f"{server.base_url}/v1/meetings",
        data=body,
        headers={"Authorization": f"Bearer {server.key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        made: dict[str, str] = json.load(answer)
        return made


async def until(
    condition: Any, what: str, within_s: float = 30.0, detail: Any = lambda: ""
) -> None:
    deadline = time.monotonic() + within_s
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"sfu: FAILED: {what} within {within_s} s {detail()}")
        await asyncio.sleep(0.1)


def first_video(bot: Any) -> float | None:
    """When the bot decoded its first video frame from anyone."""
    firsts = [got.first_video_at for got in bot.received.values() if got.first_video_at]
    return min(firsts) if firsts else None


def receiving(bot: Any, publishers: list[Any]) -> bool:
    """Audio from every publisher, and video decoded. (aiortc decodes only the first of several
    video streams that arrive in one initial offer: it routes their packets to one receiver.
    Janus forwards them all, which is what is measured; browsers decode them all.)"""
    return all(bot.received[p.pid].audio_frames > 25 for p in publishers) and any(
        bot.received[p.pid].video_frames > 15 for p in publishers
    )


async def cpu_window(pids: list[int], seconds: float) -> list[float]:
    """Each process's CPU over the window, as a fraction of one core."""
    before = [cpu_seconds(pid) for pid in pids]
    await asyncio.sleep(seconds)  # the measured window
    return [(cpu_seconds(pid) - b) / seconds for pid, b in zip(pids, before, strict=True)]


async def sfu_growth(
    server: SalonServer, publishers: int, steps: list[int], window: float
) -> list[dict[str, float]]:
    room = create(server, "group")["roomName"]
    bots: list[Any] = []
    rows = []
    try:
        pubs = [
            Bot(server.base_url, room, f"pub{i}", video_size=PUBLISHER_SIZE)
            for i in range(publishers)
        ]
        for bot in pubs:
            await bot.join()
        bots += pubs
        subs: list[Any] = []
        janus = janus_pid(server.pid)
        for count in steps:
            first_frames = []
            while len(subs) < count:
                bot = Bot(server.base_url, room, f"sub{len(subs)}", publishes=False)
                started = time.monotonic()
                await bot.join()
                subs.append(bot)
                bots.append(bot)
                await until(
                    lambda b=bot: first_video(b) is not None, "a new subscriber's first frame"
                )
                first_frames.append((first_video(bot) or 0) - started)
            await until(lambda: all(receiving(s, pubs) for s in subs), "every subscriber receiving")
            janus_cpu, salon_cpu = await cpu_window([janus, server.pid], window)
            tracks = 2 * (len(subs) * publishers + publishers * (publishers - 1))
            rows.append(
                {
                    "subscribers": count,
                    "tracks": tracks,
                    "janus_cpu": janus_cpu,
                    "salon_cpu": salon_cpu,
                    "participants": count + publishers,
                    "first_frame": statistics.median(first_frames),
                }
            )
            row = rows[-1]
            print(
                f"  {count:2} subscribers, {tracks:3} forwarded tracks: Janus"
                f" {janus_cpu * 100:5.1f}% of a core ({tracks / max(janus_cpu, 1e-6):6.0f}"
                f" tracks/core), Salon {salon_cpu * 100:4.1f}% ({salon_cpu * 100 / count:.2f}%"
                f" per participant), first frame {row['first_frame']:.2f} s",
                flush=True,
            )
    finally:
        await asyncio.gather(*(bot.close() for bot in bots))
    return rows


async def upload_per_participant(
    browser: Browser, server: SalonServer, mode: str, window: float
) -> float:
    """Four Chromium people in one room; their median upload in kb/s."""
    url = create(server, mode)["roomUrl"]
    contexts: list[BrowserContext] = []
    try:
        pages = []
        for name in ("Ada", "Bo", "Cy", "Di"):
            context = await browser.new_context(viewport={"width": 960, "height": 600})
            contexts.append(context)
            page = await context.new_page()
            await page.goto(f"{url}?displayName={name}&precallReview=off")
            pages.append(page)
        for page in pages:
            await page.wait_for_function(
                "() => window.salonRoom && window.salonRoom.state().participants.length === 3",
                timeout=30_000,
            )
        await asyncio.sleep(8)  # let bandwidth estimation settle before the window
        before: list[float] = [await page.evaluate(UPLOAD_JS) for page in pages]
        await asyncio.sleep(window)  # the measured window
        after: list[float] = [await page.evaluate(UPLOAD_JS) for page in pages]
        return statistics.median(
            (a - b) * 8 / window / 1000 for a, b in zip(after, before, strict=True)
        )
    finally:
        for context in contexts:
            await context.close()


async def main(publishers: int, steps: list[int], window: float) -> None:
    with (
        tempfile.TemporaryDirectory() as data_dir,
        SalonServer(Path(data_dir), "--janus", "auto") as server,
    ):
        warm = Bot(server.base_url, create(server, "group")["roomName"], "warm-up")
        await warm.join()  # starts the managed Janus
        await until(
            lambda: warm.frames and warm.frames[-1]["type"] in ("sfu-published", "sfu-offer"),
            "Janus up",
        )
        await warm.close()
        width, height = PUBLISHER_SIZE
        print(f"group room: {publishers} publishers ({width}x{height} VP8 + Opus bots)")
        rows = await sfu_growth(server, publishers, steps, window)
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
            )
            p2p = await upload_per_participant(browser, server, "normal", window)
            sfu = await upload_per_participant(browser, server, "group", window)
            await browser.close()
    top = rows[-1]
    per_core = top["tracks"] / max(top["janus_cpu"], 1e-6)
    first = max(row["first_frame"] for row in rows)
    salon_each = top["salon_cpu"] * 100 / top["participants"]
    print(
        f"sfu: 4-person upload per participant P2P {p2p:.0f} kb/s vs group (SFU) {sfu:.0f} kb/s"
        f" (P2P/SFU {p2p / max(sfu, 1e-6):.2f}) | Salon {salon_each:.2f}% of a core per participant"
        f" | first frame for a new subscriber {first:.2f} s (goal <= 1.0) | Janus"
        f" {top['janus_cpu'] * 100:.1f}% of a core for {top['tracks']:.0f} tracks"
        f" | forwarded tracks per core of Janus={per_core:.0f} (goal >= 400)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--publishers", type=int, default=2)
    parser.add_argument("--steps", default="4,8,12,16", help="subscriber counts, comma-separated")
    parser.add_argument("--window", type=float, default=5.0, help="seconds of each measurement")
    args = parser.parse_args()
    if not in_veth_namespace():
        command = f"{VETH_SETUP}; exec {sys.executable} {' '.join(sys.argv)}"
        raise SystemExit(subprocess.call(["unshare", "--net", "sh", "-c", command]))
    asyncio.run(main(args.publishers, [int(n) for n in args.steps.split(",")], args.window))
