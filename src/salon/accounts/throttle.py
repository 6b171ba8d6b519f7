"""Sign-in attempts, limited. Pure: state and a clock, no I/O.

An attempt is reserved, synchronously, before its password is checked (the check is awaited:
parallel requests must not all pass a limit that only their results would have reached), and the
reservation counts as a failure until the check says otherwise. Failures are counted:

- per account and client address (`PER_PAIR`): a guesser at one account from one place is
  stopped there, and only there: the owner signing in from elsewhere never notices;
- per client address (`PER_CLIENT`, higher): one place cannot try many accounts, while people
  behind one proxy who each mistype their own password do not lock each other out;
- per account, from anywhere (`SLOWDOWN_AFTER`): past it, attempts on the account from clients
  with recent failures are paced to one per `PACE_MS`. A slowdown, never a lockout: a client with
  no recent failure (the owner at their usual desk) is not paced, so strangers cannot lock the
  owner out by failing on purpose.

Each failure is forgotten `WINDOW_MS` after it happened. A success clears the failures of its
account from its client.
"""

from collections import deque
from dataclasses import dataclass, field

from salon.clock import MS_PER_MINUTE, Clock

WINDOW_MS = 15 * MS_PER_MINUTE
PER_PAIR = 5
PER_CLIENT = 30
SLOWDOWN_AFTER = 10
PACE_MS = 2_000
_PRUNE_AT = 10_000


@dataclass(slots=True)
class Attempt:
    """A reserved attempt (`wait_ms == 0`), or a refused one and how long until one may be made.
    A reserved attempt ends with exactly one of `failed()` or `succeeded()`."""

    wait_ms: int
    _throttle: "SignInThrottle | None" = None
    _keys: tuple[str, ...] = ()
    _pair: str = ""
    _open: bool = field(default=False)

    def failed(self) -> None:
        if self._throttle is not None and self._open:
            self._open = False
            self._throttle._settle(self._keys, failed=True)

    def succeeded(self) -> None:
        if self._throttle is not None and self._open:
            self._open = False
            self._throttle._settle(self._keys, failed=False)
            self._throttle._failures.pop(self._pair, None)


class SignInThrottle:
    def __init__(
        self,
        clock: Clock,
        *,
        per_pair: int = PER_PAIR,
        per_client: int = PER_CLIENT,
        slowdown_after: int = SLOWDOWN_AFTER,
        pace_ms: int = PACE_MS,
    ) -> None:
        self._clock = clock
        self._per_pair = per_pair
        self._per_client = per_client
        self._slowdown_after = slowdown_after
        self._pace_ms = pace_ms
        self._failures: dict[str, deque[int]] = {}
        self._pending: dict[str, int] = {}
        self._paced_until: dict[str, int] = {}

    def reserve(self, account: str, client: str) -> Attempt:
        """Reserve an attempt at `account` (an e-mail address) from `client`, or refuse it."""
        now = self._clock()
        if len(self._failures) >= _PRUNE_AT:
            self._prune(now)
        pair = f"pair:{account}\0{client}"
        per_client, per_account = f"client:{client}", f"account:{account}"
        waits = [
            self._wait(pair, self._per_pair, now),
            self._wait(per_client, self._per_client, now),
        ]
        suspect = self._count(per_client, now) > 0
        hot = len(self._recent(per_account, now)) >= self._slowdown_after
        if suspect and hot:
            waits.append(max(0, self._paced_until.get(account, 0) - now))
        wait = max(waits)
        if wait > 0:
            return Attempt(wait)
        if suspect and hot:
            self._paced_until[account] = now + self._pace_ms
        keys = (pair, per_client, per_account)
        for key in keys:
            self._pending[key] = self._pending.get(key, 0) + 1
        return Attempt(0, self, keys, pair, True)

    def _settle(self, keys: tuple[str, ...], *, failed: bool) -> None:
        now = self._clock()
        for key in keys:
            left = self._pending.get(key, 1) - 1
            if left > 0:
                self._pending[key] = left
            else:
                self._pending.pop(key, None)
            if failed:
                self._failures.setdefault(key, deque()).append(now)

    def _count(self, key: str, now: int) -> int:
        """Failures in the window, and attempts still being checked (each may be one)."""
        return len(self._recent(key, now)) + self._pending.get(key, 0)

    def _wait(self, key: str, limit: int, now: int) -> int:
        if self._count(key, now) < limit:
            return 0
        times = self._recent(key, now)
        excess = len(times) + self._pending.get(key, 0) - limit
        if excess >= len(times):
            # Only attempts still being checked fill the limit: they end within seconds.
            return 1_000
        return times[excess] + WINDOW_MS - now

    def _recent(self, key: str, now: int) -> deque[int]:
        times = self._failures.get(key)
        if times is None:
            return deque()
        while times and times[0] <= now - WINDOW_MS:
            times.popleft()
        return times

    def _prune(self, now: int) -> None:
        for key in list(self._failures):
            if not self._recent(key, now):
                del self._failures[key]
        for account, until in list(self._paced_until.items()):
            if until <= now:
                del self._paced_until[account]
