"""Benchmark: from clicking "Join" to the first remote video frame decoded, in a two-person room,
joining from Chromium and joining from Firefox, with the Chromium time broken down by step.

Run: `.venv/bin/python bench/first_frame.py [--runs 10]` (as root: it re-runs itself inside a
private network namespace with only `lo`, as the browser tests do, so no media leaves the machine).

One `salon serve` on SQLite, one Debian Chromium (Playwright) and one Debian Firefox ESR (WebDriver
BiDi, tests/browser/bidi.py), fake cameras and microphones. For each run a fresh meeting: Ada joins
in Chromium and waits; Bo fills in the pre-call screen, and the clock starts when Bo's page clicks
"Join"; it stops when Bo's peer connection to Ada reports a decoded video frame (`getStats()`,
polled every 10 ms inside the page). Bo joins once in Chromium and once in Firefox in every run.
Bo also joins in Chromium by the automatic path (`displayName` with `precallReview=off`), timed
from the moment the page could join (its `salon:ready` mark) to the first decoded frame. For both
Chromium paths each run prints the steps (bench/join_breakdown.py): socket open, `joined`, local
media ready, offer sent, answer applied, ICE connected, DTLS connected, first packet, first frame,
each in milliseconds after the click (negative: before it), and the page load before (navigation
start to the module graph loaded and to ready-to-join); then their medians.
The baseline, in the same run and each browser: two `RTCPeerConnection`s in one page exchanging the
same fake camera directly, from `createOffer` to the first decoded frame — the browser's own floor,
with no server and no UI. The last line prints the medians, then the ratios (Salon over the
browser's floor, Firefox over Chromium). Goals: Salon's median ≤ 2× the floor in Chromium (the
click, and the automatic join), ≤ 1.0 s in both browsers.
"""

import argparse
import asyncio
import contextlib
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, async_playwright
from playwright.async_api import TimeoutError as PlaywrightTimeout

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))  # the Firefox driver of the browser tests
from browser.bidi import Firefox  # noqa: E402
from browser.firefox import FirefoxCrowd  # noqa: E402
from browser.firefox import expect as expect_firefox  # noqa: E402
from browser.harness import Crowd  # noqa: E402
from join_breakdown import (  # noqa: E402
    FRAME_DECODED_JS,
    MARKS_JS,
    OFFERS_JS,
    Breakdown,
    collect,
    collect_other,
)
from salon_server import SalonServer  # noqa: E402

CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--allow-loopback-in-peer-connection",
]  # fmt: skip
DEADLINE_MS = 30_000
SETTLE_MS = 1_000
"""After the first frame, how long a renegotiation has to show before the offers are counted."""

# Bo's Chromium page: click Join, and say when (the page's clock); the init script times the rest.
CLICK_JS = """
() => {
  const at = performance.now();
  document.querySelector('[data-testid="precall-join"]').click();
  return at;
}
"""

# Bo's Firefox page: click Join, then poll the peer connection to `peer` until a frame decodes.
JOIN_AND_TIME_JS = """
async ([peer, deadline]) => {
  const start = performance.now();
  document.querySelector('[data-testid="precall-join"]').click();
  while (performance.now() - start < deadline) {
    const pc = window.salonRoom && window.salonRoom.peers.get(peer);
    if (pc) {
      const stats = await pc.getStats();
      for (const report of stats.values()) {
        if (report.type === "inbound-rtp" && report.kind === "video" && report.framesDecoded > 0) {
          return performance.now() - start;
        }
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return -1;
}
"""

LOOPBACK_JS = """
async (deadline) => {
  const stream = await navigator.mediaDevices.getUserMedia({video: true, audio: true});
  const a = new RTCPeerConnection(), b = new RTCPeerConnection();
  a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
  b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
  stream.getTracks().forEach((t) => a.addTrack(t, stream));
  const start = performance.now();
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription);
  while (performance.now() - start < deadline) {
    for (const report of (await b.getStats()).values()) {
      if (report.type === "inbound-rtp" && report.kind === "video" && report.framesDecoded > 0) {
        const took = performance.now() - start;
        a.close(); b.close(); stream.getTracks().forEach((t) => t.stop());
        return took;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return -1;
}
"""


