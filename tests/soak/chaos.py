"""Faults injected while the soak load runs, each followed by the same questions: was `/readyz`
truthful during the outage, and how long until a room can be joined again (goal: 10 s)?

    kill9     `kill -9` of Salon, then a restart on the same port and database
    postgres  `pg_ctlcluster VERSION CLUSTER restart` of the soak's own PostgreSQL cluster
    janus     `kill -9` of the managed Janus (Salon restarts it)
    disk      the data folder's tmpfs filled up, then freed
    webhook   the receiver hangs, then answers 500, then recovers
    redis     `kill -9` of the cluster's `redis-server`, then a restart (soak.redis_chaos)
"""

import asyncio
import contextlib
import errno
import json
import math
import os
import signal
import subprocess
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException

from cluster.private_redis import RedisServer
from soak.load import FUTURE, Load, Stats
from soak.process import SalonProcess, readiness
from soak.redis_chaos import BACK_WITHIN_S, LOOK_EVERY_S, ChatPair, RedisCheck
from soak.redis_chaos import OUTAGE_S as REDIS_OUTAGE_S
from webhook_helpers import HANG, Receiver

USABLE_WITHIN_S = 10.0
OUTAGE_S = 15.0
PROBE_EVERY_S = 0.25


@dataclass
class Fault:
    name: str
    started: float
    """Seconds since the load started."""
    ended: float = 0.0
    readyz_during: list[int | None] = field(default_factory=list)
    readyz_truthful: bool = True
    usable_after_s: float | None = None
    note: str = ""
    forgives_failures: bool = True
    """Whether the load's failures during the fault (and FAULT_GRACE_S after) are forgiven."""
    problems: list[str] = field(default_factory=list)
    """Goals of this fault's own that were missed."""

    def line(self) -> str:
        seen = sorted({str(status) for status in self.readyz_during})
        usable = "never" if self.usable_after_s is None else f"{self.usable_after_s:.1f} s"
        truthful = "yes" if self.readyz_truthful else "NO"
        return (
            f"{self.name:<9} rooms usable again after {usable:<8} /readyz during: "
            f"{','.join(seen) or '-'} (truthful: {truthful}) {self.note}"
        )


@dataclass
class Rig:
    salon: SalonProcess
    load: Load
    stats: Stats
    receiver: Receiver
    hook_path: str
    probe_room: str
    probe_group_room: str | None
    data_dir: Path | None
    pg_cluster: tuple[str, str] | None
    nodes: list[SalonProcess] = field(default_factory=list)
    """Cluster mode: every node (`salon` is the first); else empty."""
    redis: RedisServer | None = None


async def probe_join(rig: Rig, room: str) -> bool:
    try:
        async with connect(rig.load.ws_url, open_timeout=3, close_timeout=1) as ws:
            await ws.send(json.dumps({"type": "join", "v": 1, "room": room}))
            deadline = time.monotonic() + 3
            while time.monotonic() < deadline:
                message = json.loads(await asyncio.wait_for(ws.recv(), 3))
                if message["type"] == "joined":
                    await ws.send(json.dumps({"type": "leave"}))
                    return True
                if message["type"] == "error":
                    return False
    except (OSError, TimeoutError, WebSocketException):
        return False
    return False


async def usable_after(rig: Rig, since: float, room: str) -> float | None:
    """Seconds from `since` (monotonic) until a probe joins `room`; None past the goal x 3."""
    while time.monotonic() - since < USABLE_WITHIN_S * 3:
        if await probe_join(rig, room):
            return time.monotonic() - since
        await asyncio.sleep(PROBE_EVERY_S)
    return None


async def watch_readiness(rig: Rig, fault: Fault, until: asyncio.Event) -> None:
    while not until.is_set():
        fault.readyz_during.append(await readiness(rig.salon.base_url))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(until.wait(), PROBE_EVERY_S)


async def _with_outage(
    rig: Rig,
    name: str,
    inject: Callable[[], Awaitable[None]],
    recover: Callable[[], Awaitable[None]],
    room: str | None = None,
) -> Fault:
    fault = Fault(name, rig.stats.now())
    over = asyncio.Event()
    watcher = asyncio.create_task(watch_readiness(rig, fault, over))
    try:
        await inject()
        await recover()
        recovered = time.monotonic()
    finally:
        over.set()
        await watcher
    fault.usable_after_s = await usable_after(rig, recovered, room or rig.probe_room)
    fault.ended = rig.stats.now()
    return fault


