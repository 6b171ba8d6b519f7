"""Where the soak's memory goes, in a few minutes: one `salon serve` (SQLite) under `tracemalloc`,
driven by the soak's own load (fewer clients), with a snapshot after the warm-up and one at the end.

    .venv/bin/python bench/soak_memory.py [--clients 200] [--rooms 50] [--duration-s 210]

Prints the top growth by traceback, the live objects whose count grew (by type), and RSS beside
tracemalloc's traced total at both points (real growth, or the allocator's fragmentation?), then,
LAST, the absolute figures. The server is started by pid and stopped by pid.
"""

import argparse
import asyncio
import collections
import gc
import json
import os
import pickle
import random
import signal
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

FRAMES = 12


def _rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def _dump(out: Path, collect: bool) -> None:
    """In the server: its snapshot, object counts, RSS and traced totals, into `out`."""
    counts = collections.Counter(type(o).__qualname__ for o in gc.get_objects())
    before = {"rss": _rss(), "traced": tracemalloc.get_traced_memory()[0]}
    snapshot = tracemalloc.take_snapshot()
    # Only at the end: a full collection at the warm-up would change what the run accumulates.
    unreachable = gc.collect() if collect else 0
    after = {"rss": _rss(), "traced": tracemalloc.get_traced_memory()[0]}
    with out.open("wb") as file:
        pickle.dump(
            {
                "snapshot": snapshot,
                "counts": counts,
                "before_collect": before,
                "after_collect": after,
                "unreachable": unreachable,
            },
            file,
        )


def serve(dump_dir: Path, argv: list[str]) -> int:
    """The server's side: `salon serve` with SIGUSR1 → a dump numbered in order."""
    taken = [0]
    trace = os.environ.get("SOAK_MEMORY_TRACE", "1") == "1"

    def on_signal(_signum: int, _frame: Any) -> None:
        # Tracing starts after the warm-up (from the start it slows a loaded machine's startup
        # past any deadline): what the last snapshot holds is what the run kept since then.
        if trace and not tracemalloc.is_tracing():
            tracemalloc.start(FRAMES)
        taken[0] += 1
        _dump(dump_dir / f"dump-{taken[0]}.pickle", collect=taken[0] > 1)
        (dump_dir / f"done-{taken[0]}").touch()

    signal.signal(signal.SIGUSR1, on_signal)
    from salon.cli import main

    return main(["serve", *argv])


async def _wait_for(path: Path, within_s: float) -> None:
    deadline = time.monotonic() + within_s
    while not await asyncio.to_thread(path.exists):
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {path}")
        await asyncio.sleep(0.2)


