"""The soak and chaos suite: `./scripts/soak [--duration-s N] [--chaos kill9,webhook,…]`.

One `salon serve` on loopback (SQLite in a temporary folder, or PostgreSQL on a private cluster of
the suite's own with `--database postgresql`), 1,000 signaling clients in 250 rooms of 4 joining,
chatting, leaving and rejoining, an API client creating, reading and deleting meetings, and every
webhook event delivered to a local receiver. Goals, checked at the end (exit 1 when one is
missed; the figures are printed either way):

- 0 failures other than those inside an injected fault's window;
- RSS growth <= 5 % from the end of the first window to the last one (a window is 5 minutes, or
  a sixth of a shorter run); open file descriptors flat (<= 5 % + 10), and back to their
  pre-load count once every client has left;
- p99 join latency of the last window <= 1.5x the first window's;
- no acknowledged meeting lost, every webhook event delivered at least once, no delivery pending
  or failed, every participant and session closed with its `left`/`ended` event.
With `--chaos`, each fault runs in turn while the load goes on, and must leave rooms usable again
within 10 s with `/readyz` truthful during the outage (memory goals are not judged across
restarts). `--chaos redis` runs cluster mode instead of one process: two nodes (`--node-id a`,
`b`) on the private PostgreSQL cluster and a private `redis-server`, behind nginx, the load going
through nginx; the load's failures during that fault are not forgiven (Salon fails open).
"""

import argparse
import asyncio
import contextlib
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import uvloop  # the load process needs every cycle it can get on a shared machine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cluster.private_redis import RedisServer
from e2e.salon_process import run_cli
from soak import chaos, checks
from soak.front import Front
from soak.load import Load, Stats
from soak.private_postgres import private_cluster
from soak.process import SalonProcess
from webhook_helpers import ALLOW_LOCAL, Receiver

FILES_NEEDED = 8192
RSS_GROWTH_MAX = 0.05
FD_GROWTH_MAX = 0.05
FD_SLACK = 10
JOIN_P99_RATIO_MAX = 1.5
FAULT_GRACE_S = 20.0
"""Failures this long after a fault's end still count as injected (clients back off and retry)."""
RAMP_S = 120.0
"""Clients start spread over this long (or half the first window)."""
FD_SETTLE_S = 60.0
SAMPLE_EVERY_S = 5.0
TMPFS_SIZE = "64m"
HOOK = "/hooks"
CLUSTER_POINTS = 1_000_000


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.99 * len(ordered)) - 1))] if ordered else 0


def raise_file_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < FILES_NEEDED:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(FILES_NEEDED, hard), hard))


@contextmanager
def data_folder(tmpfs: bool) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="salon-soak-") as root:
        data = Path(root) / "data"
        data.mkdir()
        if not tmpfs:
            yield data
            return
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE}", "tmpfs", str(data)],
                       check=True)  # fmt: skip
        try:
            yield data
        finally:
            subprocess.run(["umount", "-l", str(data)], check=False)


@asynccontextmanager
async def running(salon: SalonProcess) -> AsyncIterator[SalonProcess]:
    await asyncio.to_thread(salon.start)
    try:
        yield salon
    finally:
        await asyncio.to_thread(salon.stop)


@asynccontextmanager
async def cluster(
    storage: list[str], logs: Path, extra: list[str]
) -> AsyncIterator[tuple[list[SalonProcess], RedisServer, Front]]:
    """The private Redis, then nodes a and b, then nginx in front of them."""
    redis = RedisServer(logs / "redis")
    front = Front(logs / "nginx")
    # Limits on, with a budget the load never reaches: each call is charged in Redis.
    shared = ["--redis-url", redis.url, "--public-url", front.base_url]
    shared += ["--rate-limit-points", str(CLUSTER_POINTS)]
    nodes = [
        SalonProcess(
            storage,
            logs / name,
            [*extra, *shared, "--node-id", name, "--data-dir", str(logs / name / "data")],
        )
        for name in ("a", "b")
    ]
    started: list[SalonProcess] = []
    try:
        await asyncio.to_thread(redis.start)
        for node in nodes:
            await asyncio.to_thread(node.start)
            started.append(node)
        await asyncio.to_thread(front.start, [f"127.0.0.1:{node.port}" for node in nodes])
        yield nodes, redis, front
    finally:
        await asyncio.to_thread(front.stop)
        for node in reversed(started):
            await asyncio.to_thread(node.stop)
        await asyncio.to_thread(redis.stop)