async def kill9(rig: Rig) -> Fault:
    dead_statuses: list[int | None] = []

    async def inject() -> None:
        await asyncio.to_thread(rig.salon.kill)
        for _ in range(4):  # the outage: clients see their sockets drop
            dead_statuses.append(await readiness(rig.salon.base_url))
            await asyncio.sleep(0.5)

    restart_s = 0.0

    async def recover() -> None:
        nonlocal restart_s
        restart_s = await asyncio.to_thread(rig.salon.start)

    fault = await _with_outage(rig, "kill9", inject, recover)
    if fault.usable_after_s is not None:  # counted from the restart, not from its readiness
        fault.usable_after_s += restart_s
    fault.readyz_truthful = all(status is None for status in dead_statuses)
    fault.note = (
        f"(restart {restart_s:.1f} s; while dead: {sorted({str(s) for s in dead_statuses})})"
    )
    return fault


async def postgres(rig: Rig) -> Fault:
    assert rig.pg_cluster is not None
    version, cluster = rig.pg_cluster
    down_statuses: list[int | None] = []

    async def inject() -> None:
        await _run("pg_ctlcluster", version, cluster, "stop", "-m", "fast")
        for _ in range(8):  # the outage, seen by readiness
            down_statuses.append(await readiness(rig.salon.base_url))
            await asyncio.sleep(OUTAGE_S / 8)

    async def recover() -> None:
        await _run("pg_ctlcluster", version, cluster, "start")

    fault = await _with_outage(rig, "postgres", inject, recover)
    fault.readyz_truthful = bool(down_statuses) and all(s == 503 for s in down_statuses)
    fault.note = f"(while stopped: {sorted({str(s) for s in down_statuses})})"
    return fault


async def janus(rig: Rig) -> Fault:
    assert rig.probe_group_room is not None

    async def inject() -> None:
        children = rig.salon.children()
        if not children:
            raise RuntimeError("no managed Janus to kill")
        for pid in children:
            os.kill(pid, signal.SIGKILL)

    async def recover() -> None:
        # Salon's supervisor restarts it; the room is usable for media once Salon holds a
        # session with the new process again (a join alone is answered before that).
        deadline = time.monotonic() + USABLE_WITHIN_S * 3
        while time.monotonic() < deadline:
            if await _janus_up(rig):
                return
            await asyncio.sleep(PROBE_EVERY_S)

    killed = time.monotonic()
    fault = await _with_outage(rig, "janus", inject, recover, rig.probe_group_room)
    fault.usable_after_s = (
        (time.monotonic() - killed if await _janus_up(rig) else None)
        if fault.usable_after_s is not None
        else None
    )
    fault.readyz_truthful = True  # Janus is not part of readiness: group rooms heal by themselves
    fault.note = "(readiness covers the database only; Janus heals by itself)"
    return fault


async def disk(rig: Rig) -> Fault:
    """While the disk is full, each look pairs `/readyz` with a write through the API; readiness
    is truthful when it never says 200 right after a write failed (WAL space SQLite already holds
    lets some writes succeed on a full disk: then "ready" is true)."""
    assert rig.data_dir is not None
    filler = rig.data_dir / "filler"
    looks: list[tuple[bool, int | None]] = []

    async def inject() -> None:
        await asyncio.to_thread(_fill, filler)
        async with rig.load.http() as http:
            for _ in range(12):
                try:
                    written = (
                        await http.post("/v1/meetings", json={"endDate": FUTURE})
                    ).status_code == 201
                except httpx.HTTPError:
                    written = False
                looks.append((written, await readiness(rig.salon.base_url)))
                await asyncio.sleep(OUTAGE_S / 12)

    async def recover() -> None:
        filler.unlink()

    fault = await _with_outage(rig, "disk", inject, recover)
    lies = sum(1 for written, status in looks if not written and status == 200)
    fault.readyz_truthful = lies == 0
    failed = sum(1 for written, _ in looks if not written)
    seen = sorted({str(status) for _, status in looks})
    fault.note = f"(while full: {failed}/{len(looks)} writes failed, /readyz {seen}, {lies} lies)"
    return fault


async def webhook(rig: Rig) -> Fault:
    async def inject() -> None:
        rig.receiver.plan(rig.hook_path, [HANG])
        await asyncio.sleep(OUTAGE_S)
        rig.receiver.plan(rig.hook_path, [500])
        await asyncio.sleep(OUTAGE_S)

    async def recover() -> None:
        rig.receiver.plan(rig.hook_path, [200])

    fault = await _with_outage(rig, "webhook", inject, recover)
    fault.readyz_truthful = all(status == 200 for status in fault.readyz_during)
    fault.note = "(Salon itself stays ready)"
    return fault


