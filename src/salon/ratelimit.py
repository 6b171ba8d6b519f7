"""Points per organization per minute (docs/whereby-compatibility.md, "Rate limits"). Pure.

A fixed window opens at a bucket's first charge and lasts a minute; a request whose cost does not
fit in what is left is refused and costs nothing, and the caller learns when the window resets.
"""

import ipaddress
from dataclasses import dataclass

from salon.clock import MS_PER_MINUTE, Clock

WINDOW_MS = MS_PER_MINUTE
READ_COST = 1
DELETE_COST = 2
WRITE_COST = 3
_PRUNE_AT = 10_000


def client_of(host: str | None) -> str:
    """The client a throttle counts: its IPv4 address, or its IPv6 /64 (one subscriber's
    network: counting single IPv6 addresses would give each of them billions of fresh tries).
    `host` is the peer address, or the proxy's `X-Forwarded-For` when `--forwarded-allow-ips`
    trusts that peer."""
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def cost_of(method: str) -> int:
    if method in ("GET", "HEAD", "OPTIONS"):
        return READ_COST
    if method == "DELETE":
        return DELETE_COST
    return WRITE_COST


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset_ms: int
    ms_left: int


class RateLimiter:
    def __init__(self, points_per_minute: int, clock: Clock) -> None:
        self.limit = points_per_minute
        self._clock = clock
        self._windows: dict[str, tuple[int, int]] = {}  # bucket -> (window start ms, points used)

    @property
    def enabled(self) -> bool:
        return self.limit > 0

    def charge(self, bucket: str, cost: int) -> Verdict:
        now = self._clock()
        start, used = self._windows.get(bucket, (now, 0))
        if now >= start + WINDOW_MS:
            start, used = now, 0
        reset = start + WINDOW_MS
        allowed = used + cost <= self.limit
        if allowed:
            used += cost
        if len(self._windows) >= _PRUNE_AT:
            self._prune(now)
        self._windows[bucket] = (start, used)
        return Verdict(allowed, self.limit, max(self.limit - used, 0), reset, reset - now)

    def _prune(self, now: int) -> None:
        expired = [b for b, (start, _) in self._windows.items() if now >= start + WINDOW_MS]
        for bucket in expired:
            del self._windows[bucket]
