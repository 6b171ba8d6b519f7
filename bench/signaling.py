"""Benchmark: 500 protocol-level WebSocket clients joining 125 rooms of 4 on one `salon serve`
process: join latency p50/p99 and chat fan-out latency p99, beside the same server's WebSocket
echo round trip measured in the same run; the ratio join p50 / echo p50 is printed last.
Goal: join p99 <= 50 ms. Run: `.venv/bin/python bench/signaling.py [--wave N]` (default 25).

One server over SQLite in a temporary data dir (`--rate-limit-points 0 --log-level warning`, a
free port); this script, a separate process, is the load. It creates 125 meetings through the API
and opens 500 sockets (handshakes are not measured), then, always in waves of N requests sent
at once (the next wave once the previous one is answered):
- join: clients fill the rooms in order, so waves mix first to fourth members (whose joins start
  and extend sessions); from sending `join` to `joined`. Waves model a busy moment, N people
  pressing "join" in the same millisecond, and keep the figure the server's cost rather than the
  depth of a queue of 500 joins sent at once (try `--wave 500` for that).
- echo: `ping` -> `pong` on joined sockets (same server, same socket path), 2000 round-robin over
  the 500 sockets: the server's floor for one message in and one out.
- chat fan-out: 5 chats per room; from sending a chat until each of the 3 other members has it.
All timestamps are taken in this process. Every `joined`, pong and chat must arrive within 10 s
and all 500 sockets must be open at the end, or the run fails (exit 1).

`--nodes 2` measures room placement (cluster mode): a private `redis-server` on a free port and a
fresh PostgreSQL database (`SALON_BENCH_POSTGRES`, default postgres@127.0.0.1:5432), first one
node alone (the baseline: every socket on the room's owner), then two nodes with each room's
members alternating between them, so that about half of each room's sockets are relayed to the
owner. It prints both runs, their ratios, the share of sockets relayed, and the Redis round trips
(PUBLISH calls, and every command) per relayed frame in the chat step. `--clients N` (a multiple
of 4) makes the run smaller.
"""

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import resource
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException
from websockets.protocol import State

sys.path.insert(0, str(Path(__file__).resolve().parent))
from salon_server import BenchError, SalonServer, free_port

ROOMS, PER_ROOM, CHATS_PER_ROOM, ECHOES = 125, 4, 5, 2000
WITHIN_S = 10.0
FILES_NEEDED = 4096
T = TypeVar("T")
IGNORED = frozenset({"participant-joined", "participant-updated", "participant-left"})


@dataclass
class Client:
    ws: ClientConnection
    room: str
    inbox: list[dict[str, Any]] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def read(self) -> None:
        """Keep what a step may wait for, stamped on arrival; a closed socket leaves `closed`."""
        try:
            async for raw in self.ws:
                message = json.loads(raw)
                if message["type"] not in IGNORED:
                    message["_at"] = time.perf_counter()
                    self.inbox.append(message)
                    self.arrived.set()
        finally:
            self.inbox.append({"type": "closed"})
            self.arrived.set()

    async def send(self, kind: str, **fields: Any) -> float:
        sent = time.perf_counter()
        await self.ws.send(json.dumps({"type": kind, **fields}))
        return sent

    async def expect(self, kind: str, **fields: Any) -> dict[str, Any]:
        """The message of `kind` with these field values, taken out of the inbox."""
        deadline = time.monotonic() + WITHIN_S
        while True:
            for index, message in enumerate(self.inbox):
                if message["type"] not in ("joined", "pong", "chat"):
                    raise BenchError(f"refused while waiting for {kind}: {message}")
                if message["type"] == kind and all(message.get(k) == v for k, v in fields.items()):
                    return self.inbox.pop(index)
            self.arrived.clear()
            try:
                await asyncio.wait_for(self.arrived.wait(), deadline - time.monotonic())
            except TimeoutError:
                raise BenchError(f"lost: no {kind} {fields} within {WITHIN_S} s") from None


