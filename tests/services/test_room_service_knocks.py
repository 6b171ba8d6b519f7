"""`RoomService` on SQLite and PostgreSQL: the waiting room (lock, knock, hold, admit, reject,
cancel, unlock) and the ways a room closes on everyone (end-meeting, DELETE, the sweeper)."""

from typing import Any

import pytest

from helpers import Api
from salon.clock import MS_PER_HOUR
from salon.meetings.model import RoomRole
from salon.rooms.limits import RoomLimits
from salon.rooms.room import SeatStatus
from services.room_harness import MeetingKeys, Member, Rooms, close_code, drain


@pytest.fixture
def rooms(api: Api) -> Rooms:
    """Hosts hear every change of the waiting list at once here; the coalescing has tests of
    its own (test_room_service_door.py)."""
    rooms = Rooms.with_graces(api, limits=RoomLimits(knock_list_interval_s=0))
    rooms.meetings.on_room_closed(rooms.service.close_room)
    return rooms


def waiting(*knockers: dict[str, Any]) -> dict[str, Any]:
    """The waiting list a host hears."""
    return {"type": "knocks", "knocks": list(knockers), "total": len(knockers)}


@pytest.fixture
async def meeting(rooms: Rooms) -> MeetingKeys:
    return await rooms.meeting()


async def locked_room(rooms: Rooms, meeting: MeetingKeys) -> Member:
    """A host in a room they have just locked."""
    host = await rooms.join(meeting, meeting.host_key)
    assert await rooms.send(host, "lock", locked=True) is None
    return host


async def knocking(rooms: Rooms, meeting: MeetingKeys, name: str = "Vic") -> Member:
    visitor = await rooms.join(meeting)
    assert await rooms.send(visitor, "knock", displayName=name) is None
    return visitor


# --- the waiting room ---------------------------------------------------------------------------


async def test_a_visitor_knocks_at_a_locked_room(
    rooms: Rooms, meeting: MeetingKeys, api: Api
) -> None:
    host = await locked_room(rooms, meeting)
    assert host.client.messages[-1]["type"] == "room-updated"
    assert host.client.messages[-1]["room"]["locked"] is True
    drain(host)
    visitor = await rooms.join(meeting, displayName="Someone")
    assert visitor.client.new() == [
        {"type": "room-locked", "room": {"name": meeting.room, "locked": True}}
    ]
    assert visitor.seat.status is SeatStatus.AT_DOOR
    assert visitor.id not in rooms.live(meeting).state.participants
    assert host.client.new() == []
    assert await rooms.send(visitor, "chat", text="let me in") == "not_allowed"
    assert await rooms.send(visitor, "knock", displayName="Vic") is None
    assert visitor.client.new() == [{"type": "knocking"}]
    knocker = {"id": visitor.id, "displayName": "Vic", "at": api.clock()}
    assert host.client.new() == [waiting(knocker)]
    assert await rooms.send(visitor, "knock") == "not_allowed"
    assert await rooms.send(visitor, "signal", to=host.id, candidate=None) == "not_allowed"
    assert host.client.new() == []


async def test_hold_then_admit(rooms: Rooms, meeting: MeetingKeys) -> None:
    host = await locked_room(rooms, meeting)
    visitor = await knocking(rooms, meeting)
    drain(host, visitor)
    assert await rooms.send(host, "hold", participantId=visitor.id, message="One minute") is None
    assert visitor.client.new() == [{"type": "knock-held", "message": "One minute"}]
    assert rooms.live(meeting).state.knockers[visitor.id].held_message == "One minute"
    assert await rooms.send(host, "admit", participantId=visitor.id) is None
    [welcome] = visitor.client.new()
    assert welcome["type"] == "joined"
    assert (welcome["participantId"], welcome["role"]) == (visitor.id, "granted_visitor")
    assert [p["id"] for p in welcome["participants"]] == [host.id]
    got = host.client.new()
    assert got[0] == waiting()
    assert got[1]["type"] == "participant-joined"
    assert (got[1]["participant"]["id"], got[1]["participant"]["role"]) == (
        visitor.id,
        "granted_visitor",
    )
    state = rooms.live(meeting).state
    assert state.knockers == {}
    assert state.participant(visitor.id).role is RoomRole.GRANTED_VISITOR


