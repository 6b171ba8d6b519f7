"""Sign-in attempts, limited. Pure: state and a clock, no I/O.

Failures are counted per e-mail address (so one account cannot be guessed at from many places)
and per client address (so one place cannot try many accounts). A success clears the address's
count for that e-mail. The window slides: each failure is forgotten `WINDOW_MS` after it happened.
"""

from collections import deque

from salon.clock import MS_PER_MINUTE, Clock

WINDOW_MS = 15 * MS_PER_MINUTE
PER_EMAIL = 5
PER_CLIENT = 20
_PRUNE_AT = 10_000


class SignInThrottle:
    def __init__(
        self, clock: Clock, *, per_email: int = PER_EMAIL, per_client: int = PER_CLIENT
    ) -> None:
        self._clock = clock
        self._limits = {"email": per_email, "client": per_client}
        self._failures: dict[str, deque[int]] = {}

    def wait_ms(self, email: str, client: str) -> int:
        """0 when an attempt may be made now, else how long until one may."""
        now = self._clock()
        waits = [0]
        for kind, key in (("email", email), ("client", client)):
            times = self._recent(f"{kind}:{key}", now)
            if len(times) >= self._limits[kind]:
                waits.append(times[len(times) - self._limits[kind]] + WINDOW_MS - now)
        return max(waits)

    def failed(self, email: str, client: str) -> None:
        now = self._clock()
        if len(self._failures) >= _PRUNE_AT:
            self._prune(now)
        for key in (f"email:{email}", f"client:{client}"):
            self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, email: str) -> None:
        self._failures.pop(f"email:{email}", None)

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