def raise_file_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < FILES_NEEDED:
        if hard != resource.RLIM_INFINITY and hard < FILES_NEEDED:
            raise BenchError(f"ulimit -n is {soft} (hard {hard}); {FILES_NEEDED} are needed")
        resource.setrlimit(resource.RLIMIT_NOFILE, (FILES_NEEDED, hard))


async def create_rooms(base_url: str, key: str, count: int = ROOMS) -> list[str]:
    auth = {"Authorization": f"Bearer {key}"}
    body = {"endDate": "2099-01-01T00:00:00Z"}
    async with httpx.AsyncClient(base_url=base_url, headers=auth, timeout=30) as http:
        names: list[str] = []
        for _ in range(count):
            created = await http.post("/v1/meetings", json=body)
            if created.status_code != 201:
                raise BenchError(f"POST /v1/meetings: {created.status_code} {created.text}")
            names.append(created.json()["roomName"])
        return names


async def in_waves(
    items: list[T], wave: int, work: Callable[[T], Awaitable[list[float]]]
) -> list[float]:
    """Run `work(item)` for every item, `wave` at a time started together; their latencies."""
    latencies: list[float] = []
    for start in range(0, len(items), wave):
        batch = await asyncio.gather(*(work(item) for item in items[start : start + wave]))
        latencies += [value for values in batch for value in values]
    return latencies


@dataclass
class Spread:
    """Which node each client's socket went to, and what the chat step cost in Redis."""

    node_of: list[int] = field(default_factory=list)
    rooms: list[str] = field(default_factory=list)
    redis_before: dict[str, int] = field(default_factory=dict)
    redis_after: dict[str, int] = field(default_factory=dict)


async def measure(
    base_urls: list[str],
    key: str,
    wave: int,
    room_count: int = ROOMS,
    redis_stats: "Callable[[], Awaitable[dict[str, int]]] | None" = None,
    spread: Spread | None = None,
) -> dict[str, list[float]]:
    """Member i of each room connects to node i % len(base_urls)."""
    rooms = await create_rooms(base_urls[0], key, room_count)
    urls = [f"ws://{base.removeprefix('http://')}/_salon/signal" for base in base_urls]
    nodes = [(n % PER_ROOM) % len(urls) for n in range(room_count * PER_ROOM)]
    clients = [
        Client(await connect(urls[node], open_timeout=WITHIN_S), rooms[n // PER_ROOM])
        for n, node in enumerate(nodes)
    ]
    if spread is not None:
        spread.node_of, spread.rooms = nodes, rooms
    readers = [asyncio.create_task(c.read()) for c in clients]
    try:

        async def join(client: Client) -> list[float]:
            sent = await client.send("join", v=1, room=client.room)
            return [(await client.expect("joined"))["_at"] - sent]

        joins = await in_waves(clients, wave, join)
        pingers = list(itertools.islice(itertools.cycle(clients), ECHOES))

        async def echo(item: tuple[int, Client]) -> list[float]:
            number, client = item
            sent = await client.send("ping", id=number)
            return [(await client.expect("pong", id=number))["_at"] - sent]

        echoes = await in_waves(list(enumerate(pingers)), wave, echo)
        chats = [(n, r) for n in range(CHATS_PER_ROOM) for r in range(room_count)]

        async def chat(item: tuple[int, int]) -> list[float]:
            number, room = item
            members = clients[room * PER_ROOM : (room + 1) * PER_ROOM]
            sender = members[number % PER_ROOM]
            text = f"chat {number} in room {room}"
            sent = await sender.send("chat", text=text)
            await sender.expect("chat", text=text)
            got = [await m.expect("chat", text=text) for m in members if m is not sender]
            return [message["_at"] - sent for message in got]

        if redis_stats is not None and spread is not None:
            spread.redis_before = await redis_stats()
        fan_out = await in_waves(chats, wave, chat)
        if redis_stats is not None and spread is not None:
            spread.redis_after = await redis_stats()
        open_now = sum(c.ws.state is State.OPEN for c in clients)
        if open_now != len(clients):
            raise BenchError(f"only {open_now} of {len(clients)} sockets are still open")
        return {"join": joins, "chat fan-out": fan_out, "echo": echoes}
    finally:
        for task in readers:
            task.cancel()
        await asyncio.gather(*(c.ws.close() for c in clients), return_exceptions=True)
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*readers, return_exceptions=True)


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank), in milliseconds."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))] * 1000


