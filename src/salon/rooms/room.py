"""One live room: the aggregate that owns its seats, knockers, spaces (breakout groups), session
and meeting clock, and the one place a seat's status changes. Pure: no I/O, no clock, no asyncio.

    join ──► sit() ──► AT_DOOR ──► knock() ──► KNOCKING ──► withdraw() ──► AT_DOOR
                          │                       │
                          └──── enter() ◄─────────┘ (unlocked, or a host admits)
                                   │
                                IN_ROOM ──► depart() ──► GONE     (any seat ──► leave_door())

A move the table `MOVES` does not allow raises `IllegalSeatMove`: a bug, never a client's doing.
Methods that change what people see return the notice to send; `rooms/service.py` and its
collaborators fan it out and record the events.
"""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from salon.ids import ParticipantId, RoomName, RoomSessionId
from salon.meetings.model import Meeting, RoomRole
from salon.rooms.breakout import Breakout, check_groups
from salon.rooms.notices import (
    BreakoutView,
    Client,
    Frame,
    KnockList,
    ParticipantUpdated,
    RoomUpdated,
    RoomView,
)
from salon.rooms.state import Knocker, NotAllowed, Participant, RoomState


class SeatStatus(StrEnum):
    AT_DOOR = "at-door"
    """In front of a locked room: may knock."""
    KNOCKING = "knocking"
    IN_ROOM = "in-room"
    GONE = "gone"


MOVES: dict[SeatStatus, frozenset[SeatStatus]] = {
    SeatStatus.AT_DOOR: frozenset({SeatStatus.KNOCKING, SeatStatus.IN_ROOM, SeatStatus.GONE}),
    SeatStatus.KNOCKING: frozenset({SeatStatus.AT_DOOR, SeatStatus.IN_ROOM, SeatStatus.GONE}),
    SeatStatus.IN_ROOM: frozenset({SeatStatus.GONE}),
    SeatStatus.GONE: frozenset(),
}
"""The moves a seat may make."""


class IllegalSeatMove(Exception):
    """A seat was asked to make a move `MOVES` does not allow."""


class Cancellable(Protocol):
    """A scheduled call (the service's timers)."""

    def cancel(self) -> None: ...


@dataclass(slots=True, eq=False)
class Seat:
    """One connection's place in one room; the endpoint holds it, the room moves it."""

    room: "Room"
    participant_id: ParticipantId
    role: RoomRole
    display_name: str
    external_id: str | None
    metadata: str | None
    resume_token: str
    address: str | None = None
    """The client's address, which knock limits are counted by."""
    _status: SeatStatus = SeatStatus.AT_DOOR

    @property
    def status(self) -> SeatStatus:
        return self._status


@dataclass(slots=True)
class Departure:
    """What `Room.depart` took out: the participant, and the connection to close, if any."""

    participant: Participant
    client: Client | None
    spotlit: bool
    """They were in the spotlight, which is off now."""


