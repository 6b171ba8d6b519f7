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
"""

import argparse
import asyncio
import contextlib
import itertools
import json
import resource
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
from salon_server import BenchError, SalonServer

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


async def create_rooms(base_url: str, key: str) -> list[str]:
    auth = {"Authorization": f"Bearer {key}"}
    body = {"endDate": "2099-01-01T00:00:00Z"}
    async with httpx.AsyncClient(base_url=base_url, headers=auth, timeout=30) as http:
        names: list[str] = []
        for _ in range(ROOMS):
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


async def measure(base_url: str, key: str, wave: int) -> dict[str, list[float]]:
    rooms = await create_rooms(base_url, key)
    url = f"ws://{base_url.removeprefix('http://')}/_salon/signal"
    clients = [
        Client(await connect(url, open_timeout=WITHIN_S), rooms[n // PER_ROOM])
        for n in range(ROOMS * PER_ROOM)
    ]
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
        chats = [(n, r) for n in range(CHATS_PER_ROOM) for r in range(ROOMS)]

        async def chat(item: tuple[int, int]) -> list[float]:
            number, room = item
            members = clients[room * PER_ROOM : (room + 1) * PER_ROOM]
            sender = members[number % PER_ROOM]
            text = f"chat {number} in room {room}"
            sent = await sender.send("chat", text=text)
            await sender.expect("chat", text=text)
            got = [await m.expect("chat", text=text) for m in members if m is not sender]
            return [message["_at"] - sent for message in got]

        fan_out = await in_waves(chats, wave, chat)
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


def report(results: dict[str, list[float]], wave: int) -> None:
    print(f"\nwaves of {wave}; latencies in ms")
    print(f"{'measure':<14}{'count':>7}{'p50':>9}{'p90':>9}{'p99':>9}{'max':>9}")
    for name, values in results.items():
        cells = "".join(f"{pct(values, p):>9.2f}" for p in (50, 90, 99, 100))
        print(f"{name:<14}{len(values):>7}{cells}")
    joins, echo = results["join"], results["echo"]
    print(
        f"signaling: joins={len(joins)} join p50={pct(joins, 50):.1f}ms"
        f" p99={pct(joins, 99):.1f}ms | chat fan-out p99={pct(results['chat fan-out'], 99):.1f}ms"
        f" | echo p50={pct(echo, 50):.1f}ms | ratio join p50/echo p50="
        f"{pct(joins, 50) / pct(echo, 50):.1f} (goal: join p99 <= 50 ms)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wave", type=int, default=25, help="requests sent at once (25)")
    wave = parser.parse_args().wave
    if not 1 <= wave <= ROOMS * PER_ROOM:
        parser.error(f"--wave must be 1..{ROOMS * PER_ROOM}")
    try:
        raise_file_limit()  # before the server starts: it inherits the limit
        with (
            tempfile.TemporaryDirectory(prefix="salon-bench-") as temp,
            SalonServer(
                Path(temp), "--rate-limit-points", "0", "--room-joins-per-minute", "0"
            ) as server,
        ):
            print(f"salon serve (pid {server.pid}) at {server.base_url}, SQLite in {temp}")
            print(f"{ROOMS * PER_ROOM} clients, {ROOMS} rooms of {PER_ROOM}, waves of {wave}")
            results = asyncio.run(measure(server.base_url, server.key, wave))
    except (BenchError, OSError, WebSocketException) as error:
        print(f"signaling: FAILED: {error}", file=sys.stderr)
        return 1
    report(results, wave)
    return 0


if __name__ == "__main__":
    sys.exit(main())
