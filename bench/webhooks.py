"""Benchmark: webhook deliveries per second and event-to-receipt latency, beside the raw request
rate of the same HTTP client against the same receiver.

Run: `.venv/bin/python bench/webhooks.py [--events N] [--rate R]` (default 20,000 and 1,000/s).

One process holds what `salon serve` holds: the dispatcher (`Dispatcher.run`, default policy and
limits: 256 in flight, 64 per organization, 16 per endpoint) on uvloop, over a temporary SQLite
database, with a `Sender` built like the server's (aiohttp, one pool of 64 connections per
organization), allowed to reach the receiver on loopback as `--webhook-allow-networks
127.0.0.0/8` allows it. The receiver is a
separate process: a minimal asyncio HTTP/1.1 server that answers 200 at once and notes when each
body arrived. Events go through the real outbox path: `WebhookService.enqueue` in one transaction
per event, then `wake()`, as the room recorder does; all are `room.client.joined` for one endpoint.

  raw      the same `Sender` POSTs the same kind of signed bodies straight to the receiver, 16 and
           64 at a time (16 is the most the dispatcher keeps in flight to one endpoint); the
           better of the two is the client's ceiling.
  drain    N events are queued, then the dispatcher starts: deliveries/s is N over the time from
           its start to the last receipt (the backlog draining).
  paced    N events are offered at R per second (32 producers) while the dispatcher runs: the
           latency of each is its receipt time minus its `createdAt` (the enqueue time, in ms).
           If the dispatcher cannot keep up with R, a backlog builds and the latency shows it.

  quiet    the noisy-neighbour case: a quiet organization's events, offered at 50/s to its one
           endpoint, first alone, then while a noisy organization has 25 endpoints that never
           answer (the receiver holds those requests open; each attempt ends at the 5 s timeout
           and is retried) and gets 20 events/s, each for all 25. The quiet organization's
           latency p99 with the noise against its p99 alone: the goal is within 2x. The noisy
           organization may have 25 endpoints because the bench raises the cap
           (`--webhook-max-endpoints`), as an operator would.

The throughput summary's deliveries/s is the drain's, its p50/p99 the paced round's. The run
fails (exit 1) if an event is not received exactly once or a raw request is not answered 200.
The last two lines are the one-line summaries: throughput, then the noisy neighbour. (The
receiver's counts are polled with httpx, outside what is measured.)
"""

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, cast

import httpx

from salon.clock import system_clock
from salon.ids import ParticipantId
from salon.meetings.model import Meeting, RoomMode, RoomNamePattern, RoomRole, parse_date_time
from salon.meetings.service import MeetingRequest, MeetingService
from salon.orgs.model import Organization
from salon.orgs.service import OrgService
from salon.rooms.events import RoomEvent, RoomEventType
from salon.rooms.state import Participant
from salon.storage.db import Database
from salon.storage.migrate import migrate
from salon.storage.sqlite import SqliteDatabase
from salon.webhooks import events
from salon.webhooks.destinations import DestinationPolicy
from salon.webhooks.dispatcher import Dispatcher
from salon.webhooks.sender import Sender
from salon.webhooks.service import WebhookService

HOST = "127.0.0.1"
RAW_CONCURRENCY = (16, 64)
RAW_REQUESTS = 5000
PRODUCERS = 32
DRAIN_WITHIN_S = 300.0
TIMEOUT_S = 5.0
LOCAL = DestinationPolicy.from_text("127.0.0.0/8")
NOISY_ENDPOINTS = 25
NOISE_RATE = 20.0
QUIET_EVENTS = 300
QUIET_RATE = 50.0


class BenchError(Exception):
    """A reason to stop the benchmark and exit 1."""


# --- the receiver (its own process) ---------------------------------------------------------------

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"


