"""Benchmark: a group room on the managed Janus, with a growing number of subscribers to a few
publishers (aiortc bots), beside a four-person peer-to-peer room (Chromium) in the same run.

Run: `.venv/bin/python bench/sfu.py` (as root: it re-runs itself inside a private network
namespace with a veth pair, as tests/sfu does, so no media leaves the machine and Janus has an
interface for ICE).

Measured, at each step of subscribers: Janus's CPU (from /proc, over a window) per forwarded
track (each subscribed audio or video stream is one forwarded track), Salon's CPU per
participant, and the first-frame time of a new subscriber: Chromium viewers who open the room URL
once the step's bots all receive, timed in the page from joining (opening the signaling socket)
to their first decoded video frame (`getStats()`), the median of three, with each step between
(bench/join_breakdown.py: socket open, `joined`, the SFU's offer in, the answer out, ICE and DTLS
connected, first packet, first frame) and the page load before (module graph, ready to join).
The subscriber bots count the encoded frames they receive without decoding them
(`count_without_decoding`), so the load generator leaves more of the two cores to Janus and
Chromium. Then Chromium: four people in a normal (peer-to-peer) room and four in a group room,
their upload per participant. The last line ends with Janus's forwarded tracks per core. Goals:
≥ 400 forwarded tracks per core, a newcomer's first frame ≤ 0.35 s after joining at the largest
step, page load to ready-to-join ≤ 0.3 s on a quiet machine.
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
from playwright.async_api import TimeoutError as PlaywrightTimeout

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from join_breakdown import FRAME_DECODED_JS, MARKS_JS, Breakdown, collect  # noqa: E402
from salon_server import SalonServer  # noqa: E402


def _load_bots() -> Any:
    """tests/sfu/bots.py (this script's own name, sfu, hides the tests' package of that name)."""
    spec = importlib.util.spec_from_file_location("sfu_bots", HERE.parent / "tests/sfu/bots.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bots = _load_bots()
Bot = bots.Bot

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
NEWCOMERS = 3
"""Chromium viewers who join, one after the other, at each step: the median is reported."""
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
    body = {"endDate": "2099-01-01T00:00:00Z", "roomMode": mode, "fields": ["viewerRoomUrl"]}
    request = urllib.request.Request(
        f"{server.base_url}/v1/meetings",
        data=json.dumps(body).encode(),
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


def receiving(bot: Any, publishers: list[Any]) -> bool:
    """Audio and video from every publisher."""
    return all(
        bot.received[p.pid].audio_frames > 25 and bot.received[p.pid].video_frames > 15
        for p in publishers
    )


async def cpu_window(pids: list[int], seconds: float) -> list[float]:
    """Each process's CPU over the window, as a fraction of one core."""
    before = [cpu_seconds(pid) for pid in pids]
    await asyncio.sleep(seconds)  # the measured window
    return [(cpu_seconds(pid) - b) / seconds for pid, b in zip(pids, before, strict=True)]


