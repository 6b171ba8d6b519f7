"""One process, no Redis: the limits in this process's memory, closing and reading its own rooms.
This is what `salon serve` runs without `--redis-url`."""

from collections.abc import Callable
from typing import Protocol

from salon.cluster.model import Placement, RoomCloser, RoomPresence
from salon.ids import OrgId, RoomName
from salon.ratelimit import RateLimiter, Verdict


class LocalApiLimiter:
    def __init__(self, limiter: RateLimiter) -> None:
        self._limiter = limiter

    @property
    def limit(self) -> int:
        return self._limiter.limit

    @property
    def enabled(self) -> bool:
        return self._limiter.enabled

    async def charge(self, bucket: str, cost: int) -> Verdict:
        return self._limiter.charge(bucket, cost)


class _Attempt(Protocol):
    wait_ms: int

    def failed(self) -> None: ...

    def succeeded(self) -> None: ...


class _Throttle(Protocol):
    """The in-memory sign-in throttle (pure, synchronous)."""

    def reserve(self, account: str, client: str) -> _Attempt: ...


class _LocalReservation:
    __slots__ = ("_attempt",)

    def __init__(self, attempt: _Attempt) -> None:
        self._attempt = attempt

    @property
    def wait_ms(self) -> int:
        return self._attempt.wait_ms

    async def failed(self) -> None:
        self._attempt.failed()

    async def succeeded(self) -> None:
        self._attempt.succeeded()


class LocalSignInLimiter:
    def __init__(self, throttle: _Throttle) -> None:
        self.throttle = throttle

    async def reserve(self, account: str, client: str) -> _LocalReservation:
        return _LocalReservation(self.throttle.reserve(account, client))


class LocalBus:
    """Closing "everywhere" is closing here: there is no other node."""

    def __init__(self) -> None:
        self._closers: list[RoomCloser] = []

    def on_room_closed(self, closer: RoomCloser) -> None:
        self._closers.append(closer)

    async def close_everywhere(self, room: RoomName, reason: str) -> None:
        for closer in self._closers:
            await closer(room, reason)

    async def closed_here(self, room: RoomName, reason: str) -> None:
        return None


class LocalDirectory:
    def __init__(self, rooms_of: Callable[[OrgId], list[RoomPresence]]) -> None:
        self._rooms_of = rooms_of

    async def rooms(self, org_id: OrgId) -> list[RoomPresence]:
        return sorted(self._rooms_of(org_id), key=lambda room: room.room_name)

    async def room(self, org_id: OrgId, room_name: RoomName) -> RoomPresence | None:
        return next((r for r in self._rooms_of(org_id) if r.room_name == room_name), None)


class LocalPlacement:
    """One process serves every room: placing is saying "here"."""

    def __init__(self, node_id: str) -> None:
        self._here = Placement(node_id, 0, True)

    async def place(self, room: RoomName) -> Placement:
        return self._here

    def let_go(self, room: RoomName) -> None:
        return None