def report(results: dict[str, list[float]], wave: int, *, summary: bool = True) -> None:
    print(f"\nwaves of {wave}; latencies in ms")
    print(f"{'measure':<14}{'count':>7}{'p50':>9}{'p90':>9}{'p99':>9}{'max':>9}")
    for name, values in results.items():
        cells = "".join(f"{pct(values, p):>9.2f}" for p in (50, 90, 99, 100))
        print(f"{name:<14}{len(values):>7}{cells}")
    joins, echo = results["join"], results["echo"]
    if not summary:
        return
    print(
        f"signaling: joins={len(joins)} join p50={pct(joins, 50):.1f}ms"
        f" p99={pct(joins, 99):.1f}ms | chat fan-out p99={pct(results['chat fan-out'], 99):.1f}ms"
        f" | echo p50={pct(echo, 50):.1f}ms | ratio join p50/echo p50="
        f"{pct(joins, 50) / pct(echo, 50):.1f} (goal: join p99 <= 50 ms)"
    )


class PrivateRedis:
    """A `redis-server` of this run's own on a free port (its command counts are this run's)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> "PrivateRedis":
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no"]
        self._process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not _answers(self.port):
            if time.monotonic() > deadline or self._process.poll() is not None:
                raise BenchError("redis-server did not start")
            time.sleep(0.05)  # the pause between two polls
        return self

    def __exit__(self, *exc: object) -> None:
        if self._process is not None and self._process.poll() is None:
            os.kill(self._process.pid, signal.SIGTERM)
            self._process.wait(timeout=10)

    async def commands(self) -> dict[str, int]:
        """Calls per command since the server started."""
        from redis.asyncio import Redis

        client = Redis.from_url(self.url)
        try:
            stats = await client.info("commandstats")
        finally:
            await client.aclose()
        return {name.removeprefix("cmdstat_"): int(v["calls"]) for name, v in stats.items()}


def _answers(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


POSTGRES = os.environ.get("SALON_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


def _admin(statement: str) -> None:
    import asyncpg

    async def run() -> None:
        connection = await asyncpg.connect(POSTGRES, timeout=10)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(run())


def relayed_frames(spread: Spread, owners: list[int], room_count: int) -> tuple[int, int]:
    """(sockets not on their room's owner, relayed frames the chat step made): each chat is
    one frame in from its sender and one out to each member, counted when relayed."""
    relayed_sockets = sum(
        spread.node_of[n] != owners[n // PER_ROOM] for n in range(room_count * PER_ROOM)
    )
    frames = 0
    for room in range(room_count):
        members = range(room * PER_ROOM, (room + 1) * PER_ROOM)
        away = [spread.node_of[n] != owners[room] for n in members]
        for number in range(CHATS_PER_ROOM):
            frames += int(away[number % PER_ROOM]) + sum(away)
    return relayed_sockets, frames


async def room_owners(redis_url: str, node_ids: list[str], rooms: list[str]) -> list[int]:
    """The index of each room's owner (its lease outlives the run: a session's end grace)."""
    from redis.asyncio import Redis

    client = Redis.from_url(redis_url, decode_responses=True)
    try:
        values = await client.mget([f"salon:room:{room}:owner" for room in rooms])
    finally:
        await client.aclose()
    return [node_ids.index(str(value).rpartition("|")[0]) for value in values]


def run_nodes(wave: int, clients: int) -> int:
    rooms = clients // PER_ROOM
    database = f"salon_bench_{secrets.token_hex(4)}"
    base = POSTGRES.rsplit("/", 1)[0]
    _admin(f'CREATE DATABASE "{database}"')
    try:
        with PrivateRedis() as redis, tempfile.TemporaryDirectory(prefix="salon-bench-") as temp:

            def node(number: int) -> SalonServer:  # node 1 makes the first key
                folder = Path(temp) / f"node-{number}"
                folder.mkdir()
                return SalonServer(
                    folder, "--rate-limit-points", "0", "--room-joins-per-minute", "0",
                    "--database-url", f"{base}/{database}", "--redis-url", redis.url,
                    "--node-id", f"node-{number}", "--janus", "off", first=number == 1,
                )  # fmt: skip

            print(f"{clients} clients, {rooms} rooms of {PER_ROOM}, waves of {wave}; PostgreSQL")
            print(f"database {database}, private Redis at {redis.url}")
            with node(1) as one:
                alone = asyncio.run(measure([one.base_url], one.key, wave, rooms))
                print("\none node (every socket on its room's owner)")
                report(alone, wave, summary=False)
                with node(2) as two:
                    spread = Spread()
                    both = asyncio.run(
                        measure(
                            [one.base_url, two.base_url],
                            one.key,
                            wave,
                            rooms,
                            redis.commands,
                            spread,
                        )
                    )
                    owners = asyncio.run(room_owners(redis.url, ["node-1", "node-2"], spread.rooms))
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    print("\ntwo nodes (members alternate between the nodes)")
    report(both, wave, summary=False)
    relayed, frames = relayed_frames(spread, owners, rooms)
    calls = {k: spread.redis_after.get(k, 0) - v for k, v in spread.redis_before.items()}
    calls.update({k: v for k, v in spread.redis_after.items() if k not in spread.redis_before})
    publishes, every = calls.get("publish", 0), sum(calls.values())
    j1, j2 = pct(alone["join"], 99), pct(both["join"], 99)
    c1, c2 = pct(alone["chat fan-out"], 99), pct(both["chat fan-out"], 99)
    print(
        f"\nrelayed sockets: {relayed} of {clients}; chat step: {frames} relayed frames,"
        f" {publishes} PUBLISH ({publishes / max(frames, 1):.2f} per relayed frame),"
        f" {every} Redis commands in all ({every / max(frames, 1):.2f} per relayed frame)"
    )
    print(
        f"placement: join p50 {pct(alone['join'], 50):.1f} -> {pct(both['join'], 50):.1f} ms,"
        f" join p99 {j1:.1f} -> {j2:.1f} ms (ratio {j2 / j1:.2f}),"
        f" chat fan-out p99 {c1:.1f} -> {c2:.1f} ms (ratio {c2 / c1:.2f})"
        f" | goal: two-node join p99 <= 50 ms and <= 2x one node"
    )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wave", type=int, default=25, help="requests sent at once (25)")
    parser.add_argument("--nodes", type=int, default=1, choices=(1, 2), help="1, or 2 (cluster)")
    parser.add_argument("--clients", type=int, default=ROOMS * PER_ROOM, help="(500)")
    arguments = parser.parse_args()
    wave, clients = arguments.wave, arguments.clients
    if clients < PER_ROOM or clients % PER_ROOM:
        parser.error(f"--clients must be a positive multiple of {PER_ROOM}")
    if not 1 <= wave <= clients:
        parser.error(f"--wave must be 1..{clients}")
    try:
        raise_file_limit()  # before the server starts: it inherits the limit
        if arguments.nodes == 2:
            return run_nodes(wave, clients)
        with (
            tempfile.TemporaryDirectory(prefix="salon-bench-") as temp,
            SalonServer(
                Path(temp), "--rate-limit-points", "0", "--room-joins-per-minute", "0"
            ) as server,
        ):
            print(f"salon serve (pid {server.pid}) at {server.base_url}, SQLite in {temp}")
            print(f"{clients} clients, {clients // PER_ROOM} rooms of {PER_ROOM}, waves of {wave}")
            results = asyncio.run(measure([server.base_url], server.key, wave, clients // PER_ROOM))
    except (BenchError, OSError, WebSocketException) as error:
        print(f"signaling: FAILED: {error}", file=sys.stderr)
        return 1
    report(results, wave)
    return 0


if __name__ == "__main__":
    sys.exit(main())
