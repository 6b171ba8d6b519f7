"""Who serves a live room: the pure rules of the room lease and its fencing token. No I/O.

A room is served by one node at a time, the holder of its lease in Redis
(`salon:room:<name>:owner`, value `<node>|<token>`, expiring after `TTL_MS` unless renewed). The
token comes from one counter shared by every room (`INCR salon:fence`), so a lease taken after
another always carries a larger token: a node whose renewal finds another value has been
superseded and must stop serving the room.

This node keeps a `LeaseBook`: the leases it holds, until when each is safe to trust without
asking Redis again, and how many sockets here serve each room (a room is let go once none does and
the room is no longer live).
"""

from collections.abc import Callable
from dataclasses import dataclass

from salon.ids import RoomName

TTL_MS = 5000
"""A dead owner's rooms can be taken this long after its last renewal, at most."""
RENEW_EVERY_S = 1.0
TRUST_MARGIN_S = 1.5
"""A lease is trusted without asking Redis until this long before it could have expired: its
expiry counts from when the renewal was asked, and clocks of nodes and Redis drift."""
SEPARATOR = "|"


@dataclass(frozen=True, slots=True)
class Owner:
    node: str
    token: int

    @property
    def value(self) -> str:
        """What the owner key holds."""
        return f"{self.node}{SEPARATOR}{self.token}"


def parse_owner(value: str | bytes) -> Owner:
    """The owner from the key's value; the token follows the last separator, so a node id may
    hold the separator itself."""
    text = value.decode() if isinstance(value, bytes) else value
    node, _, token = text.rpartition(SEPARATOR)
    return Owner(node, int(token))


def owner_key(room: RoomName) -> str:
    return f"salon:room:{room}:owner"


FENCE_KEY = "salon:fence"


@dataclass(slots=True)
class Lease:
    room: RoomName
    owner: Owner
    trusted_until: float
    """This node's clock (seconds): after it, a socket for the room asks Redis first."""
    holders: int = 0
    """Sockets on this node (or relayed to it) that serve the room."""


class LeaseBook:
    """The leases this node holds. Times are this node's monotonic clock, in seconds."""

    def __init__(self, node: str, ttl_ms: int = TTL_MS, margin_s: float = TRUST_MARGIN_S) -> None:
        self.node = node
        self._trust_s = max(ttl_ms / 1000 - margin_s, 0.0)
        self._leases: dict[RoomName, Lease] = {}

    def trusted(self, room: RoomName, now: float) -> Lease | None:
        """The lease, when this node holds it and may serve the room without asking Redis."""
        lease = self._leases.get(room)
        return lease if lease is not None and now < lease.trusted_until else None

    def took(self, room: RoomName, owner: Owner, asked_at: float) -> Lease:
        """Redis said `owner` (this node) holds the room, answering a call made at `asked_at`.
        The sockets already counted stay counted."""
        assert owner.node == self.node, "only this node's own leases go in its book"
        lease = self._leases.get(room)
        if lease is None:
            lease = self._leases[room] = Lease(room, owner, asked_at + self._trust_s)
        else:
            lease.owner = owner
            lease.trusted_until = asked_at + self._trust_s
        return lease

    def hold(self, room: RoomName) -> None:
        self._leases[room].holders += 1

    def let_go(self, room: RoomName) -> None:
        lease = self._leases.get(room)
        if lease is not None and lease.holders > 0:
            lease.holders -= 1

    def leases(self) -> list[Lease]:
        return list(self._leases.values())

    def renewed(self, lease: Lease, still_ours: bool, asked_at: float) -> bool:
        """The answer to renewing `lease`; True when the room was lost (another node holds it
        now): the lease leaves the book and the room's sockets here must close."""
        current = self._leases.get(lease.room)
        if current is None or current.owner != lease.owner:
            return False  # taken again or let go meanwhile: this answer is about an old lease
        if still_ours:
            current.trusted_until = max(current.trusted_until, asked_at + self._trust_s)
            return False
        del self._leases[lease.room]
        return True

    def idle(self, is_live: Callable[[RoomName], bool]) -> list[Lease]:
        """Leases no socket here serves, of rooms no longer live: out of the book, to release."""
        gone = [
            lease
            for lease in self._leases.values()
            if lease.holders == 0 and not is_live(lease.room)
        ]
        for lease in gone:
            del self._leases[lease.room]
        return gone