def receive() -> None:
    """Answer every POST with 200 and note (arrival ms, createdAt, id) of each body by path;
    `GET /count?PATH` says how many bodies came to PATH, `GET /results?PATH` hands the notes back
    as JSON."""
    notes: dict[bytes, list[tuple[float, str, str]]] = {}

    def note(path: bytes, body: bytes) -> None:
        at = time.time() * 1000
        start = body.find(b'"createdAt":"') + 13
        first = body.find(b'"id":"') + 6
        created = body[start : start + 24].decode()
        notes.setdefault(path, []).append((at, created, body[first : first + 64].decode()))

    class Http(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
            self.buffer = b""

        def data_received(self, data: bytes) -> None:
            self.buffer += data
            while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
                head = self.buffer[:end].lower()
                at = head.find(b"content-length:")
                length = int(head[at + 15 :].split(b"\r\n", 1)[0]) if at >= 0 else 0
                if len(self.buffer) < end + 4 + length:
                    return
                body, self.buffer = (
                    self.buffer[end + 4 : end + 4 + length],
                    self.buffer[end + 4 + length :],
                )
                method, target = head.split(b" ", 2)[:2]
                if method == b"get":  # /count?PATH or /results?PATH
                    kind, _, path = target.partition(b"?")
                    listed = notes.get(path, [])
                    found = json.dumps(len(listed) if kind == b"/count" else listed).encode()
                    self.transport.write(
                        b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(found) + found
                    )
                elif target.startswith(b"/hang"):  # never answered: the noisy neighbour
                    note(target, body)
                else:
                    note(target, body)
                    self.transport.write(OK)

    async def serve() -> None:
        server = await asyncio.get_running_loop().create_server(Http, HOST, 0)
        print(server.sockets[0].getsockname()[1], flush=True)
        await server.serve_forever()

    run(serve())


def run(work: Coroutine[Any, Any, None]) -> None:
    """As `salon serve` runs: on uvloop when it is installed."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(work)
    else:
        uvloop.run(work)


def start_receiver() -> tuple[subprocess.Popen[str], str]:
    """The receiver process and its base URL, once it listens (it prints its port)."""
    process = subprocess.Popen(
        [sys.executable, __file__, "--receiver"], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    port = process.stdout.readline().strip()
    if not port.isdigit():
        process.kill()
        raise BenchError("the receiver did not start")
    return process, f"http://{HOST}:{port}"


# --- the measured side -------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def notes_at(client: httpx.AsyncClient, base: str, path: str) -> list[list[object]]:
    answer = await client.get(f"{base}/results?{path}")
    found: list[list[object]] = answer.json()
    return found


async def raw_round(sender: Sender, url: str, bodies: list[bytes], concurrency: int) -> float:
    """Requests per second of the dispatcher's own HTTP client POSTing `bodies` to `url`, signed
    as deliveries are."""
    queue = iter(bodies)
    failures: list[str] = []

    async def worker() -> None:
        for body in queue:
            outcome = await sender.post(url, body, "whsec_bench", TIMEOUT_S)
            if outcome.status != 200:
                failures.append(outcome.error or str(outcome.status))

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    took = time.perf_counter() - started
    if failures:
        raise BenchError(f"raw round: {len(failures)} answers were not 200: {failures[0]}")
    return len(bodies) / took


def joined(meeting: Meeting) -> RoomEvent:
    who = Participant(ParticipantId(str(uuid.uuid4())), "Bench", RoomRole.VISITOR, 0)
    return RoomEvent(
        RoomEventType.CLIENT_JOINED,
        meeting,
        system_clock(),
        None,
        participant=who,
        count_by_role={"visitor": 1},
    )


async def set_up(
    db: Database, base: str, path: str, endpoints: int = 1
) -> tuple[Organization, Meeting]:
    """An organization with endpoints at `base + path` (`-0`, `-1`, … for more than one), and
    one meeting of it."""
    orgs = OrgService(db, system_clock)
    org = await orgs.create(path.strip("/"))
    hooks = WebhookService(db, system_clock, frozenset(), policy=LOCAL, max_endpoints=endpoints)
    for url in [base + path] if endpoints == 1 else [f"{base}{path}-{n}" for n in range(endpoints)]:
        await hooks.create(org.org_id, url, None)
    meetings = MeetingService(
        db,
        system_clock,
        orgs,
        public_url="http://bench.test",
        base_domain=None,
        room_key_secret=b"k" * 32,
    )
    request = MeetingRequest(
        system_clock() + 86_400_000,
        None,
        False,
        RoomMode.NORMAL,
        "",
        RoomNamePattern.UUID,
        False,
        frozenset(),
        "{}",
    )
    return org, (await meetings.create(org.org_id, request)).meeting


async def enqueue(
    db: Database,
    count: int,
    org: Organization,
    meeting: Meeting,
    rate: float,
    wake: Callable[[], None],
) -> float:
    """Put `count` events through the outbox, at `rate` per second (0: as fast as possible)."""
    left = iter(range(count))
    started = time.monotonic()

    async def produce() -> None:
        for n in left:
            if rate and (ahead := started + n / rate - time.monotonic()) > 0:
                await asyncio.sleep(ahead)  # pacing the offered load
            event = joined(meeting)
            async with db.transaction() as tx:
                await WebhookService.enqueue(tx, event, meeting, org.subdomain)
            wake()

    await asyncio.gather(*(produce() for _ in range(PRODUCERS)))
    return count / (time.monotonic() - started)


async def arrivals(
    client: httpx.AsyncClient, base: str, path: str, count: int
) -> list[tuple[float, int]]:
    """(receipt ms, `createdAt` ms) of each event, once all `count` have arrived, once each."""
    deadline = time.monotonic() + DRAIN_WITHIN_S
    while (arrived := (await client.get(f"{base}/count?{path}")).json()) < count:
        if time.monotonic() > deadline:
            raise BenchError(f"{path}: only {arrived} of {count} events arrived")
        await asyncio.sleep(0.05)  # the pause between polls
    notes = await notes_at(client, base, path)
    if len(notes) != count or len({n[2] for n in notes}) != count:
        raise BenchError(f"{path}: {len(notes)} bodies for {count} events")
    return [(float(str(n[0])), parse_date_time("createdAt", str(n[1]))) for n in notes]


async def drain_round(
    db: Database, sender: Sender, client: httpx.AsyncClient, base: str, count: int
) -> tuple[float, float]:
    """Deliveries per second while a queued backlog of `count` drains, and per second of this
    process's CPU time (the figure that holds when other work shares the cores)."""
    org, meeting = await set_up(db, base, "/drain")
    await enqueue(db, count, org, meeting, 0, lambda: None)
    dispatcher = Dispatcher(db, sender, system_clock)
    started_ms, started_cpu = time.time() * 1000, time.process_time()
    running = asyncio.create_task(dispatcher.run())
    try:
        received = await arrivals(client, base, "/drain", count)
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    cpu_s = time.process_time() - started_cpu
    return count / ((max(at for at, _ in received) - started_ms) / 1000), count / cpu_s


async def paced_round(
    db: Database, sender: Sender, client: httpx.AsyncClient, base: str, count: int, rate: float
) -> tuple[list[float], float]:
    """Each event's latency (ms) while `count` events are offered at `rate` per second."""
    org, meeting = await set_up(db, base, "/paced")
    dispatcher = Dispatcher(db, sender, system_clock)
    running = asyncio.create_task(dispatcher.run())
    try:
        offered = await enqueue(db, count, org, meeting, rate, dispatcher.wake)
        received = await arrivals(client, base, "/paced", count)
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    return [at - created for at, created in received], offered


async def quiet_round(
    db: Database,
    sender: Sender,
    client: httpx.AsyncClient,
    base: str,
    name: str,
    noisy: tuple[Organization, Meeting] | None,
) -> list[float]:
    """The latencies (ms) of the quiet organization's events, alone or beside the noisy one."""
    org, meeting = await set_up(db, base, f"/{name}")
    dispatcher = Dispatcher(db, sender, system_clock)
    tasks: list[asyncio.Task[object]] = [asyncio.create_task(dispatcher.run())]
    try:
        if noisy is not None:
            tasks.append(
                asyncio.create_task(enqueue(db, 10**9, *noisy, NOISE_RATE, dispatcher.wake))
            )
            await noise_in_flight(client, base)
        await enqueue(db, QUIET_EVENTS, org, meeting, QUIET_RATE, dispatcher.wake)
        received = await arrivals(client, base, f"/{name}", QUIET_EVENTS)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return [at - created for at, created in received]


async def noise_in_flight(client: httpx.AsyncClient, base: str) -> None:
    """Once the noisy organization's hanging requests hold all the room it may take."""
    deadline = time.monotonic() + DRAIN_WITHIN_S
    while True:
        counts = [
            (await client.get(f"{base}/count?/hang-{n}")).json() for n in range(NOISY_ENDPOINTS)
        ]
        if sum(counts) >= 64:
            return
        if time.monotonic() > deadline:
            raise BenchError(f"only {sum(counts)} noisy requests in flight")
        await asyncio.sleep(0.05)  # the pause between polls


async def throughput(
    db: Database, sender: Sender, client: httpx.AsyncClient, base: str, count: int, rate: float
) -> str:
    """The raw, drain and paced rounds; their one-line summary."""
    org, meeting = await set_up(db, base, "/raw")
    bodies = [
        events.envelope(joined(meeting), org.subdomain, events.event_id())
        for _ in range(RAW_REQUESTS)
    ]
    await raw_round(sender, f"{base}/warm", bodies[:500], RAW_CONCURRENCY[-1])
    raw: dict[int, float] = {}
    for concurrency in RAW_CONCURRENCY:
        raw[concurrency] = await raw_round(sender, f"{base}/raw", bodies, concurrency)
        print(
            f"raw    {RAW_REQUESTS:>7,} requests, {concurrency:>2} at a time"
            f"  {raw[concurrency]:>8,.0f} requests/s",
            flush=True,
        )
    drained, per_cpu_s = await drain_round(db, sender, client, base, count)
    print(
        f"drain  {count:>7,} queued events        {drained:>8,.0f} deliveries/s"
        f"  ({per_cpu_s:,.0f} per CPU-second of this process)",
        flush=True,
    )
    latencies, offered = await paced_round(db, sender, client, base, count, rate)
    p50, p99 = percentile(latencies, 0.50), percentile(latencies, 0.99)
    print(
        f"paced  {count:>7,} events offered at {offered:,.0f}/s: latency p50 {p50:.0f} ms"
        f"  p99 {p99:.0f} ms  max {max(latencies):.0f} ms",
        flush=True,
    )
    ceiling = max(raw.values())
    return (
        f"webhooks: deliveries/s={drained:.0f} p50={p50:.0f}ms p99={p99:.0f}ms"
        f" | raw requests/s={ceiling:.0f} | ratio deliveries/raw={drained / ceiling:.2f}"
        " (goal >= 1000/s, p99 <= 200 ms)"
    )


async def noisy_neighbour(
    db: Database, sender: Sender, client: httpx.AsyncClient, base: str
) -> str:
    """The quiet organization alone, then beside the noisy one; the one-line summary."""
    alone = await quiet_round(db, sender, client, base, "quiet-alone", None)
    noisy = await set_up(db, base, "/hang", NOISY_ENDPOINTS)
    beside = await quiet_round(db, sender, client, base, "quiet-beside", noisy)
    p99 = {}
    for name, latencies in (("alone", alone), ("beside", beside)):
        p99[name] = percentile(latencies, 0.99)
        print(
            f"quiet  {QUIET_EVENTS:>7,} events at {QUIET_RATE:.0f}/s, {name:<6}: latency"
            f" p50 {percentile(latencies, 0.5):.0f} ms  p99 {p99[name]:.0f} ms"
            f"  max {max(latencies):.0f} ms",
            flush=True,
        )
    return (
        f"noisy neighbour: ratio quiet p99 beside/alone={p99['beside'] / max(p99['alone'], 1):.2f}"
        f" (goal <= 2) | quiet p99 alone={p99['alone']:.0f}ms, beside a noisy org with"
        f" {NOISY_ENDPOINTS} hanging endpoints={p99['beside']:.0f}ms"
    )


async def bench(count: int, rate: float, noisy_only: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="salon-bench-webhooks-") as folder:
        work = Path(folder)
        receiver, base = start_receiver()
        url = f"sqlite:///{work}/salon.db"
        await migrate(url)
        db = SqliteDatabase(str(work / "salon.db"))
        sender = Sender(LOCAL)
        summaries = []
        try:
            async with httpx.AsyncClient() as client:
                print(f"receiver at {base} (pid {receiver.pid}); SQLite in {work}", flush=True)
                if not noisy_only:
                    summaries.append(await throughput(db, sender, client, base, count, rate))
                summaries.append(await noisy_neighbour(db, sender, client, base))
        finally:
            await sender.close()
            await db.close()
            receiver.kill()
            receiver.wait(timeout=10)
    for line in summaries:
        print(line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000, help="events per round")
    parser.add_argument("--rate", type=float, default=1000.0, help="paced round's events/s")
    parser.add_argument("--noisy-only", action="store_true", help="only the noisy-neighbour case")
    parser.add_argument("--receiver", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.receiver:
        receive()
        return 0
    try:
        run(bench(args.events, args.rate, args.noisy_only))
    except BenchError as error:
        print(f"webhooks: FAILED: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