async def sample(salon: SalonProcess, stats: Stats, out: list[tuple[float, int, int]]) -> None:
    while True:
        with contextlib.suppress(OSError, RuntimeError, AssertionError):  # killed, restarting
            out.append((stats.now(), salon.rss_bytes(), salon.open_fds()))
        await asyncio.sleep(SAMPLE_EVERY_S)


def in_window(at: float, start: float, end: float) -> bool:
    return start <= at < end


async def soak(args: argparse.Namespace, database_url: str, data: Path) -> int:
    storage = ["--database-url", database_url]
    extra = ["--rate-limit-points", "0", "--log-level", "warning", "--session-end-grace-s", "2"]
    # Every client of the soak has one address (127.0.0.1): the per-address join limit (meant
    # for one person's browser) would refuse the load itself, and after an outage the retries
    # made during it would keep refusing joins for a minute.
    extra += ["--room-joins-per-minute", "0"]
    extra += ["--webhook-retries", "12", "--webhook-retry-delay-ms", "500", *ALLOW_LOCAL]
    extra += [] if args.group_rooms else ["--janus", "off"]
    logs = Path(tempfile.mkdtemp(prefix="salon-soak-logs-"))
    stats = Stats()
    verdict = checks.Verdict()
    samples: list[tuple[float, int, int]] = []
    with Receiver() as receiver:
        receiver.plan(HOOK, [200])
        async with contextlib.AsyncExitStack() as stack:
            nodes: list[SalonProcess] = []
            redis: RedisServer | None = None
            if args.cluster:
                nodes, redis, front = await stack.enter_async_context(cluster(storage, logs, extra))
                salon, base_url = nodes[0], front.base_url
                where = f"nginx at {base_url} before nodes {[n.base_url for n in nodes]}"
            else:
                salon = await stack.enter_async_context(running(SalonProcess(storage, logs, extra)))
                base_url, where = salon.base_url, f"salon serve at {salon.base_url}"
            key = _first_key(salon)
            made = ["webhooks", "create", "--url", receiver.url(HOOK), "--json", *ALLOW_LOCAL]
            hook = run_cli(*made, database_url=database_url)
            endpoint_id = json.loads(hook.stdout)["id"]
            print(f"{where}, metrics at {salon.metrics_url}, logs in {logs}", flush=True)
            load = Load(base_url, key, stats)
            rooms = await load.create_rooms(args.rooms, args.group_rooms)
            probe_room, *probe_group = await load.create_rooms(1 + bool(args.group_rooms), 0)
            fds_before = salon.open_fds()
            stats.started = time.monotonic()
            window = min(300.0, args.duration_s / 6)
            ramp = min(RAMP_S, window / 2)
            clients = [
                asyncio.create_task(load.client(rooms[n % len(rooms)], random.uniform(0, ramp)))
                for n in range(args.clients)
            ]
            background = [
                asyncio.create_task(load.api_churn()),
                asyncio.create_task(sample(salon, stats, samples)),
            ]
            rig = chaos.Rig(salon, load, stats, receiver, HOOK, probe_room,
                            probe_group[0] if probe_group else None,
                            data if args.database == "sqlite" else None,
                            args.pg_cluster, nodes, redis)  # fmt: skip
            faults = await _run_faults(args, rig, window)
            await asyncio.sleep(max(0.0, args.duration_s - stats.now()))
            load.stopping.set()
            await asyncio.gather(*clients)
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            ended = stats.now()
            await checks.meetings_kept(base_url, key, load.meetings, verdict)
            await asyncio.sleep(5.0)  # session-end grace (2 s) and the last records
            await checks.database_closed_and_delivered(
                database_url, endpoint_id, receiver, HOOK, verdict
            )
            fds_after = await _settled_fds(salon, fds_before + FD_SLACK)
    _judge(args, stats, samples, faults, window, ended, fds_before, fds_after, verdict)
    return _report(args, stats, faults, verdict)


