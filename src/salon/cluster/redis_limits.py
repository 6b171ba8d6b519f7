"""API points and the sign-in throttle, shared by every node through Redis. Each decision is one
Lua script, so that concurrent requests on several nodes cannot both pass a limit.

The rules are those of `salon.ratelimit` (a fixed window opened by a bucket's first charge) and of
the in-memory sign-in throttle (failures per account and address, per address, and a pace per
account; attempts being checked count as failures until they are settled)."""

import secrets

from redis.asyncio import Redis

from salon.clock import Clock
from salon.cluster.guard import FAILURES, RedisGuard
from salon.ratelimit import WINDOW_MS, Verdict

PREFIX = "salon:"

_CHARGE = """
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local left = redis.call('PTTL', KEYS[1])
local cost, limit, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
if left < 0 then used = 0; left = window end
if used + cost > limit then return {0, used, left} end
used = redis.call('INCRBY', KEYS[1], cost)
if used == cost then redis.call('PEXPIRE', KEYS[1], window) end
return {1, used, left}
"""


class RedisApiLimiter:
    def __init__(self, client: Redis, guard: RedisGuard, limit: int, clock: Clock) -> None:
        self._limit = limit
        self._clock = clock
        self._guard = guard
        self._script = client.register_script(_CHARGE)

    @property
    def limit(self) -> int:
        return self._limit

    @property
    def enabled(self) -> bool:
        return self._limit > 0

    async def charge(self, bucket: str, cost: int) -> Verdict:
        now = self._clock()
        if self._guard.available:
            try:
                allowed, used, left = await self._script(
                    keys=[f"{PREFIX}points:{bucket}"], args=[cost, self._limit, WINDOW_MS]
                )
            except FAILURES as error:
                self._guard.failed("API rate limit", error)
            else:
                remaining = max(self._limit - int(used), 0)
                return Verdict(bool(allowed), self._limit, remaining, now + left, int(left))
        return Verdict(True, self._limit, self._limit, now + WINDOW_MS, WINDOW_MS)


# KEYS: failures (sorted sets) of pair, client, account; pending counters of the same; pace
# ARGV: now, window, per_pair, per_client, slowdown_after, pace_ms, pending_ttl_ms
_RESERVE = """
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
for i = 1, 3 do redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window) end
local function count(i)
  return redis.call('ZCARD', KEYS[i]) + tonumber(redis.call('GET', KEYS[i + 3]) or '0')
end
local function wait(i, limit)
  local failures = redis.call('ZCARD', KEYS[i])
  local total = failures + tonumber(redis.call('GET', KEYS[i + 3]) or '0')
  if total < limit then return 0 end
  local excess = total - limit
  if excess >= failures then return 1000 end
  local at = redis.call('ZRANGE', KEYS[i], excess, excess, 'WITHSCORES')
  return tonumber(at[2]) + window - now
end
local longest = math.max(wait(1, tonumber(ARGV[3])), wait(2, tonumber(ARGV[4])))
local suspect = count(2) > 0
local hot = redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[5])
if suspect and hot then
  local paced = tonumber(redis.call('GET', KEYS[7]) or '0')
  longest = math.max(longest, paced - now)
end
if longest > 0 then return longest end
if suspect and hot then
  redis.call('SET', KEYS[7], now + tonumber(ARGV[6]), 'PX', tonumber(ARGV[6]))
end
for i = 4, 6 do
  redis.call('INCR', KEYS[i])
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[7]))
end
return 0
"""

# KEYS: as above; ARGV: now, window, failed (0/1), succeeded (0/1), a unique member
_SETTLE = """
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
for i = 4, 6 do
  if redis.call('DECR', KEYS[i]) <= 0 then redis.call('DEL', KEYS[i]) end
end
if ARGV[3] == '1' then
  for i = 1, 3 do
    redis.call('ZADD', KEYS[i], now, ARGV[5] .. ':' .. i)
    redis.call('PEXPIRE', KEYS[i], window)
  end
end
if ARGV[4] == '1' then redis.call('DEL', KEYS[1]) end
return 0
"""

PENDING_TTL_MS = 60_000
"""A node that dies while checking a password leaves its reservation: it lapses after this."""


class _RedisReservation:
    __slots__ = ("_keys", "_open", "_owner", "wait_ms")

    def __init__(
        self, wait_ms: int, owner: "RedisSignInLimiter | None" = None, keys: list[str] | None = None
    ) -> None:
        self.wait_ms = wait_ms
        self._owner = owner
        self._keys = keys or []
        self._open = owner is not None

    async def failed(self) -> None:
        if self._owner is not None and self._open:
            self._open = False
            await self._owner._settle(self._keys, failed=True)

    async def succeeded(self) -> None:
        if self._owner is not None and self._open:
            self._open = False
            await self._owner._settle(self._keys, failed=False)


class RedisSignInLimiter:
    def __init__(
        self,
        client: Redis,
        guard: RedisGuard,
        clock: Clock,
        *,
        window_ms: int,
        per_pair: int,
        per_client: int,
        slowdown_after: int,
        pace_ms: int,
    ) -> None:
        self._guard = guard
        self._clock = clock
        self._window_ms = window_ms
        self._limits = (per_pair, per_client, slowdown_after, pace_ms)
        self._reserve = client.register_script(_RESERVE)
        self._settle_script = client.register_script(_SETTLE)

    async def reserve(self, account: str, client: str) -> _RedisReservation:
        base = f"{PREFIX}signin:"
        pair = f"pair:{account}\0{client}"
        names = (pair, f"client:{client}", f"account:{account}")
        keys = [base + "f:" + n for n in names] + [base + "p:" + n for n in names]
        keys.append(f"{base}pace:{account}")
        if not self._guard.available:
            return _RedisReservation(0)
        try:
            wait = await self._reserve(
                keys=keys,
                args=[self._clock(), self._window_ms, *self._limits, PENDING_TTL_MS],
            )
        except FAILURES as error:
            self._guard.failed("sign-in throttle", error)
            return _RedisReservation(0)
        return _RedisReservation(int(wait)) if int(wait) > 0 else _RedisReservation(0, self, keys)

    async def _settle(self, keys: list[str], *, failed: bool) -> None:
        try:
            await self._settle_script(
                keys=keys,
                args=[
                    self._clock(),
                    self._window_ms,
                    int(failed),
                    int(not failed),
                    secrets.token_hex(8),
                ],
            )
        except FAILURES as error:
            self._guard.failed("sign-in throttle", error)
