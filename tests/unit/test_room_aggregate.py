"""The `Room` aggregate: a seat moves only as `MOVES` allows, in one place, and each change
returns the notice the room hears."""

from typing import cast

import pytest

from salon.ids import ParticipantId, RoomName
from salon.meetings.model import Meeting, RoomMode, RoomRole
from salon.rooms.context import RoomContext
from salon.rooms.notices import Closing, Frame, Notice, ParticipantUpdated, RoomUpdated
from salon.rooms.recorder import RoomRecorder
from salon.rooms.room import MOVES, IllegalSeatMove, Room, Seat, SeatStatus
from salon.rooms.state import NotAllowed, RoomState


class Quiet:
    def send(self, frame: Frame) -> None:
        pass

    def close(self, closing: Closing, reason: str) -> None:
        pass


def a_room(locked: bool = True) -> Room:
    meeting = Meeting.__new__(Meeting)  # only what the aggregate reads
    return Room(meeting, RoomState(RoomName("/r"), RoomMode.NORMAL, locked))


def a_seat(room: Room, pid: str = "p1", role: RoomRole = RoomRole.VISITOR) -> Seat:
    seat = Seat(room, ParticipantId(pid), role, "Vic", None, None, "token")
    room.sit(seat, Quiet())
    return seat


def test_the_moves_a_seat_may_make() -> None:
    assert {
        SeatStatus.AT_DOOR: {SeatStatus.KNOCKING, SeatStatus.IN_ROOM, SeatStatus.GONE},
        SeatStatus.KNOCKING: {SeatStatus.AT_DOOR, SeatStatus.IN_ROOM, SeatStatus.GONE},
        SeatStatus.IN_ROOM: {SeatStatus.GONE},
        SeatStatus.GONE: set(),
    } == MOVES


def test_knock_withdraw_admit_enter_depart() -> None:
    room = a_room()
    seat = a_seat(room)
    assert (seat.status, room.at_door()) == (SeatStatus.AT_DOOR, 1)
    knocker = room.knock(seat, 5)
    assert (seat.status, knocker.at_ms, list(room.state.knockers)) == (
        SeatStatus.KNOCKING,
        5,
        [seat.participant_id],
    )
    assert room.withdraw(seat) == knocker
    assert seat.status is SeatStatus.AT_DOOR
    room.knock(seat, 6)
    room.admit(seat)
    assert (seat.role, room.state.knockers) == (RoomRole.GRANTED_VISITOR, {})
    participant = room.enter(seat, 7)
    assert (seat.status, participant.role, room.at_door()) == (
        SeatStatus.IN_ROOM,
        RoomRole.GRANTED_VISITOR,
        0,
    )
    departure = room.depart(seat.participant_id)
    assert departure is not None
    assert departure.participant == participant
    assert (seat.status, room.seats, room.clients) == (SeatStatus.GONE, {}, {})
    assert room.depart(seat.participant_id) is None


def test_illegal_moves_raise() -> None:
    room = a_room()
    seat = a_seat(room)
    with pytest.raises(IllegalSeatMove):
        room.withdraw(seat)  # at the door, not knocking
    room.enter(seat, 1)
    with pytest.raises(IllegalSeatMove):
        room.knock(seat, 2)  # in the room
    room.depart(seat.participant_id)
    with pytest.raises(IllegalSeatMove):
        room.enter(seat, 3)  # gone for good


@pytest.mark.parametrize("knocked", [False, True])
def test_leaving_the_door_takes_the_seat_and_the_connection(knocked: bool) -> None:
    room = a_room()
    seat = a_seat(room)
    if knocked:
        room.knock(seat, 1)
    assert room.leave_door(seat.participant_id) is not None
    assert (seat.status, room.seats, room.clients, room.state.knockers) == (
        SeatStatus.GONE,
        {},
        {},
        {},
    )
    assert room.idle
    assert room.leave_door(seat.participant_id) is None  # twice is harmless


def test_changes_return_the_notice_the_room_hears() -> None:
    room = a_room(locked=False)
    host = a_seat(room, "h", RoomRole.HOST)
    room.enter(host, 1)
    locked = room.lock(True)
    assert isinstance(locked, RoomUpdated)
    assert locked.room.locked is True
    assert room.spotlight(host.participant_id).room.spotlight == host.participant_id
    started = room.start_breakout([" A ", "B"], allow_choose=True)
    assert started.room.breakout is not None
    assert started.room.breakout.groups == ("A", "B")
    assigned = room.assign(host.participant_id, 1).room.breakout
    assert assigned is not None
    assert assigned.assignments == {"h": 1}
    assert room.end_breakout().room.breakout is None
    with pytest.raises(NotAllowed):
        room.assign(host.participant_id, 0)
    assert room.set_timer(9).room.timer_started_ms == 9
    renamed = room.rename(host, "Ada")
    assert isinstance(renamed, ParticipantUpdated)
    assert (renamed.participant.display_name, host.display_name) == ("Ada", "Ada")


class Counted:
    """A client that keeps the frames it is handed."""

    def __init__(self) -> None:
        self.frames: list[Frame] = []

    def send(self, frame: Frame) -> None:
        self.frames.append(frame)

    def close(self, closing: Closing, reason: str) -> None:
        pass


def test_a_broadcast_is_encoded_once_for_every_receiver() -> None:
    encoded: list[Notice] = []

    def encode(notice: Notice) -> Frame:
        encoded.append(notice)
        return Frame("room-updated", "{}")

    ctx = RoomContext(encode, cast(RoomRecorder, None), lambda: 0)
    room = a_room(locked=False)
    clients = []
    for n in range(5):
        seat = a_seat(room, f"p{n}")
        room.clients[seat.participant_id] = client = Counted()
        clients.append(client)
        room.enter(seat, 0)
    ctx.broadcast(room, room.lock(True), skip=ParticipantId("p0"))
    assert len(encoded) == 1
    assert [len(c.frames) for c in clients] == [0, 1, 1, 1, 1]
    assert len({id(c.frames[0]) for c in clients[1:]}) == 1  # the very same frame
