"""Benchmark: start-up of a management command, `salon keys list` over an up-to-date SQLite
database, against the same command with what it used to import before it went lazy (FastAPI and
the whole app, uvicorn, Alembic, SQLAlchemy, argon2 and its import-time hash), and against a bare
interpreter (`python -c pass`), the floor. Goal: `salon keys list` <= 0.3 s.

Runs are interleaved (bare, lazy, eager, bare, …) so all three see the same machine load; the
median of `--runs` (default 15) each is reported. Run: `.venv/bin/python bench/cli_startup.py`.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SALON = str(Path(sys.executable).parent / "salon")
GOAL_S = 0.3
EAGER = (
    "import alembic.command, sqlalchemy, uvicorn, salon.app, salon.accounts.service;"
    "from salon.accounts import passwords; passwords._unknown_account_hash();"
    "import sys; from salon.cli import main; sys.exit(main(sys.argv[1:]))"
)


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each command (15)")
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory(prefix="salon-cli-bench-") as data:
        subprocess.run([SALON, "migrate", "--data-dir", data], check=True, capture_output=True)
        args = ["keys", "list", "--data-dir", data]
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "salon keys list": [SALON, *args],
            "eager imports": [sys.executable, "-c", EAGER, *args],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):
            for name, command in commands.items():
                times[name].append(timed(command))
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"\n{runs} runs each, interleaved; seconds")
    print(f"{'command':<18}{'median':>9}{'min':>9}{'max':>9}")
    for name, values in times.items():
        print(f"{name:<18}{medians[name]:>9.3f}{min(values):>9.3f}{max(values):>9.3f}")
    lazy, eager, floor = (
        medians["salon keys list"],
        medians["eager imports"],
        medians["python -c pass"],
    )
    print(
        f"cli start-up: salon keys list={lazy:.3f}s eager={eager:.3f}s interpreter={floor:.3f}s"
        f" | ratio eager/lazy={eager / lazy:.1f}x (goal: <= {GOAL_S} s)"
    )
    return 0 if lazy <= GOAL_S else 1


if __name__ == "__main__":
    sys.exit(main())
