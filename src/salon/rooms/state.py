"""The state of one live room and the rules that change it. Pure: no I/O, no clock, no asyncio.

    join ──► decide_entry(role) ──► ENTER ──► add()            (participants)
                                 ├─► KNOCK ──► add_knocker()     (knockers, until a host decides)
                                 └─► FULL
    host actions ──► require_host(role) ──► lock / spotlight / admit / reject / hold / remove …

The `Room` aggregate (`rooms/room.py`) holds one and changes it together with the room's seats;
the service and its collaborators read it, and own the connections, the timers and the records.
"""

from dataclasses import dataclass, field, replace
from enum import StrEnum

from salon.errors import SalonError
from salon.ids import OrgId, ParticipantId, RoomName
from salon.meetings.model import GROUP_VIEWER_CAPACITY, ROOM_CAPACITY, RoomMode, RoomRole
from salon.recording.options import RecordingType
from salon.rooms.breakout import Breakout

HOST_ROLES = frozenset({RoomRole.HOST, RoomRole.OWNER, RoomRole.MEMBER})
"""Roles with host privileges (docs/whereby-compatibility.md, "Roles in a room")."""
ENTERS_LOCKED = HOST_ROLES | {
    RoomRole.VIEWER,
    RoomRole.GRANTED_VISITOR,
    RoomRole.RECORDER,
    RoomRole.STREAMER,
}


@dataclass(frozen=True, slots=True)
class SignedInMember:
    """Someone signed in to an organization's dashboard: in that organization's rooms they join
    with `role` (owner or member), whatever room key the URL carries."""

    org_id: OrgId
    role: RoomRole


def entry_role(key_role: RoomRole, member: SignedInMember | None, room_org: OrgId) -> RoomRole:
    """The role someone joins a room with: an account of the room's organization wins over a
    room key; an account of another organization counts for nothing here."""
    if member is not None and member.org_id == room_org:
        return member.role
    return key_role


class Entry(StrEnum):
    ENTER = "enter"
    KNOCK = "knock"
    FULL = "full"


class NotAllowed(SalonError):
    """The participant's role may not do this."""


class NoSuchParticipant(SalonError):
    """The participant (or knocker) named is not in the room."""


@dataclass(frozen=True, slots=True)
class Participant:
    id: ParticipantId
    display_name: str
    role: RoomRole
    joined_ms: int
    external_id: str | None = None
    metadata: str | None = None
    audio: bool = False
    video: bool = False
    screen: bool = False
    reconnecting: bool = False


@dataclass(frozen=True, slots=True)
class Knocker:
    id: ParticipantId
    display_name: str
    at_ms: int
    external_id: str | None = None
    metadata: str | None = None
    held_message: str | None = None


@dataclass(frozen=True, slots=True)
class GroupCaps:
    """How many a group room admits, counted over the whole room (every breakout group)."""

    participants: int = ROOM_CAPACITY[RoomMode.GROUP]
    viewers: int = GROUP_VIEWER_CAPACITY


