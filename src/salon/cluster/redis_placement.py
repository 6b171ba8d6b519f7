"""Room placement over Redis: the lease of each live room (rules in `lease.py`), taken by the
first node to get a socket for the room, renewed every second while the room lives there,
released once it is empty, and lost (its sockets closed here, so they reconnect to the new owner)
when another node's token has replaced this node's.

One Lua script per placement decision (a socket for a room this node does not hold), and one
pipelined round trip per second for all the renewals and releases."""

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis

from salon.cluster.guard import FAILURES, RedisGuard
from salon.cluster.lease import (
    FENCE_KEY,
    RENEW_EVERY_S,
    TTL_MS,
    Lease,
    LeaseBook,
    Owner,
    owner_key,
    parse_owner,
)
from salon.cluster.model import Placement, PlacementUnavailable
from salon.ids import RoomName

log = logging.getLogger("salon.cluster")

# KEYS: owner, fence; ARGV: node, ttl. The holder's value (this node's, when it takes the room).
_ACQUIRE = """
local held = redis.call('GET', KEYS[1])
if held then
  local sep = string.find(held, '|[^|]*$')
  if string.sub(held, 1, sep - 1) == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
  return held
end
local value = ARGV[1] .. '|' .. redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], value, 'PX', ARGV[2])
return value
"""

# KEYS: owner; ARGV: value, ttl. 1 while the lease is this value's (a lapsed one is taken back:
# nobody else holds it), 0 once another token holds the room.
_RENEW = """
local held = redis.call('GET', KEYS[1])
if held == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]); return 1 end
if not held then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]); return 1 end
return 0
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

RoomLost = Callable[[RoomName], Awaitable[None]]


class RedisPlacement:
    def __init__(
        self,
        client: Redis,
        guard: RedisGuard,
        node_id: str,
        is_live: Callable[[RoomName], bool],
        *,
        ttl_ms: int = TTL_MS,
        renew_every_s: float = RENEW_EVERY_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._guard = guard
        self._node = node_id
        self._is_live = is_live
        self._ttl_ms = ttl_ms
        self._every_s = renew_every_s
        self._clock = clock
        self._client = client
        self._acquire = client.register_script(_ACQUIRE)
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)
        self.book = LeaseBook(node_id, ttl_ms)
        self._lost: list[RoomLost] = []
        self._task: asyncio.Task[None] | None = None

    def on_lost(self, listener: RoomLost) -> None:
        """Told of each room another node took from this one."""
        self._lost.append(listener)

    async def place(self, room: RoomName) -> Placement:
        lease = self.book.trusted(room, self._clock())
        if lease is not None:
            self.book.hold(room)
            return Placement(self._node, lease.owner.token, True)
        if not self._guard.available:
            raise PlacementUnavailable("Redis is unreachable")
        asked_at = self._clock()
        try:
            value = await self._acquire(
                keys=[owner_key(room), FENCE_KEY], args=[self._node, self._ttl_ms]
            )
        except FAILURES as error:
            self._guard.failed("placing a room", error)
            raise PlacementUnavailable("Redis is unreachable") from None
        owner = parse_owner(value)
        if owner.node != self._node:
            return Placement(owner.node, owner.token, False)
        self.book.took(room, owner, asked_at)
        self.book.hold(room)
        return Placement(self._node, owner.token, True)

    def let_go(self, room: RoomName) -> None:
        self.book.let_go(room)

    async def renew(self) -> None:
        """Renew every lease held, release the idle ones, and close the rooms lost (one round
        trip; the background task calls it every second)."""
        idle = self.book.idle(self._is_live)
        held = self.book.leases()
        if not idle and not held:
            return
        pipe = self._client.pipeline(transaction=False)
        for lease in held:
            await self._renew(
                keys=[owner_key(lease.room)], args=[lease.owner.value, self._ttl_ms], client=pipe
            )
        for lease in idle:
            await self._release(keys=[owner_key(lease.room)], args=[lease.owner.value], client=pipe)
        asked_at = self._clock()
        answers = await pipe.execute()
        for lease, answer in zip(held, answers, strict=False):
            if self.book.renewed(lease, bool(answer), asked_at):
                await self._room_lost(lease)

    async def _room_lost(self, lease: Lease) -> None:
        log.warning(
            "room %s was taken by another node (this node's token %d is superseded): "
            "closing its sockets here so that they reconnect to the new owner",
            lease.room,
            lease.owner.token,
        )
        for listener in self._lost:
            try:
                await listener(lease.room)
            except Exception:
                log.exception("closing lost room %s failed", lease.room)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop renewing; release what this node holds (its rooms were closed before)."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        leases = self.book.leases()
        if leases and self._guard.available:
            with contextlib.suppress(*FAILURES):
                pipe = self._client.pipeline(transaction=False)
                for lease in leases:
                    await self._release(
                        keys=[owner_key(lease.room)], args=[lease.owner.value], client=pipe
                    )
                await pipe.execute()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._every_s)
            if self._guard.available:
                try:
                    await self.renew()
                except FAILURES as error:
                    self._guard.failed("renewing room leases", error)
                except Exception:
                    log.exception("renewing room leases failed")


__all__ = ["Owner", "RedisPlacement"]