@pytest.mark.parametrize("message", ["Not today", None])
async def test_reject(rooms: Rooms, meeting: MeetingKeys, message: str | None) -> None:
    host = await locked_room(rooms, meeting)
    visitor = await knocking(rooms, meeting)
    drain(host, visitor)
    fields: dict[str, Any] = {"message": message} if message else {}
    assert await rooms.send(host, "reject", participantId=visitor.id, **fields) is None
    expected: dict[str, Any] = {"type": "knock-rejected", **fields}
    assert visitor.client.new() == [expected]
    assert visitor.client.close_code == 4005
    assert host.client.new() == [waiting()]
    live = rooms.live(meeting)
    assert (live.state.knockers, visitor.id in live.seats) == ({}, False)
    assert await rooms.send(host, "admit", participantId=visitor.id) == "no_such_participant"


async def test_cancel_knock_and_knock_again(rooms: Rooms, meeting: MeetingKeys) -> None:
    host = await locked_room(rooms, meeting)
    visitor = await knocking(rooms, meeting)
    drain(host, visitor)
    assert await rooms.send(visitor, "cancel-knock") is None
    assert host.client.new() == [waiting()]
    assert rooms.live(meeting).state.knockers == {}
    assert await rooms.send(visitor, "cancel-knock") == "not_allowed"
    assert await rooms.send(visitor, "knock") is None
    assert [(m["type"], m["total"]) for m in host.client.new()] == [("knocks", 1)]


async def test_a_knocker_who_disconnects_has_cancelled(rooms: Rooms, meeting: MeetingKeys) -> None:
    host = await locked_room(rooms, meeting)
    visitor = await knocking(rooms, meeting)
    drain(host)
    await rooms.disconnect(visitor)
    assert host.client.new() == [waiting()]
    live = rooms.live(meeting)
    assert (live.state.knockers, visitor.id in live.clients) == ({}, False)


@pytest.mark.parametrize("knocked", [False, True])
@pytest.mark.parametrize("how", ["leave", "disconnect"])
async def test_someone_who_goes_from_the_door_leaves_no_seat_behind(
    rooms: Rooms, meeting: MeetingKeys, knocked: bool, how: str
) -> None:
    """A visitor who left at the door used to stay in `seats`, counted at the door for ever."""
    host = await locked_room(rooms, meeting)
    visitor = await (knocking(rooms, meeting) if knocked else rooms.join(meeting))
    live = rooms.live(meeting)
    assert (visitor.id in live.seats, live.at_door()) == (True, 1)
    if how == "leave":
        assert await rooms.send(visitor, "leave") is None
        assert visitor.client.close_code == 4000
    else:
        await rooms.disconnect(visitor)
    assert visitor.seat.status is SeatStatus.GONE
    assert (visitor.id in live.seats, visitor.id in live.clients, live.at_door()) == (
        False,
        False,
        0,
    )
    assert live.state.knockers == {}
    assert set(live.state.participants) == {host.id}


async def test_knockers_wait_for_a_host_who_sees_them_on_joining(rooms: Rooms, api: Api) -> None:
    meeting = await rooms.meeting(isLocked=True)
    visitor = await rooms.join(meeting)
    assert [m["type"] for m in visitor.client.messages] == ["room-locked"]
    assert await rooms.send(visitor, "knock", displayName="Early") is None
    knocked_at = api.clock()
    api.clock.advance(5000)
    viewer = await rooms.join(meeting, meeting.viewer_key)
    assert viewer.client.messages[0]["knocks"] == []
    assert visitor.client.messages[-1] == {"type": "knocking"}
    host = await rooms.join(meeting, meeting.host_key)
    [host_joined] = host.client.of("joined")
    assert host_joined["room"]["locked"] is True
    assert host_joined["knocks"] == [{"id": visitor.id, "displayName": "Early", "at": knocked_at}]
    assert await rooms.send(host, "admit", participantId=visitor.id) is None
    assert visitor.client.of("joined")[0]["role"] == "granted_visitor"


