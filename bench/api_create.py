"""Benchmark: `POST /v1/meetings` against the no-op `GET /healthz`, on one `salon serve` process.

Run: `.venv/bin/python bench/api_create.py [--seconds N] [--database-url postgresql://…
[--redis-url redis://…/DB]]` (default 10 s per measured round).

It starts one server over SQLite in a temporary data dir (`--rate-limit-points 0
--log-level warning`, 127.0.0.1, a free port) and, with `--database-url`, then one over a
database of its own made on that PostgreSQL server (dropped at the end), with synchronous commit
as the server has it (on by default). Each server is measured against its own no-op route, and the
figures are printed side by side. With `--redis-url` too, `scripts/cluster 2` runs two nodes
over another database of its own behind nginx, measured through nginx (both nodes, nginx, wrk
and PostgreSQL share this machine's cores: it shows the cost of the hop, not a cluster's
capacity). It reads the first key from the banner, and drives both routes
with Debian's `wrk` (`-t1 -c32 --latency`); the create body is
`{"endDate":"2099-01-01T00:00:00Z","fields":["hostRoomUrl"]}`, set by a Lua script.

Noise: first a short warm-up of each route (2 s, discarded: first-request costs, caches, the
allocator and the SQLite file settling), then the rounds alternate noop, create, noop, create, each
for the full duration, so that slow drift of the machine (another job, thermal throttling) hits
both routes alike. Each route is reported by its better round (the one least disturbed by the
machine); every round is printed in the table. Any non-2xx response or socket error fails the
run (exit 1), as does a missing `wrk`. The last line is the one-line summary.
"""

import argparse
import asyncio
import contextlib
import json
import os
import re
import secrets
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from salon_server import BenchError, SalonServer

CREATE_BODY = '{"endDate":"2099-01-01T00:00:00Z","fields":["hostRoomUrl"]}'
WARM_UP_S = 2
CONNECTIONS = 32
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


@dataclass(frozen=True)
class Round:
    route: str
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int


def to_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if match is None:
        raise BenchError(f"unreadable wrk duration {text!r}")
    return float(match.group(1)) * UNITS_MS[match.group(2)]


def parse_wrk(route: str, output: str) -> Round:
    """Requests/sec and the 50 %/99 % latencies; no socket error nor non-2xx response allowed."""
    errors = re.search(r"Socket errors: (.*)", output)
    if errors and any(int(n) for n in re.findall(r"\d+", errors.group(1))):
        raise BenchError(f"{route}: wrk saw socket errors ({errors.group(1)})\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        raise BenchError(f"{route}: {non_2xx.group(1)} non-2xx responses\n{output}")
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)\s*$", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)\s*$", output, re.MULTILINE)
    total = re.search(r"(\d+) requests in", output)
    if not (rate and p50 and p99 and total):
        raise BenchError(f"{route}: unexpected wrk output\n{output}")
    if int(total.group(1)) == 0:
        raise BenchError(f"{route}: no request completed\n{output}")
    return Round(
        route, float(rate.group(1)), to_ms(p50.group(1)), to_ms(p99.group(1)), int(total.group(1))
    )


