"""Benchmark: the room app's static files, served from memory by `salon serve`, against
Starlette's `StaticFiles` over the same folder (what Salon used before), in one run.

Run: `.venv/bin/python bench/static_files.py [--seconds N]` (default 5 s per measured round).

A room page pulls about 55 small modules and stylesheets, so every participant who joins costs the
server that many file requests. One `salon serve` (SQLite in a temporary folder) and, beside it,
one uvicorn process whose only route is `StaticFiles(directory=<Salon's static folder>)`; Debian's
`wrk` (`-t1 -c32 --latency`) fetches the room's entry module (`room/main.js`, 14 KB) from each,
alternating rounds (memory, disk, memory, disk) after a warm-up, each reported by its better
round. The last line gives both rates and their ratio.
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from api_create import WARM_UP_S, Round, best, run_wrk
from salon.pages.room import STATIC_DIR
from salon_server import HOST, BenchError, SalonServer, free_port, wait_answers

FILE = "room/main.js"
STARLETTE_STATIC_FILES = """
import sys
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

app = Starlette(routes=[Mount("/static", StaticFiles(directory=sys.argv[1]))])
uvicorn.run(app, host=sys.argv[2], port=int(sys.argv[3]), log_level="warning")
"""


def measure(wrk: str, memory_url: str, disk_url: str, seconds: int) -> list[Round]:
    for url in (memory_url, disk_url):
        run_wrk(wrk, "warm-up", url, WARM_UP_S, None)
    rounds = []
    for route, url in [("memory", memory_url), ("disk", disk_url)] * 2:
        rounds.append(run_wrk(wrk, route, url, seconds, None))
        print(f"  {route:6} round done: {rounds[-1].requests_per_s:,.0f} req/s", flush=True)
    return rounds


def main(seconds: int) -> None:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise BenchError("wrk is missing: apt-get install -y wrk")
    port = free_port()
    disk = subprocess.Popen(
        [sys.executable, "-c", STARLETTE_STATIC_FILES, str(STATIC_DIR), HOST, str(port)]
    )
    try:
        disk_url = f"http://{HOST}:{port}/static/{FILE}"
        wait_answers(disk_url, disk, lambda: "")
        with tempfile.TemporaryDirectory() as data_dir, SalonServer(Path(data_dir)) as server:
            rounds = measure(wrk, f"{server.base_url}/_salon/static/{FILE}", disk_url, seconds)
    finally:
        disk.terminate()
        disk.wait(timeout=10)
    memory, baseline = best(rounds, "memory"), best(rounds, "disk")
    print(
        f"static_files: {FILE} from memory {memory.requests_per_s:.0f} req/s"
        f" (p99 {memory.p99_ms:.1f} ms) | Starlette StaticFiles {baseline.requests_per_s:.0f}"
        f" req/s (p99 {baseline.p99_ms:.1f} ms) | ratio memory/StaticFiles="
        f"{memory.requests_per_s / baseline.requests_per_s:.2f}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    try:
        main(parser.parse_args().seconds)
    except BenchError as error:
        raise SystemExit(f"static_files: FAILED: {error}") from None
