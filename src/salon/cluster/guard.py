"""Redis may be away: every shared operation then falls back (limits fail open, reads show this
node's rooms) instead of failing the request. One warning a minute, not one per request; after a
failure Redis is left alone for a second, so that a dead or blackholed server does not add its
timeout to every request."""

import logging
import time
from collections.abc import Callable

import redis.exceptions

log = logging.getLogger("salon.cluster")

WARN_EVERY_S = 60.0
BACK_OFF_S = 1.0
FAILURES: tuple[type[BaseException], ...] = (redis.exceptions.RedisError, OSError, TimeoutError)
"""What an unreachable or failing Redis raises."""


class RedisGuard:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._warned_at = float("-inf")
        self._resting_until = float("-inf")
        self.failures = 0
        """Failed calls since start (tests, metrics)."""

    @property
    def available(self) -> bool:
        return self._clock() >= self._resting_until

    def failed(self, what: str, error: BaseException) -> None:
        now = self._clock()
        self.failures += 1
        self._resting_until = now + BACK_OFF_S
        if now - self._warned_at >= WARN_EVERY_S:
            self._warned_at = now
            log.warning(
                "Redis is unreachable (%s: %s): limits fail open, reads show this node's rooms "
                "only and joins of rooms this node does not hold are refused until it answers "
                "again (this warning repeats at most once a minute)",
                what,
                type(error).__name__,
            )