async def redis(rig: Rig) -> Fault:
    server = rig.redis
    assert server is not None, "the redis fault needs cluster mode"
    check = RedisCheck(rig.nodes, server, rig.load.api_key)
    for attempt in range(3):  # the setup, before the fault: a loaded machine may time it out
        try:
            rooms = await rig.load.create_rooms(len(rig.nodes), 0)
            pairs = [
                await ChatPair.open(node, room) for node, room in zip(rig.nodes, rooms, strict=True)
            ]
            break
        except (httpx.HTTPError, OSError, TimeoutError, RuntimeError, WebSocketException):
            if attempt == 2:
                raise
    warned_before = check.warnings()
    shared_before = await check.points_shared()
    looks = []
    back = 0.0

    async def inject() -> None:
        await asyncio.to_thread(server.kill)
        killed = time.monotonic()
        while time.monotonic() - killed < REDIS_OUTAGE_S:
            looks.append(await check.look(killed, pairs))
            await asyncio.sleep(LOOK_EVERY_S)

    async def recover() -> None:
        nonlocal back
        await asyncio.to_thread(server.start)
        back = time.monotonic()

    fault = await _with_outage(rig, "redis", inject, recover)
    fault.forgives_failures = False  # Salon fails open: the load must not notice
    points_s, closing_s, presence_s = await asyncio.gather(
        *(check.back_after(back, what) for what in ("points", "closing", "presence"))
    )
    chats_after = [await pair.passes() for pair in pairs]
    for pair in pairs:
        await pair.close()
    outage_s = time.monotonic() - back + REDIS_OUTAGE_S
    warned = [now - before for now, before in zip(check.warnings(), warned_before, strict=True)]
    statuses = [status for look in looks for status in look.api_statuses]
    ready = [status for look in looks for status in look.ready]
    chats = [ok for look in looks for ok in look.chats]
    remaining = {r for look in looks for r in look.remaining}
    fault.readyz_during = ready
    fault.readyz_truthful = bool(ready) and all(status == 200 for status in ready)
    problems = fault.problems
    if not shared_before:
        problems.append("the API points were not shared before the fault")
    if any(status is None or status >= 500 for status in statuses):
        problems.append(f"API answers while Redis was down: {sorted(set(map(str, statuses)))}")
    if not all(chats) or not all(chats_after):
        problems.append(f"chats in rooms running before the fault: {chats.count(False)} lost "
                        f"during, {chats_after.count(False)} after")  # fmt: skip
    for what, seconds in (("API points", points_s), ("closing", closing_s),
                          ("presence", presence_s)):  # fmt: skip
        if seconds is None or seconds > BACK_WITHIN_S:
            problems.append(f"{what} shared again after {seconds} s (goal <= {BACK_WITHIN_S} s)")
    allowed = 1 + math.ceil(outage_s / 60)
    if any(count > allowed for count in warned):
        problems.append(f"warnings per node {warned} (goal <= {allowed}: one a minute)")
    fault.note = (
        f"(while down: {len(looks)} looks, {2 * len(statuses)} API calls on the nodes, "
        f"worst answers {sorted(set(map(str, statuses)))}, "
        f"X-RateLimit-Remaining {sorted(map(str, remaining))}"
        f", chats {chats.count(True)}/{len(chats)} passed, {chats_after.count(True)}"
        f"/{len(chats_after)} after; back: points shared after {_s(points_s)}, closing across "
        f"nodes after {_s(closing_s)}, presence after {_s(presence_s)}; warnings per node "
        f"{warned})"
    )
    return fault


def _s(seconds: float | None) -> str:
    return "never" if seconds is None else f"{seconds:.1f} s"


async def _janus_up(rig: Rig) -> bool:
    try:
        async with httpx.AsyncClient(timeout=5) as http:
            text = (await http.get(rig.salon.metrics_url)).text
    except httpx.HTTPError:
        return False
    return any(
        line.startswith("salon_janus_up{") and line.endswith(" 1.0") for line in text.splitlines()
    )


def _fill(path: Path) -> None:
    block = b"\0" * (1 << 20)
    with path.open("wb", buffering=0) as out:
        try:
            while True:
                out.write(block)
        except OSError as error:
            if error.errno != errno.ENOSPC:
                raise


async def _run(*command: str) -> None:
    await asyncio.to_thread(subprocess.run, command, check=True, capture_output=True, timeout=60)


FAULTS: dict[str, Callable[[Rig], Awaitable[Fault]]] = {
    "kill9": kill9,
    "postgres": postgres,
    "janus": janus,
    "disk": disk,
    "webhook": webhook,
    "redis": redis,
}
