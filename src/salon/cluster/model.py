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


# --- placement: one node serves each live room ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a room is served: here (this node holds its lease), or on `node`."""

    node: str
    token: int
    here: bool


class PlacementUnavailable(Exception):
    """Nobody can say which node serves the room (Redis is unreachable): the join is refused and
    the page retries."""


class RoomPlacement(Protocol):
    async def place(self, room: RoomName) -> Placement:
        """Which node serves `room`, taking its lease when nobody holds it. When the answer is
        here, the caller serves the room until it calls `let_go(room)` once."""
        ...

    def let_go(self, room: RoomName) -> None: ...


# --- relaying a socket to the node that serves its room ------------------------------------------


@dataclass(frozen=True, slots=True)
class RelayHello:
    """What the owner needs of a socket that landed on another node: its first `join`, and what
    that node knew of the client."""

    room: RoomName
    first_frame: str
    address: str | None
    agent: str
    member: tuple[str, str] | None
    """(organization id, role) of the dashboard account signed in in the client's browser."""


@dataclass(frozen=True, slots=True)
class Closed:
    """The owner closed a relayed socket: close the client's with this code and reason."""

    code: int
    reason: str


class RelayedConnection(Protocol):
    """A client's socket on this node, as relayed to its room's owner."""

    def send(self, text: str) -> None:
        """A client frame, to the owner (in order, never blocks)."""
        ...

    def send_binary(self) -> None:
        """The client sent a binary frame (the owner answers that frames must be text)."""
        ...

    async def receive(self) -> str | Closed:
        """The owner's next frame for the client, or how the owner closed the socket."""
        ...

    def close(self) -> None:
        """The client is gone: the owner's participant leaves."""
        ...


class RemoteSocket(Protocol):
    """On the owner: a socket relayed from another node, with the WebSocket calls the signaling
    endpoint makes (`receive` answers ASGI messages)."""

    async def receive(self) -> dict[str, object]: ...

    async def send_text(self, data: str) -> None: ...

    async def close(self, code: int = 1000, reason: str | None = None) -> None: ...


RemoteHandler = Callable[[RemoteSocket, RelayHello], Awaitable[None]]
"""Serves one relayed socket on the owner to its end (the signaling endpoint's loop)."""


class SocketRelay(Protocol):
    def serve_remote_with(self, handler: RemoteHandler) -> None: ...

    def open(self, owner: str, hello: RelayHello) -> RelayedConnection: ...