async def drive(args: argparse.Namespace) -> None:
    import httpx

    from e2e.salon_process import HOST, clean_env, free_port
    from soak.load import Load, Stats

    work = Path(tempfile.mkdtemp(prefix="salon-soak-memory-"))
    port = free_port()
    base = f"http://{HOST}:{port}"
    serve_args = ["--host", HOST, "--port", str(port), "--data-dir", str(work / "data")]
    serve_args += ["--rate-limit-points", "0", "--log-level", "warning", "--janus", "off"]
    serve_args += ["--session-end-grace-s", "2"]
    env = clean_env({"SOAK_MEMORY_TRACE": "1" if args.trace else "0"})
    if args.arena_max:
        env["MALLOC_ARENA_MAX"] = str(args.arena_max)
    log = (work / "serve.log").open("wb")
    server = await asyncio.to_thread(
        subprocess.Popen,
        [sys.executable, __file__, "--serve", str(work), *serve_args],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 240
        while True:
            try:
                async with httpx.AsyncClient(timeout=1) as probe:
                    healthy = (await probe.get(f"{base}/healthz")).status_code == 200
                if healthy:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError((work / "serve.log").read_text())
            await asyncio.sleep(0.2)
        key = next(
            line.strip()
            for line in (work / "serve.log").read_text().splitlines()
            if line.strip().startswith("salon_")
        )
        stats = Stats()
        load = Load(base, key, stats)
        rooms = await load.create_rooms(args.rooms, 0)
        ramp = min(30.0, args.warmup_s / 2)
        clients = [
            asyncio.create_task(load.client(rooms[n % len(rooms)], random.uniform(0, ramp)))
            for n in range(args.clients)
        ]
        churn = asyncio.create_task(load.api_churn(0.2))
        rss_series: list[tuple[float, int]] = []

        def rss_of_server() -> int:
            for line in Path(f"/proc/{server.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
            return 0

        async def sample() -> None:
            while True:
                rss_series.append((stats.now(), rss_of_server()))
                await asyncio.sleep(10)

        sampler = asyncio.create_task(sample())
        await asyncio.sleep(args.warmup_s)
        os.kill(server.pid, signal.SIGUSR1)
        await _wait_for(work / "done-1", 120)
        await asyncio.sleep(max(0.0, args.duration_s - stats.now()))
        os.kill(server.pid, signal.SIGUSR1)
        await _wait_for(work / "done-2", 300)
        load.stopping.set()
        await asyncio.gather(*clients)
        churn.cancel()
        sampler.cancel()
        await asyncio.gather(churn, sampler, return_exceptions=True)
        _report(args, work, stats, rss_series)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _report(
    args: argparse.Namespace, work: Path, stats: Any, rss_series: list[tuple[float, int]]
) -> None:
    with (work / "dump-1.pickle").open("rb") as file:
        first = pickle.load(file)  # noqa: S301 (this run's own dumps)
    with (work / "dump-2.pickle").open("rb") as file:
        last = pickle.load(file)  # noqa: S301 (this run's own dumps)
    mib = 2**20
    if args.trace:
        print("\ntop growth by traceback:")
        for stat in last["snapshot"].compare_to(first["snapshot"], "traceback")[: args.top]:
            print(f"  +{stat.size_diff / 1024:.0f} KiB, +{stat.count_diff} blocks")
            for line in stat.traceback.format()[-2 * FRAMES :]:
                print("    " + line)
    print("\nlive objects whose count grew (type: first -> last):")
    grown = [(t, first["counts"].get(t, 0), n) for t, n in last["counts"].items()]
    grown = [g for g in grown if g[2] - g[1] > 50]
    for name, a, b in sorted(grown, key=lambda g: g[1] - g[2])[:40]:
        print(f"  {name:<50} {a:>8} -> {b:>8} (+{b - a})")
    print("\nRSS over time (s: MiB): " + " ".join(f"{t:.0f}:{r / mib:.0f}" for t, r in rss_series))
    print(f"joins {len(stats.joins)}, failures {len(stats.failures)}, api calls {stats.api_calls}")
    for name, dump in (("warm-up", first), ("end", last)):
        b, a = dump["before_collect"], dump["after_collect"]
        print(
            f"{name:>8}: RSS {b['rss'] / mib:.1f} MiB, traced {b['traced'] / mib:.1f} MiB;"
            f" after gc.collect() ({dump['unreachable']} unreachable):"
            f" RSS {a['rss'] / mib:.1f} MiB, traced {a['traced'] / mib:.1f} MiB"
        )
    growth = last["before_collect"]["rss"] / first["before_collect"]["rss"] - 1
    print(json.dumps({"rss_growth_pct": round(growth * 100, 1)}))


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--serve":
        return serve(Path(sys.argv[2]), sys.argv[3:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--rooms", type=int, default=50)
    parser.add_argument("--warmup-s", type=float, default=60.0)
    parser.add_argument("--duration-s", type=float, default=210.0)
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--no-trace", dest="trace", action="store_false")
    parser.add_argument("--arena-max", type=int, default=0, help="MALLOC_ARENA_MAX for the server")
    args = parser.parse_args()
    import uvloop

    uvloop.run(drive(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