async def test_unlocking_admits_the_knockers(rooms: Rooms, meeting: MeetingKeys) -> None:
    host = await locked_room(rooms, meeting)
    first = await knocking(rooms, meeting, "One")
    second = await knocking(rooms, meeting, "Two")
    drain(host)
    assert await rooms.send(host, "lock", locked=False) is None
    for visitor in (first, second):
        assert visitor.client.of("joined")[0]["role"] == "granted_visitor"
    got = host.client.new()
    assert got[0]["type"] == "room-updated"
    assert got[0]["room"]["locked"] is False
    lists = [[k["id"] for k in m["knocks"]] for m in got if m["type"] == "knocks"]
    joined = [m["participant"]["id"] for m in got if m["type"] == "participant-joined"]
    assert lists == [[second.id], []]
    assert joined == [first.id, second.id]
    assert rooms.live(meeting).state.knockers == {}


# --- closing a room on everyone -------------------------------------------------------------------


async def three_people(rooms: Rooms, meeting: MeetingKeys) -> list[Member]:
    return [
        await rooms.join(meeting, meeting.host_key),
        await rooms.join(meeting),
        await rooms.join(meeting, meeting.viewer_key),
    ]


async def test_end_meeting_removes_everyone(rooms: Rooms, meeting: MeetingKeys) -> None:
    people = await three_people(rooms, meeting)
    drain(*people)
    assert await rooms.send(people[0], "end-meeting") is None
    for member in people:
        assert {"type": "removed", "reason": "meeting-ended"} in member.client.messages
        assert member.client.close_code == 4002
    assert rooms.service.live_room(meeting.room) is None
    rows = await rooms.participants(meeting)
    assert {row["left_reason"] for row in rows.values()} == {"meeting-ended"}
    [session] = await rooms.sessions(meeting)
    assert session["ended_ms"] is not None


async def test_end_meeting_turns_knockers_away_with_4002(
    rooms: Rooms, meeting: MeetingKeys
) -> None:
    host = await locked_room(rooms, meeting)
    visitor = await knocking(rooms, meeting)
    drain(visitor)
    assert await rooms.send(host, "end-meeting") is None
    assert visitor.client.new() == [{"type": "removed", "reason": "meeting-ended"}]
    assert visitor.client.close_code == 4002  # "the meeting was ended for everyone"


async def test_deleting_the_meeting_removes_everyone_and_closes_the_room(
    rooms: Rooms, meeting: MeetingKeys
) -> None:
    people = await three_people(rooms, meeting)
    assert await rooms.send(people[0], "lock", locked=True) is None
    visitor = await knocking(rooms, meeting)
    drain(*people, visitor)
    await rooms.delete(meeting)
    for member in [*people, visitor]:
        assert {"type": "removed", "reason": "meeting-deleted"} in member.client.new()
        assert member.client.close_code == 4003
    assert rooms.service.live_room(meeting.room) is None
    for key in (meeting.host_key, None):
        refused, _ = await rooms.refused_join(meeting, key)
        assert (refused.code.value, close_code(refused)) == ("no_such_room", 4400)


async def test_deleting_the_meeting_also_sends_away_a_visitor_at_the_door(
    rooms: Rooms, meeting: MeetingKeys
) -> None:
    await locked_room(rooms, meeting)
    visitor = await rooms.join(meeting)  # told the room is locked; has not knocked
    drain(visitor)
    await rooms.delete(meeting)
    assert visitor.client.new() == [{"type": "removed", "reason": "meeting-deleted"}]
    assert visitor.client.close_code == 4003


async def test_the_sweeper_closes_a_room_an_hour_after_its_end(rooms: Rooms, api: Api) -> None:
    meeting = await rooms.meeting(endDate=api.future(2))
    people = await three_people(rooms, meeting)
    drain(*people)
    api.clock.advance(int(2.9 * MS_PER_HOUR))
    assert await rooms.meetings.sweep() == ([], 0)
    assert all(m.client.new() == [] for m in people)
    api.clock.advance(int(0.2 * MS_PER_HOUR))
    deactivated, _ = await rooms.meetings.sweep()
    assert [m.room_name for m in deactivated] == [meeting.room]
    for member in people:
        assert {"type": "removed", "reason": "meeting-over"} in member.client.new()
        assert member.client.close_code == 4003
    refused, _ = await rooms.refused_join(meeting)
    assert refused.code.value == "no_such_room"
