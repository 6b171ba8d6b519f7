"""What the nodes of a cluster share, as interfaces with a local and a Redis implementation
(`wiring.build_cluster` picks them). Pure: data and protocols, no I/O."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Protocol

from salon.ids import OrgId, RoomName
from salon.ratelimit import Verdict

RoomCloser = Callable[[RoomName, str], Awaitable[None]]
"""Removes everyone from a room on this node, saying why (`meeting-deleted`, `meeting-over`,
`meeting-ended`)."""


class ApiLimiter(Protocol):
    """Each organization's (or unauthenticated address's) API points per minute."""

    @property
    def limit(self) -> int: ...

    @property
    def enabled(self) -> bool: ...

    async def charge(self, bucket: str, cost: int) -> Verdict: ...


class Reservation(Protocol):
    """A sign-in attempt reserved before its password is checked (`wait_ms == 0`), or a refused
    one and how long until one may be made. A reserved one ends with exactly one of `failed()` or
    `succeeded()`."""

    @property
    def wait_ms(self) -> int: ...

    async def failed(self) -> None: ...

    async def succeeded(self) -> None: ...


class SignInLimiter(Protocol):
    async def reserve(self, account: str, client: str) -> Reservation: ...


class ClusterBus(Protocol):
    """Closing a room everywhere: the node that decides publishes, every node's rooms listen."""

    def on_room_closed(self, closer: RoomCloser) -> None:
        """This node's rooms: told to close a room when any node says so."""
        ...

    async def close_everywhere(self, room: RoomName, reason: str) -> None:
        """Close the room here (awaited), then on every other node."""
        ...

    async def closed_here(self, room: RoomName, reason: str) -> None:
        """The room was closed on this node already (a host ended the meeting): tell the others."""
        ...


@dataclass(frozen=True, slots=True)
class PersonPresence:
    display_name: str
    role: str
    joined_ms: int
    reconnecting: bool


@dataclass(frozen=True, slots=True)
class RoomPresence:
    """Who is in one room (on one node, or on all of them once merged)."""

    org_id: OrgId
    room_name: RoomName
    meeting_id: str
    locked: bool
    knocking: int
    participants: tuple[PersonPresence, ...]


def merge_rooms(rooms: list[RoomPresence]) -> list[RoomPresence]:
    """One entry per room: a room with people on several nodes shows them all."""
    merged: dict[RoomName, RoomPresence] = {}
    for room in rooms:
        seen = merged.get(room.room_name)
        merged[room.room_name] = (
            room
            if seen is None
            else replace(
                seen,
                locked=seen.locked or room.locked,
                knocking=seen.knocking + room.knocking,
                participants=seen.participants + room.participants,
            )
        )
    return sorted(merged.values(), key=lambda room: room.room_name)


class RoomDirectory(Protocol):
    """Every node's rooms, for reads ("who is in this room")."""

    async def rooms(self, org_id: OrgId) -> list[RoomPresence]:
        """The organization's rooms with someone in them or at the door, on every node."""
        ...

    async def room(self, org_id: OrgId, room_name: RoomName) -> RoomPresence | None: ...
