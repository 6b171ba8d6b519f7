"""Benchmark: participants' quality samples stored per second per core, beside storing one row
per sample.

Run: `.venv/bin/python bench/insight_samples.py [--participants N] [--rounds R]` (default
10,000 participants, 6 rounds: 60,000 samples, what 10,000 participants send in 12 s).

One process over a temporary SQLite database (the default engine, group commit, `synchronous=FULL`
as `salon serve` runs it). Each sample is what the server does for a `stats` frame: the protocol's
`parse` of the frame text, then `SampleBuffer.add`; every two rounds (4 s of samples, the server
flushes every 5 s) `SampleBuffer.flush` writes them, as the server's flush task does. The socket's
own receive is not included: it is the same for every frame, and `bench/signaling.py` measures it.

  batched    the server's path: N participants x R rounds, flushed every two rounds.
  per-row    the simple way, for comparison: the same parse, then one INSERT of one sample in
             its own transaction (durable before the next), for a tenth as many samples.

Per core = samples over the CPU seconds of this process (`time.process_time`): the database work
is inline on this thread (the fsync wait is not CPU). The run fails (exit 1) if the stored samples,
read back and decoded, are not exactly the ones sent. The last line is the summary.
"""

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections.abc import Awaitable
from pathlib import Path

from salon.clock import system_clock
from salon.insights.model import decode_samples, encode_samples
from salon.insights.samples import SampleBuffer
from salon.signaling import protocol as p
from salon.signaling.stats_messages import Stats
from salon.storage.migrate import migrate
from salon.storage.sqlite import SqliteDatabase

GOAL_PER_CORE = 5000
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"


def frame(participant: int, round_: int) -> str:
    return json.dumps(
        {
            "type": "stats",
            "packetLossSend": (participant % 7) * 0.25,
            "packetLossRecv": (round_ % 5) * 0.5,
            "bitrateSend": 800_000 + participant,
            "bitrateRecv": 1_200_000 + round_,
            "audio": True,
            "video": participant % 3 != 0,
            "screen": False,
        },
        separators=(",", ":"),
    )


async def stored_samples(db: SqliteDatabase) -> int:
    rows = await db.fetch_all("SELECT samples FROM insight_samples")
    return sum(len(decode_samples(str(row["samples"]))) for row in rows)


async def batched(db: SqliteDatabase, participants: int, rounds: int) -> tuple[float, float, float]:
    buffer = SampleBuffer(db, system_clock)
    frames = [[frame(i, r) for i in range(participants)] for r in range(rounds)]
    ids = [f"{i:08d}-0000-4000-8000-000000000000" for i in range(participants)]
    longest_turn = 0.0
    cpu, wall = time.process_time(), time.perf_counter()
    for round_, texts in enumerate(frames):
        for participant_id, text in zip(ids, texts, strict=True):
            message = p.parse(text)
            assert isinstance(message, Stats)
            buffer.add(participant_id, USER_AGENT, message.sample)
        if round_ % 2 == 1 or round_ == rounds - 1:
            longest_turn = max(longest_turn, await longest_loop_turn(buffer.flush()))
    return time.process_time() - cpu, time.perf_counter() - wall, longest_turn


async def longest_loop_turn(work: Awaitable[object]) -> float:
    """Run `work` while a ticker measures the longest time the event loop went without a turn
    (what every room socket of the process would wait)."""
    longest, done = 0.0, False

    async def ticker() -> None:
        nonlocal longest
        last = time.perf_counter()
        while not done:
            await asyncio.sleep(0)
            now = time.perf_counter()
            longest, last = max(longest, now - last), now

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    try:
        await work
    finally:
        done = True
        await task
    return longest


async def per_row(db: SqliteDatabase, count: int) -> tuple[float, float]:
    texts = [frame(i, 0) for i in range(count)]
    cpu, wall = time.process_time(), time.perf_counter()
    for index, text in enumerate(texts):
        message = p.parse(text)
        assert isinstance(message, Stats)
        async with db.transaction() as tx:
            await tx.execute(
                "INSERT INTO insight_samples (participant_id, first_ms, last_ms, samples)"
                " VALUES (:p, :at, :at, :s)",
                {
                    "p": f"row-{index}",
                    "at": system_clock(),
                    "s": encode_samples([(system_clock(), message.sample)]),
                },
            )
    return time.process_time() - cpu, time.perf_counter() - wall


async def bench(participants: int, rounds: int) -> int:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'salon.db'}"
        await migrate(url)
        db = SqliteDatabase(str(Path(folder) / "salon.db"))
        try:
            total = participants * rounds
            cpu, wall, turn = await batched(db, participants, rounds)
            stored = await stored_samples(db)
            if stored != total:
                print(f"insight samples: FAILED: stored {stored} of {total}", file=sys.stderr)
                return 1
            fast = total / cpu
            print(
                f"batched  {total:>7,} samples ({participants:,} participants x {rounds}):"
                f" {cpu:.2f} s CPU, {wall:.2f} s wall: {fast:,.0f} samples/s per core,"
                f" {total / wall:,.0f}/s wall; longest event-loop stall in a flush"
                f" {turn * 1000:.0f} ms"
            )
            count = max(1, total // 10)
            cpu, wall = await per_row(db, count)
            slow = count / cpu
            print(
                f"per-row  {count:>7,} samples, one INSERT and commit each: {cpu:.2f} s CPU,"
                f" {wall:.2f} s wall: {slow:,.0f} samples/s per core, {count / wall:,.0f}/s wall"
            )
        finally:
            await db.close()
    print(
        f"insight samples: stored/s per core={fast:,.0f} (goal >= {GOAL_PER_CORE:,})"
        f" | one row per sample={slow:,.0f}/s per core | ratio={fast / slow:.1f}"
    )
    return 0 if fast >= GOAL_PER_CORE else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    return asyncio.run(bench(args.participants, args.rounds))


if __name__ == "__main__":
    sys.exit(main())