def in_private_namespace() -> bool:
    """Only `lo` in sight: the namespace `unshare --net` makes (PID 1's links are unreadable in
    this sandbox, so the interfaces are what is checked)."""
    return [name for _, name in socket.if_nameindex()] == ["lo"]


def create_meeting(server: SalonServer) -> str:
    request = urllib.request.Request(
        f"{server.base_url}/v1/meetings",
        data=json.dumps({"endDate": "2099-01-01T00:00:00Z"}).encode(),
        headers={"Authorization": f"Bearer {server.key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        url: str = json.load(answer)["roomUrl"]
    return url


async def join_as(browser: Browser, url: str, name: str) -> tuple[Any, str]:
    context = await browser.new_context(viewport={"width": 960, "height": 600})
    await context.add_init_script(MARKS_JS)
    page = await context.new_page()
    await page.goto(f"{url}?displayName={name}&precallReview=off")
    await page.wait_for_function("() => window.salonRoom?.state().me?.id", timeout=DEADLINE_MS)
    me: str = await page.evaluate("() => window.salonRoom.state().me.id")
    return context, me


async def one_run(browser: Browser, server: SalonServer, precall: bool) -> dict[str, float]:
    """Bo joins Ada in Chromium, through the pre-call screen (timed from the click) or straight
    in (timed from the page's `salon:ready`): the steps of Bo's join."""
    url = create_meeting(server)
    ada, _ = await join_as(browser, url, "Ada")
    ada_page = ada.pages[0]
    bo = await browser.new_context(viewport={"width": 960, "height": 600})
    try:
        await bo.add_init_script(MARKS_JS)
        page = await bo.new_page()
        click_ms: float | None = None
        if precall:
            await page.goto(url)
            await page.fill('[data-testid="precall-name"]', "Bo")
            await page.wait_for_selector('[data-testid="precall-join"]:not([disabled])')
            click_ms = await page.evaluate(CLICK_JS)
        else:
            await page.goto(f"{url}?displayName=Bo&precallReview=off", wait_until="commit")
        try:
            await page.wait_for_function(FRAME_DECODED_JS, timeout=DEADLINE_MS, polling=50)
        except PlaywrightTimeout:
            raise SystemExit("first_frame: FAILED: no remote frame within the deadline") from None
        steps = await collect(page, click_ms)
        other = await collect_other(ada_page, steps, "ada.")
        await page.wait_for_timeout(SETTLE_MS)
        return {**steps, **other, "offers": await page.evaluate(OFFERS_JS)}
    finally:
        await bo.close()
        await ada.close()


async def one_firefox_run(firefox: Firefox, browser: Browser, server: SalonServer) -> float:
    """One run with Bo in Firefox (a user context of its own) and Ada in Chromium."""
    url = create_meeting(server)
    ada, ada_id = await join_as(browser, url, "Ada")
    people = FirefoxCrowd(firefox, Crowd(browser, []))
    try:
        bo = await people.person("Bo")
        await bo.page.goto(url)
        await bo.testid("precall-name").fill("Bo")
        await expect_firefox(bo.testid("precall-join")).to_be_enabled()
        took: float = await bo.page.evaluate(JOIN_AND_TIME_JS, [ada_id, DEADLINE_MS])
    finally:
        await people.close()
        await ada.close()
    if took < 0:
        raise SystemExit("first_frame: FAILED: no remote frame in Firefox within the deadline")
    return took


def summary(name: str, values: list[float]) -> str:
    low, high = min(values), max(values)
    return f"{name} median={statistics.median(values):.0f}ms (min {low:.0f}, max {high:.0f})"


def baseline_source(ref: str, into: Path) -> Path:
    """`src` of the git commit `ref`, written under `into`: the server and page before a change."""
    archive = subprocess.run(
        ["git", "-C", str(HERE.parent), "archive", ref, "src"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    compiled = [sys.executable, "-m", "compileall", "-q", str(into / "src")]
    subprocess.run(compiled, check=True, capture_output=True)  # starts as fast as the other
    return into / "src"


PAGE_LOAD_JS = """
() => {
  const mark = (name) => performance.getEntriesByName(name)[0]?.startTime ?? -1;
  const nav = performance.getEntriesByType('navigation')[0];
  const scripts = performance.getEntriesByType('resource').filter((r) => r.name.endsWith('.js'));
  return {
    html: nav.responseEnd,
    'first-js': Math.min(...scripts.map((r) => r.startTime)),
    'last-js': Math.max(...scripts.map((r) => r.responseEnd)),
    scripts: scripts.length,
    modules: mark('salon:modules'),
    ready: mark('salon:ready'),
    load: nav.loadEventEnd,
  };
}
"""
"""Page load, from navigation start: the page's HTML in, the first module asked for, the last
module in, the graph evaluated (`salon:modules`), ready to join, the `load` event done."""


async def page_load(browser: Browser, server: SalonServer) -> dict[str, float]:
    """One room page loaded in a fresh context (nothing cached), up to ready-to-join: its module
    graph and ready marks, from navigation start (a pre-call page: nobody joins)."""
    url = create_meeting(server)
    context = await browser.new_context(viewport={"width": 960, "height": 600})
    try:
        page = await context.new_page()
        await page.goto(url, wait_until="commit")
        await page.wait_for_function(
            "() => performance.getEntriesByName('salon:ready').length > 0"
            " && performance.getEntriesByType('navigation')[0].loadEventEnd > 0",
            timeout=DEADLINE_MS,
        )
        marks: dict[str, float] = await page.evaluate(PAGE_LOAD_JS)
        return marks
    finally:
        await context.close()


class Variant:
    """One server's Chromium joins (the current code, or a baseline's) and their breakdowns."""

    def __init__(self, name: str, server: SalonServer) -> None:
        self.name, self.server = name, server
        self.salon: list[float] = []
        self.auto: list[float] = []
        self.clicked = Breakdown(f"{name}: pre-call (from the click)")
        self.straight = Breakdown(f"{name}: auto-join")
        self.loads: list[dict[str, float]] = []

    async def load_page(self, browser: Browser) -> None:
        self.loads.append(await page_load(browser, self.server))

    def load_result(self) -> str:
        medians = {
            key: statistics.median(load[key] for load in self.loads) for key in self.loads[0]
        }
        steps = " ".join(f"{key}={value:.0f}" for key, value in medians.items())
        return (
            f"{self.name}: page load, median of {len(self.loads)} fresh pages (ms from navigation"
            f" start): {steps} (goal: ready <= 300 ms)"
        )

    async def run(self, browser: Browser, counted: bool) -> str:
        steps = await one_run(browser, self.server, precall=True)
        auto_steps = await one_run(browser, self.server, precall=False)
        if not counted:
            return ""
        self.salon.append(steps["frame"])
        self.auto.append(auto_steps["frame"])
        return (
            f"  {self.name}: chromium salon {steps['frame']:7.1f} ms"
            f"  auto-join {auto_steps['frame']:7.1f} ms\n"
            f"{self.clicked.add(steps)}\n{self.straight.add(auto_steps)}"
        )

    def result(self, floor: float) -> str:
        median = statistics.median
        return (
            f"{self.name}: {summary('chromium salon', self.salon)}"
            f" | {summary('chromium auto-join', self.auto)}"
            f" | ratio salon/direct={median(self.salon) / floor:.2f}"
            f", auto-join/direct={median(self.auto) / floor:.2f}"
        )


async def main(runs: int, with_firefox: bool, baseline: str | None, page_loads: int) -> None:
    firefox = await Firefox.launch() if with_firefox else None
    with contextlib.ExitStack() as stack:
        data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        server = stack.enter_context(SalonServer(data_dir))
        variants = [Variant("now", server)]
        if baseline is not None:
            (data_dir / "baseline").mkdir()
            source = baseline_source(baseline, data_dir / "baseline")
            (data_dir / "baseline-data").mkdir()
            before = SalonServer(data_dir / "baseline-data", source=source)
            variants.insert(0, Variant(f"baseline {baseline}", stack.enter_context(before)))
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
            )
            for load in range(page_loads + 1 if page_loads else 0):  # the first warms up
                for variant in variants if load % 2 else variants[::-1]:
                    await variant.load_page(browser)
                    if not load:
                        variant.loads.clear()
            floor, fox_salon, fox_floor = [], [], []
            for run in range(runs + 1 if runs else 0):  # the first run warms caches up
                # Before and after take turns, in alternating order, so that load hits both.
                order = variants if run % 2 else variants[::-1]
                rows = [await variant.run(browser, counted=run > 0) for variant in order]
                page = await browser.new_page()
                await page.goto(f"{server.base_url}/healthz")  # a secure context: 127.0.0.1
                direct: float = await page.evaluate(LOOPBACK_JS, DEADLINE_MS)
                await page.close()
                fox_took, fox_direct = float("nan"), float("nan")
                if firefox is not None:
                    fox_took = await one_firefox_run(firefox, browser, server)
                    loopback = FirefoxCrowd(firefox, Crowd(browser, []))
                    fox_page = (await loopback.person("loopback")).page
                    await fox_page.goto(f"{server.base_url}/healthz")
                    fox_direct = await fox_page.evaluate(LOOPBACK_JS, DEADLINE_MS)
                    await loopback.close()
                if run:
                    floor.append(direct)
                    fox_salon.append(fox_took)
                    fox_floor.append(fox_direct)
                    print(
                        f"run {run:2}: direct {direct:7.1f} ms"
                        f"   firefox salon {fox_took:7.1f} ms  direct {fox_direct:7.1f} ms"
                    )
                    print("\n".join(rows), flush=True)
            await browser.close()
    if firefox is not None:
        await firefox.close()
    median = statistics.median
    for variant in variants:
        if variant.loads:
            print(variant.load_result())
    if not runs:
        return
    for variant in variants:
        print(variant.clicked.table())
        print(variant.straight.table())
    for variant in variants[:-1]:
        print(variant.result(median(floor)))
    now = variants[-1]
    print(
        f"first_frame: {summary('chromium salon', now.salon)}"
        f" | {summary('chromium auto-join', now.auto)}"
        f" | {summary('firefox salon', fox_salon)}"
        f" | direct loopback chromium median={median(floor):.0f}ms"
        f", firefox median={median(fox_floor):.0f}ms"
        f" | ratio salon/direct chromium={median(now.salon) / median(floor):.2f}"
        f", auto-join={median(now.auto) / median(floor):.2f}"
        f", firefox={median(fox_salon) / median(fox_floor):.2f}"
        f" | ratio firefox/chromium salon={median(fox_salon) / median(now.salon):.2f}"
        " (goals: chromium salon/direct <= 2.00, salon <= 1000 ms in both)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--no-firefox", action="store_true", help="Chromium only (quicker)")
    parser.add_argument(
        "--baseline",
        metavar="REF",
        help="also join through Salon as of this git commit (its own server), taking turns with "
        "the current code in every run, and print both (e.g. --baseline HEAD~3)",
    )
    parser.add_argument(
        "--page-loads",
        type=int,
        default=0,
        metavar="N",
        help="first load the room page N times in fresh contexts (each variant in turn) and print "
        "the module graph and ready-to-join medians (with --runs 0: only that)",
    )
    args = parser.parse_args()
    if not in_private_namespace():
        command = f"ip link set lo up && exec {sys.executable} {' '.join(sys.argv)}"
        raise SystemExit(subprocess.call(["unshare", "--net", "sh", "-c", command]))
    asyncio.run(main(args.runs, not args.no_firefox, args.baseline, args.page_loads))