def baseline_room_files(ref: str, into: Path) -> Path:
    """The room page's scripts and styles as of the git commit `ref`, written under `into`."""
    folder = "src/salon/static/room"
    archive = subprocess.run(
        ["git", "-C", str(HERE.parent), "archive", ref, folder], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / folder


async def serve_room_files(context: BrowserContext, files: Path | None) -> None:
    """The page's room scripts from `files` (a baseline's), else from the server; routed either
    way, so that both pay the same for the routing."""

    async def handle(route: Any) -> None:
        if files is None:
            await route.continue_()
            return
        name = route.request.url.split("/_salon/static/room/", 1)[1].split("?", 1)[0]
        path = (files / name).resolve()
        if not path.is_relative_to(files) or not path.is_file():
            await route.continue_()
            return
        kind = {".js": "text/javascript", ".css": "text/css"}.get(path.suffix, "text/plain")
        await route.fulfill(body=path.read_bytes(), content_type=kind)

    await context.route("**/_salon/static/room/**", handle)


async def newcomer_first_frame(
    browser: Browser, viewer_url: str, files: Path | None = None
) -> dict[str, float]:
    """A Chromium viewer opens the room: the steps of its join (bench/join_breakdown.py), in ms
    from its joining (the page's `salon:join`, as it opens the signaling socket) to its first
    decoded frame, and the page load before it (from navigation start). `files`: the room's
    scripts of a baseline (`--baseline`)."""
    context = await browser.new_context(viewport={"width": 960, "height": 600})
    try:
        await context.add_init_script(MARKS_JS)
        await serve_room_files(context, files)
        page = await context.new_page()
        await page.goto(f"{viewer_url}&displayName=Newcomer")
        try:
            await page.wait_for_function(FRAME_DECODED_JS, timeout=30_000, polling=50)
        except PlaywrightTimeout:
            raise SystemExit("sfu: FAILED: the newcomer decoded no video within 30 s") from None
        return await collect(page, origin_mark="salon:join")
    finally:
        await context.close()


async def sfu_growth(
    server: SalonServer,
    browser: Browser,
    publishers: int,
    steps: list[int],
    window: float,
    baseline: tuple[str, Path] | None = None,
) -> list[dict[str, float]]:
    made = create(server, "group")
    room = made["roomName"]
    everyone: list[Any] = []
    rows = []
    try:
        pubs = [
            Bot(server.base_url, room, f"pub{i}", video_size=PUBLISHER_SIZE)
            for i in range(publishers)
        ]
        everyone += pubs
        await asyncio.gather(*(bot.join() for bot in pubs))
        subs: list[Any] = []
        janus = janus_pid(server.pid)

        def all_receiving() -> bool:
            return all(receiving(s, pubs) for s in subs)

        for count in steps:
            joining = [
                Bot(server.base_url, room, f"sub{n}", publishes=False)
                for n in range(len(subs), count)
            ]
            subs += joining
            everyone += joining
            await asyncio.gather(*(bot.join() for bot in joining))
            await until(all_receiving, "every subscriber receiving", 60)
            joins = Breakdown(f"newcomer at {count} subscribers")
            before = Breakdown(f"baseline {baseline[0]}: newcomer at {count}") if baseline else None
            for n in range(NEWCOMERS):
                url = made["viewerRoomUrl"]
                if before is None or n % 2:
                    print(joins.add(await newcomer_first_frame(browser, url)))
                if before is not None and baseline is not None:  # taking turns with the above
                    print(before.add(await newcomer_first_frame(browser, url, baseline[1])))
                    if not n % 2:
                        print(joins.add(await newcomer_first_frame(browser, url)))
            if before is not None:
                print(before.table())
            print(joins.table(), flush=True)
            first_frame = joins.medians()["frame"] / 1000
            page_load = joins.medians()["join"] / 1000
            await until(all_receiving, "every bot still receiving")
            janus_cpu, salon_cpu = await cpu_window([janus, server.pid], window)
            tracks = 2 * (len(subs) * publishers + publishers * (publishers - 1))
            rows.append(
                {
                    "subscribers": count,
                    "tracks": tracks,
                    "janus_cpu": janus_cpu,
                    "salon_cpu": salon_cpu,
                    "participants": count + publishers,
                    "first_frame": first_frame,
                    "page_load": page_load,
                    "ready": joins.medians()["ready"],
                }
            )
            print(
                f"  {count:2} subscribers, {tracks:3} forwarded tracks: Janus"
                f" {janus_cpu * 100:5.1f}% of a core ({tracks / max(janus_cpu, 1e-6):6.0f}"
                f" tracks/core), Salon {salon_cpu * 100:4.1f}% ({salon_cpu * 100 / count:.2f}%"
                f" per participant), a newcomer's first frame {first_frame:.2f} s after joining"
                f" ({page_load:.2f} s of page load before)",
                flush=True,
            )
    finally:
        await asyncio.gather(*(bot.close() for bot in everyone))
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


async def main(
    publishers: int, steps: list[int], window: float, upload: bool, baseline_ref: str | None
) -> None:
    bots.count_without_decoding()
    with (
        tempfile.TemporaryDirectory() as data_dir,
        SalonServer(Path(data_dir), "--janus", "auto") as server,
    ):
        baseline = None
        if baseline_ref is not None:
            (Path(data_dir) / "baseline").mkdir()
            files = baseline_room_files(baseline_ref, Path(data_dir) / "baseline")
            baseline = (baseline_ref, files)
        warm = Bot(server.base_url, create(server, "group")["roomName"], "warm-up")
        await warm.join()  # starts the managed Janus
        await until(
            lambda: warm.frames and warm.frames[-1]["type"] in ("sfu-published", "sfu-offer"),
            "Janus up",
        )
        await warm.close()
        width, height = PUBLISHER_SIZE
        print(f"group room: {publishers} publishers ({width}x{height} VP8 + Opus bots)")
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
            )
            rows = await sfu_growth(server, browser, publishers, steps, window, baseline)
            p2p = sfu = float("nan")
            if upload:
                p2p = await upload_per_participant(browser, server, "normal", window)
                sfu = await upload_per_participant(browser, server, "group", window)
            await browser.close()
    top = rows[-1]
    per_core = top["tracks"] / max(top["janus_cpu"], 1e-6)
    first = top["first_frame"]
    salon_each = top["salon_cpu"] * 100 / top["participants"]
    print(
        f"sfu: 4-person upload per participant P2P {p2p:.0f} kb/s vs group (SFU) {sfu:.0f} kb/s"
        f" (P2P/SFU {p2p / max(sfu, 1e-6):.2f}) | Salon {salon_each:.2f}% of a core per participant"
        f" | a newcomer's first frame {first:.2f} s after joining at the top step (goal <= 0.35)"
        f" | page load to ready-to-join {top['ready'] / 1000:.2f} s (goal <= 0.3) | Janus"
        f" {top['janus_cpu'] * 100:.1f}% of a core for {top['tracks']:.0f} tracks"
        f" | forwarded tracks per core of Janus={per_core:.0f} (goal >= 400)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--publishers", type=int, default=4)
    parser.add_argument("--steps", default="8,16,24,32", help="subscriber counts, comma-separated")
    parser.add_argument("--window", type=float, default=10.0, help="seconds of each measurement")
    parser.add_argument("--no-upload", action="store_true", help="skip the 4-person upload part")
    parser.add_argument(
        "--baseline",
        metavar="REF",
        help="newcomers also join with the room page's scripts as of this git commit, taking "
        "turns with the current ones, and both breakdowns are printed",
    )
    args = parser.parse_args()
    if not in_veth_namespace():
        command = f"{VETH_SETUP}; exec {sys.executable} {' '.join(sys.argv)}"
        raise SystemExit(subprocess.call(["unshare", "--net", "sh", "-c", command]))
    steps = [int(n) for n in args.steps.split(",")]
    asyncio.run(main(args.publishers, steps, args.window, not args.no_upload, args.baseline))