async def _run_faults(args: argparse.Namespace, rig: chaos.Rig, window: float) -> list[chaos.Fault]:
    faults: list[chaos.Fault] = []
    names = [name for name in args.chaos.split(",") if name]
    if not names:
        return faults
    gap = max(10.0, (args.duration_s - 2 * window) / (len(names) + 1))
    await asyncio.sleep(window)
    for name in names:
        faults.append(await chaos.FAULTS[name](rig))
        print(f"  fault: {faults[-1].line()}", flush=True)
        await asyncio.sleep(gap)
    return faults


async def _settled_fds(salon: SalonProcess, goal: int) -> int:
    """Open fds once idle connections (webhook keep-alives: 15 s) have had time to close."""
    deadline = time.monotonic() + FD_SETTLE_S
    fds = salon.open_fds()
    while fds > goal and time.monotonic() < deadline:
        await asyncio.sleep(1.0)  # the pause between two looks at /proc
        fds = salon.open_fds()
    return fds


def _first_key(salon: SalonProcess) -> str:
    for line in salon.log.splitlines():
        if line.strip().startswith("salon_"):
            return line.strip()
    raise RuntimeError(f"no first API key in the banner:\n{salon.log}")


def _judge(
    args: argparse.Namespace,
    stats: Stats,
    samples: list[tuple[float, int, int]],
    faults: list[chaos.Fault],
    window: float,
    ended: float,
    fds_before: int,
    fds_after: int,
    verdict: checks.Verdict,
) -> None:
    injected = [(f.started, f.ended + FAULT_GRACE_S) for f in faults if f.forgives_failures]
    real = [f for f in stats.failures if not any(in_window(f.at, a, b) for a, b in injected)]
    first = [lat for at, lat in stats.joins if at < window]
    last = [lat for at, lat in stats.joins if ended - window <= at < ended]
    early = [s for s in samples if window <= s[0] < window + window / 5]
    late = [s for s in samples if ended - window / 5 <= s[0] <= ended]
    rss0 = statistics.median(s[1] for s in early) if early else 0
    rss1 = statistics.median(s[1] for s in late) if late else 0
    fd0 = statistics.median(s[2] for s in early) if early else 0
    fd1 = statistics.median(s[2] for s in late) if late else 0
    growth = rss1 / rss0 - 1 if rss0 else 0.0
    ratio = p99(last) / p99(first) if first and last else 0.0
    verdict.figures = {
        "duration": f"{ended:.0f} s (windows of {window:.0f} s)",
        "clients/rooms": f"{args.clients}/{args.rooms} ({args.group_rooms} group rooms)",
        "joins": len(stats.joins),
        "chats sent": stats.chats_sent,
        "API calls": stats.api_calls,
        "failures (injected)": len(stats.failures) - len(real),
        "failures (real)": len(real),
        "join p99 first/last window": f"{p99(first) * 1000:.1f}/{p99(last) * 1000:.1f} ms"
        f" (ratio {ratio:.2f})",
        "RSS after the first window/at the end": f"{rss0 / 2**20:.1f}/{rss1 / 2**20:.1f} MiB"
        f" (growth {growth * 100:+.1f} %)",
        "open fds after the first window/at the end": f"{fd0:.0f}/{fd1:.0f}",
        "open fds before the load/after every client left": f"{fds_before}/{fds_after}",
        "RSS at each window's end (MiB)": " ".join(
            f"{_at(samples, end) / 2**20:.0f}" for end in _window_ends(window, ended)
        ),
        "machine load average (1, 5, 15 min)": " ".join(f"{v:.1f}" for v in os.getloadavg()),
    } | verdict.figures
    verdict.goal(not real, f"{len(real)} failures outside injected faults: {real[:3]}")
    verdict.goal(bool(first) and bool(last), "no joins in the first or the last window")
    if not faults:
        verdict.goal(growth <= RSS_GROWTH_MAX, f"RSS grew {growth * 100:.1f} % (goal <= 5 %)")
        verdict.goal(
            fd1 <= fd0 * (1 + FD_GROWTH_MAX) + FD_SLACK, f"fds grew {fd0:.0f} -> {fd1:.0f}"
        )
        verdict.goal(ratio <= JOIN_P99_RATIO_MAX, f"join p99 ratio {ratio:.2f} (goal <= 1.5)")
    verdict.goal(fds_after <= fds_before + FD_SLACK, f"fds {fds_before} -> {fds_after} after load")
    for fault in faults:
        usable = fault.usable_after_s
        verdict.goal(
            usable is not None and usable <= chaos.USABLE_WITHIN_S,
            f"{fault.name}: rooms usable again after {usable} s (goal <= 10 s)",
        )
        verdict.goal(fault.readyz_truthful, f"{fault.name}: /readyz was not truthful")
        for problem in fault.problems:
            verdict.goal(False, f"{fault.name}: {problem}")