def run_wrk(wrk: str, route: str, url: str, seconds: int, script: Path | None) -> Round:
    command = [wrk, "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
    command += ["-s", str(script)] if script else []
    ran = subprocess.run(
        [*command, url], capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    if ran.returncode != 0:
        raise BenchError(f"wrk exited with {ran.returncode}: {ran.stderr}{ran.stdout}")
    return parse_wrk(route, ran.stdout)


def check_create(base_url: str, key: str) -> None:
    """One create by hand, so that a wrong setup fails with the server's own words."""
    request = urllib.request.Request(
        f"{base_url}/v1/meetings",
        data=CREATE_BODY.encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            created = json.loads(answer.read())
    except urllib.error.HTTPError as error:
        raise BenchError(f"POST /v1/meetings: {error.code} {error.read()!r}") from None
    if answer.status != 201 or "?roomKey=" not in created.get("hostRoomUrl", ""):
        raise BenchError(f"POST /v1/meetings: unexpected {answer.status} {created}")


def lua_script(key: str) -> str:
    return (
        'wrk.method = "POST"\n'
        f"wrk.body = '{CREATE_BODY}'\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {key}"\n'
    )


def measure(wrk: str, base_url: str, key: str, seconds: int, work: Path) -> list[Round]:
    script = work / "create.lua"
    script.write_text(lua_script(key))
    noop = (f"{base_url}/healthz", None)
    create = (f"{base_url}/v1/meetings", script)
    for url, lua in (noop, create):
        run_wrk(wrk, "warm-up", url, WARM_UP_S, lua)
    rounds: list[Round] = []
    for route, (url, lua) in [("noop", noop), ("create", create)] * 2:
        rounds.append(run_wrk(wrk, route, url, seconds, lua))
        print(f"  {route:6} round done: {rounds[-1].requests_per_s:,.0f} req/s", flush=True)
    return rounds


def best(rounds: list[Round], route: str) -> Round:
    return max((r for r in rounds if r.route == route), key=lambda r: r.requests_per_s)


GOALS = {
    "SQLite": "goal >= 0.5, p99 <= 50 ms",
    "PostgreSQL": "goal >= 0.3, p99 <= 50 ms",
    "2 nodes": "PostgreSQL + Redis behind nginx, both nodes on this machine",
}


def report(measured: dict[str, list[Round]]) -> None:
    print(
        f"\n{'engine':<12}{'round':<8}{'route':<8}{'requests':>10}{'req/s':>10}"
        f"{'p50 ms':>9}{'p99 ms':>9}"
    )
    for engine, rounds in measured.items():
        for number, r in enumerate(rounds, 1):
            print(
                f"{engine:<12}{number:<8}{r.route:<8}{r.requests:>10}{r.requests_per_s:>10.0f}"
                f"{r.p50_ms:>9.2f}{r.p99_ms:>9.2f}"
            )
    print()
    for engine, rounds in measured.items():
        create, noop = best(rounds, "create"), best(rounds, "noop")
        print(
            f"api_create {engine:<10}: creates/s={create.requests_per_s:.0f}"
            f" p50={create.p50_ms:.1f}ms p99={create.p99_ms:.1f}ms"
            f" | noop/s={noop.requests_per_s:.0f} p50={noop.p50_ms:.1f}ms"
            f" p99={noop.p99_ms:.1f}ms | ratio creates/noop="
            f"{create.requests_per_s / noop.requests_per_s:.2f} ({GOALS[engine]})"
        )


async def _admin(admin_url: str, statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(admin_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextlib.contextmanager
def own_database(admin_url: str) -> Iterator[str]:
    """A database of the benchmark's own on the server of `admin_url`, dropped afterwards."""
    name = f"salon_bench_{secrets.token_hex(4)}"
    asyncio.run(_admin(admin_url, f'CREATE DATABASE "{name}"'))
    try:
        yield f"{admin_url.rsplit('/', 1)[0]}/{name}"
    finally:
        asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def run_engine(wrk: str, seconds: int, work: Path, engine: str, *flags: str) -> list[Round]:
    with SalonServer(work, "--rate-limit-points", "0", *flags) as server:
        check_create(server.base_url, server.key)
        print(f"{engine}: salon serve (pid {server.pid}) at {server.base_url}")
        print(f"wrk -t1 -c{CONNECTIONS} -d{seconds}s: warm-up, then noop/create x2")
        return measure(wrk, server.base_url, server.key, seconds, work)


CLUSTER_SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "cluster"
CLUSTER_STARTS_WITHIN_S = 120.0


@contextlib.contextmanager
def cluster_of_two(admin_url: str, database: str, redis_url: str, work: Path) -> Iterator[Any]:
    """`scripts/cluster 2` (nginx in front of two nodes) over `database`: (base URL, key)."""
    port = free_port_run(3)
    env = {
        **os.environ,
        "SALON_CLUSTER_POSTGRES": admin_url,
        "SALON_CLUSTER_DATABASE": database,
        "SALON_CLUSTER_REDIS": redis_url,
        "SALON_CLUSTER_DATA": str(work / "nodes"),
    }
    command = [str(CLUSTER_SCRIPT), "2", "--port", str(port), "--rate-limit-points", "0"]
    command += ["--janus", "off", "--log-level", "warning"]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, start_new_session=True
    )
    assert process.stdout is not None
    banner = ""
    try:
        deadline = time.monotonic() + CLUSTER_STARTS_WITHIN_S
        while "Ctrl-C" not in banner:
            left = deadline - time.monotonic()
            if left <= 0 or process.poll() is not None:
                raise BenchError(f"scripts/cluster did not start:\n{banner}")
            if select.select([process.stdout], [], [], left)[0]:
                banner += os.read(process.stdout.fileno(), 65536).decode()
        base = re.search(r"Base URL:\s+(\S+)", banner)
        key = re.search(r"^\s+(salon_[a-z0-9]{12}_\S+)\s*$", banner, re.MULTILINE)
        if base is None or key is None:
            raise BenchError(f"unreadable scripts/cluster banner:\n{banner}")
        yield base.group(1), key.group(1)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        process.stdout.close()


def free_port_run(count: int) -> int:
    """A port P with P … P+count-1 free on 127.0.0.1."""
    for _ in range(100):
        base = secrets.randbelow(20_000) + 30_000
        probes: list[socket.socket] = []
        try:
            for offset in range(count):
                probe = socket.socket()
                probes.append(probe)
                probe.bind(("127.0.0.1", base + offset))
            return base
        except OSError:
            continue
        finally:
            for probe in probes:
                probe.close()
    raise BenchError("no free run of ports")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="per measured round (default 10)")
    parser.add_argument(
        "--database-url",
        help="postgresql://USER@HOST/DB of a server to also measure (a database of its own is "
        "made there and dropped)",
    )
    parser.add_argument(
        "--redis-url",
        help="with --database-url: also measure two nodes behind nginx (scripts/cluster 2) "
        "sharing this Redis, e.g. redis://127.0.0.1:6379/9 (use a database nobody else uses)",
    )
    args = parser.parse_args()
    seconds = args.seconds
    if seconds < 1:
        parser.error("--seconds must be at least 1")
    wrk = shutil.which("wrk")
    if wrk is None:
        hint = "install it with: sudo apt-get install wrk"
        print(f"api_create: FAILED: wrk not found; {hint}", file=sys.stderr)
        return 1
    measured: dict[str, list[Round]] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="salon-bench-") as temp:
            measured["SQLite"] = run_engine(wrk, seconds, Path(temp), "SQLite")
        if args.database_url:
            with (
                tempfile.TemporaryDirectory(prefix="salon-bench-") as temp,
                own_database(args.database_url) as url,
            ):
                measured["PostgreSQL"] = run_engine(
                    wrk, seconds, Path(temp), "PostgreSQL", "--database-url", url
                )
        if args.database_url and args.redis_url:
            with (
                tempfile.TemporaryDirectory(prefix="salon-bench-") as temp,
                own_database(args.database_url) as url,
                cluster_of_two(
                    args.database_url, url.rsplit("/", 1)[1], args.redis_url, Path(temp)
                ) as (base_url, key),
            ):
                check_create(base_url, key)
                print(f"2 nodes: scripts/cluster 2, nginx at {base_url}")
                measured["2 nodes"] = measure(wrk, base_url, key, seconds, Path(temp))
    except BenchError as error:
        print(f"api_create: FAILED: {error}", file=sys.stderr)
        return 1
    report(measured)
    return 0


if __name__ == "__main__":
    sys.exit(main())