@dataclass(slots=True, eq=False)
class Room:
    meeting: Meeting
    state: RoomState
    """Who is in, who knocks, and the host's settings: the pure rules of `rooms/state.py`."""
    seats: dict[ParticipantId, Seat] = field(default_factory=dict)
    clients: dict[ParticipantId, Client] = field(default_factory=dict)
    session_id: RoomSessionId | None = None
    holding: dict[ParticipantId, list[Frame]] = field(default_factory=dict)
    """Frames kept for someone entering until their join is committed and `joined` sent."""
    session_end: Cancellable | None = None
    resume_deadlines: dict[ParticipantId, Cancellable] = field(default_factory=dict)
    knock_list_due: Cancellable | None = None
    """The next coalesced waiting list to the hosts, when one is scheduled."""
    knock_list_sent_s: float = float("-inf")
    """When (the loop's time) the hosts last heard the waiting list."""
    knock_events_ms: dict[tuple[ParticipantId, str], int] = field(default_factory=dict)
    """When each knocker's knock (and cancel) webhook was last recorded."""

    # --- reading ---------------------------------------------------------------------------

    @property
    def name(self) -> RoomName:
        return self.state.name

    @property
    def idle(self) -> bool:
        """No one in, at the door or connected, and no session: the room may go."""
        state = self.state
        return not (state.participants or state.knockers or self.clients or self.session_id)

    def at_door(self) -> int:
        """People in front of the locked room: waiting to knock, or knocking."""
        return len(self.waiting())

    def waiting(self) -> list[ParticipantId]:
        return [
            seat.participant_id
            for seat in self.seats.values()
            if seat.status in (SeatStatus.AT_DOOR, SeatStatus.KNOCKING)
        ]

    def view(self) -> RoomView:
        state = self.state
        breakout = state.breakout
        return RoomView(
            name=state.name,
            mode=state.mode,
            locked=state.locked,
            spotlight=state.spotlight,
            capacity=state.capacity,
            breakout=None
            if breakout is None
            else BreakoutView(
                tuple(breakout.groups), dict(breakout.assignments), breakout.allow_choose
            ),
            timer_started_ms=state.timer_started_ms,
        )

    def updated(self) -> RoomUpdated:
        return RoomUpdated(self.view())

    def knock_list(self, most: int) -> KnockList:
        """The waiting list a host sees: the first `most` knockers, and how many wait in all."""
        waiting = list(self.state.knockers.values())
        return KnockList(tuple(waiting[:most]), len(waiting))

    # --- seats --------------------------------------------------------------------------------

    def _move(self, seat: Seat, to: SeatStatus) -> None:
        """The one place a seat's status changes."""
        if to not in MOVES[seat.status]:
            raise IllegalSeatMove(f"a seat cannot go from {seat.status} to {to}")
        seat._status = to

    def sit(self, seat: Seat, client: Client) -> None:
        """A newcomer's connection takes its seat, at the door."""
        self.clients[seat.participant_id] = client
        self.seats[seat.participant_id] = seat

    def knock(self, seat: Seat, at_ms: int) -> Knocker:
        knocker = Knocker(
            id=seat.participant_id,
            display_name=seat.display_name,
            at_ms=at_ms,
            external_id=seat.external_id,
            metadata=seat.metadata,
        )
        self._move(seat, SeatStatus.KNOCKING)
        self.state.add_knocker(knocker)
        return knocker

    def withdraw(self, seat: Seat) -> Knocker | None:
        """A knocker is back at the door (cancelled, or their connection went)."""
        self._move(seat, SeatStatus.AT_DOOR)
        return self.state.remove_knocker(seat.participant_id)

    def admit(self, seat: Seat) -> None:
        """A host let a knocker in: they enter as a granted visitor."""
        self.state.remove_knocker(seat.participant_id)
        seat.role = RoomRole.GRANTED_VISITOR

    def enter(self, seat: Seat, at_ms: int) -> Participant:
        participant = Participant(
            id=seat.participant_id,
            display_name=seat.display_name,
            role=seat.role,
            joined_ms=at_ms,
            external_id=seat.external_id,
            metadata=seat.metadata,
        )
        self._move(seat, SeatStatus.IN_ROOM)
        self.state.add(participant)
        return participant

    def leave_door(self, participant_id: ParticipantId) -> Client | None:
        """Someone at the door (or knocking) is gone: their seat and connection go with them."""
        self.state.remove_knocker(participant_id)
        seat = self.seats.pop(participant_id, None)
        if seat is not None and seat.status is not SeatStatus.GONE:
            self._move(seat, SeatStatus.GONE)
        return self.clients.pop(participant_id, None)

    def not_entered(self, seat: Seat) -> Client | None:
        """The join could not be recorded: the newcomer is out again."""
        self.state.remove(seat.participant_id)
        self._move(seat, SeatStatus.GONE)
        self.seats.pop(seat.participant_id, None)
        return self.clients.pop(seat.participant_id, None)

    def depart(self, participant_id: ParticipantId) -> Departure | None:
        """Take a participant out: their seat, their resume deadline, their connection."""
        spotlit = self.state.spotlight == participant_id
        participant = self.state.remove(participant_id)
        if participant is None:
            return None
        seat = self.seats.pop(participant_id, None)
        if seat is not None:
            self._move(seat, SeatStatus.GONE)
        deadline = self.resume_deadlines.pop(participant_id, None)
        if deadline is not None:
            deadline.cancel()
        return Departure(participant, self.clients.pop(participant_id, None), spotlit)

    def update(self, participant_id: ParticipantId, **changes: object) -> ParticipantUpdated:
        return ParticipantUpdated(self.state.update(participant_id, **changes))

    def rename(self, seat: Seat, name: str) -> ParticipantUpdated:
        seat.display_name = name
        return self.update(seat.participant_id, display_name=name)

    # --- a host's settings --------------------------------------------------------------------

    def lock(self, locked: bool) -> RoomUpdated:
        self.state.locked = locked
        return self.updated()

    def spotlight(self, participant_id: ParticipantId | None) -> RoomUpdated:
        self.state.set_spotlight(participant_id)
        return self.updated()

    def start_breakout(self, groups: list[str], allow_choose: bool) -> RoomUpdated:
        self.state.breakout = Breakout(check_groups(groups), allow_choose)
        return self.updated()

    def assign(self, participant_id: ParticipantId, group: int | None) -> RoomUpdated:
        """Put a participant in a breakout group (None: the main room)."""
        breakout = self.state.breakout
        if breakout is None:
            raise NotAllowed("no breakout session is running")
        breakout.assign(participant_id, group)
        return self.updated()

    def end_breakout(self) -> RoomUpdated:
        self.state.breakout = None
        return self.updated()

    def set_timer(self, started_ms: int | None) -> RoomUpdated:
        self.state.timer_started_ms = started_ms
        return self.updated()