@dataclass(slots=True)
class RoomState:
    name: RoomName
    mode: RoomMode
    locked: bool
    spotlight: ParticipantId | None = None
    breakout: Breakout | None = None
    timer_started_ms: int | None = None
    """When a host started the meeting clock everyone sees, or None."""
    participants: dict[ParticipantId, Participant] = field(default_factory=dict)
    knockers: dict[ParticipantId, Knocker] = field(default_factory=dict)
    group_caps: GroupCaps = GroupCaps()
    recording: RecordingType = RecordingType.NONE
    """What the room's hosts may record: `cloud` only when this server can record it."""
    live_transcription: bool = False
    """The meeting may be transcribed live, and this server can (the SFU hears the speakers)."""

    # --- reading ---------------------------------------------------------------------------

    @property
    def uses_sfu(self) -> bool:
        """The room's media goes through the SFU: a group room, or a room recorded in the cloud
        (the SFU is what records) or transcribed live (the SFU forwards the speakers' audio to
        the engine). A normal room keeps its own cap there."""
        return (
            self.mode is RoomMode.GROUP
            or self.recording is RecordingType.CLOUD
            or self.live_transcription
        )

    @property
    def capacity(self) -> int:
        if self.mode is RoomMode.GROUP:
            return self.group_caps.participants
        return ROOM_CAPACITY[self.mode]

    def capacity_for(self, role: "RoomRole") -> int:
        """The cap a newcomer of `role` meets: viewers have their own in a group room."""
        if self.mode is RoomMode.GROUP and role is RoomRole.VIEWER:
            return self.group_caps.viewers
        return self.capacity

    def full_message(self, role: "RoomRole") -> str:
        """Why a newcomer is refused, with the cap they met."""
        if self.mode is not RoomMode.GROUP:
            return "the room is full"
        if role is RoomRole.VIEWER:
            return f"the room is full: it admits {self.group_caps.viewers} viewers"
        return f"the room is full: it admits {self.group_caps.participants} participants"

    def same_space(self, first: ParticipantId, second: ParticipantId) -> bool:
        """Outside a breakout session everyone shares the room."""
        return self.breakout is None or self.breakout.same_space(first, second)

    def others(self, participant_id: ParticipantId) -> list[Participant]:
        return [p for p in self.participants.values() if p.id != participant_id]

    def hosts(self) -> list[Participant]:
        return [p for p in self.participants.values() if p.role in HOST_ROLES]

    def count_by_role(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for participant in self.participants.values():
            counts[participant.role.value] = counts.get(participant.role.value, 0) + 1
        return counts

    def participant(self, participant_id: ParticipantId) -> Participant:
        found = self.participants.get(participant_id)
        if found is None:
            raise NoSuchParticipant(f"no participant {participant_id!r} in this room")
        return found

    def knocker(self, knocker_id: ParticipantId) -> Knocker:
        found = self.knockers.get(knocker_id)
        if found is None:
            raise NoSuchParticipant(f"no one with id {knocker_id!r} is knocking")
        return found

    # --- entering ---------------------------------------------------------------------------

    def decide_entry(self, role: RoomRole) -> Entry:
        """May someone of `role` come in now, must they knock, or is there no room left?"""
        if self._is_full_for(role):
            return Entry.FULL
        if self.locked and role not in ENTERS_LOCKED:
            return Entry.KNOCK
        return Entry.ENTER

    def _is_full_for(self, role: RoomRole) -> bool:
        if self.mode is RoomMode.NORMAL:
            return len(self.participants) >= self.capacity
        viewers = sum(1 for p in self.participants.values() if p.role is RoomRole.VIEWER)
        if role is RoomRole.VIEWER:
            return viewers >= self.group_caps.viewers
        return len(self.participants) - viewers >= self.capacity

    def seats_to_free_for(self, role: RoomRole) -> list[ParticipantId]:
        """Who a host may push out to come into a full room: people in their resume grace
        (their connection is gone, they may never come back), as few as make one seat, those
        who are not hosts first. Empty when the room is not full, when `role` is not a host's,
        or when reconnecting people alone cannot make room."""
        if role not in HOST_ROLES or not self._is_full_for(role):
            return []
        counted = [
            p
            for p in self.participants.values()
            if self.mode is RoomMode.NORMAL or p.role is not RoomRole.VIEWER
        ]
        reconnecting = sorted(
            (p for p in counted if p.reconnecting),
            key=lambda p: (p.role in HOST_ROLES, p.joined_ms),
        )
        needed = len(counted) - self.capacity + 1
        if len(reconnecting) < needed:
            return []
        return [p.id for p in reconnecting[:needed]]

    def add(self, participant: Participant) -> None:
        self.participants[participant.id] = participant
        self.knockers.pop(participant.id, None)

    def remove(self, participant_id: ParticipantId) -> Participant | None:
        if self.spotlight == participant_id:
            self.spotlight = None
        if self.breakout is not None:
            self.breakout.assign(participant_id, None)
        return self.participants.pop(participant_id, None)

    def update(self, participant_id: ParticipantId, **changes: object) -> Participant:
        updated = replace(self.participant(participant_id), **changes)  # type: ignore[arg-type]
        self.participants[participant_id] = updated
        return updated

    # --- knocking ---------------------------------------------------------------------------

    def add_knocker(self, knocker: Knocker) -> None:
        self.knockers[knocker.id] = knocker

    def remove_knocker(self, knocker_id: ParticipantId) -> Knocker | None:
        return self.knockers.pop(knocker_id, None)

    def hold_knocker(self, knocker_id: ParticipantId, message: str) -> Knocker:
        held = replace(self.knocker(knocker_id), held_message=message)
        self.knockers[knocker_id] = held
        return held

    # --- host rules -------------------------------------------------------------------------

    @staticmethod
    def require_host(role: RoomRole, action: str) -> None:
        if role not in HOST_ROLES:
            raise NotAllowed(f"only a host may {action}")

    def set_spotlight(self, participant_id: ParticipantId | None) -> None:
        if participant_id is not None:
            self.participant(participant_id)
        self.spotlight = participant_id