def _window_ends(window: float, ended: float) -> list[float]:
    return [window * n for n in range(1, int(ended // window) + 1)]


def _at(samples: list[tuple[float, int, int]], at: float) -> int:
    """RSS of the sample nearest to `at`."""
    return min(samples, key=lambda s: abs(s[0] - at))[1] if samples else 0


def _report(
    args: argparse.Namespace, stats: Stats, faults: list[chaos.Fault], verdict: checks.Verdict
) -> int:
    print(f"\nsoak on {args.database}" + (f", chaos: {args.chaos}" if args.chaos else ""))
    for name, value in verdict.figures.items():
        print(f"  {name:<48} {value}")
    for fault in faults:
        print(f"  fault: {fault.line()}")
    kinds: dict[str, int] = {}
    for failure in stats.failures:
        kinds[failure.detail.split(":")[0]] = kinds.get(failure.detail.split(":")[0], 0) + 1
    if kinds:
        print(f"  failures by kind: {kinds}")
    if verdict.missed:
        print("GOALS MISSED:\n  " + "\n  ".join(verdict.missed))
        return 1
    print("all goals met")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration-s", type=float, default=1800.0, help="load time (1800)")
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--rooms", type=int, default=250)
    parser.add_argument(
        "--group-rooms", type=int, default=0, help="rooms of them that are group rooms (Janus)"
    )
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgresql"],
        help="sqlite (the default), or a private PostgreSQL cluster (the default for redis)",
    )
    faults = ",".join(chaos.FAULTS)
    parser.add_argument("--chaos", default="", help=f"faults, comma-separated: {faults}")
    args = parser.parse_args()
    unknown = {name for name in args.chaos.split(",") if name} - set(chaos.FAULTS)
    if unknown:
        parser.error(f"unknown faults: {sorted(unknown)}")
    args.cluster = "redis" in args.chaos
    if args.cluster and args.database == "sqlite":
        parser.error("the redis fault runs cluster mode, which needs --database postgresql")
    args.database = args.database or ("postgresql" if args.cluster else "sqlite")
    if "postgres" in args.chaos and args.database != "postgresql":
        parser.error("the postgres fault needs --database postgresql")
    if "disk" in args.chaos and args.database != "sqlite":
        parser.error("the disk fault fills the SQLite data folder: use --database sqlite")
    if "janus" in args.chaos and not args.group_rooms:
        parser.error("the janus fault needs --group-rooms N")
    raise_file_limit()
    args.pg_cluster = None
    with data_folder(tmpfs="disk" in args.chaos) as data:
        if args.database == "sqlite":
            return uvloop.run(soak(args, f"sqlite:///{data}/salon.db", data))
        with private_cluster() as (cluster, url):
            args.pg_cluster = cluster
            return uvloop.run(soak(args, url, data))


if __name__ == "__main__":
    sys.exit(main())
