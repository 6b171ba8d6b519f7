"""`RoomService` on SQLite and PostgreSQL: a dropped connection and its resumption within the
grace period, the grace running out, and the room's history (sessions of two or more people, in
`room_sessions` and `room_participants`). Timers run on the real event loop, so the tests that
wait for one build a service with a tiny grace and wait on a condition with a deadline."""

from typing import Any

import pytest

from helpers import Api
from salon.meetings.model import RoomRole
from services.room_harness import MeetingKeys, Member, Rooms, drain, eventually

TINY_S = 0.05


@pytest.fixture
def rooms(api: Api) -> Rooms:
    return Rooms(api)


@pytest.fixture
async def meeting(rooms: Rooms) -> MeetingKeys:
    return await rooms.meeting()


def resume_of(member: Member, token: str | None = None) -> dict[str, Any]:
    return {"resume": {"participantId": member.id, "token": token or member.seat.resume_token}}


def reconnecting(member: Member) -> list[tuple[str, bool]]:
    return [
        (m["participant"]["id"], m["participant"]["reconnecting"])
        for m in member.client.of("participant-updated")
    ]


# --- dropped connections ------------------------------------------------------------------------


async def test_a_dropped_participant_resumes_with_its_token(
    rooms: Rooms, meeting: MeetingKeys
) -> None:
    a = await rooms.join(meeting)
    b = await rooms.join(meeting, meeting.viewer_key, displayName="Bea")
    a.client.messages.clear()
    await rooms.disconnect(b)
    assert reconnecting(a) == [(b.id, True)]
    assert rooms.live(meeting).state.participant(b.id).reconnecting is True
    again = await rooms.join(meeting, **resume_of(b))
    assert (again.id, again.seat.role) == (b.id, RoomRole.VIEWER)
    [rejoined] = again.client.messages
    assert rejoined["type"] == "joined"
    assert (rejoined["participantId"], rejoined["role"]) == (b.id, "viewer")
    assert [p["id"] for p in rejoined["participants"]] == [a.id]
    assert reconnecting(a) == [(b.id, True), (b.id, False)]
    assert a.client.of("participant-joined") == []
    assert await rooms.send(again, "chat", text="back") is None
    assert a.client.messages[-1]["from"] == b.id
    rows = await rooms.participants(meeting)
    assert (len(rows), rows[b.id]["left_ms"]) == (2, None)


async def test_a_wrong_token_makes_a_fresh_join(rooms: Rooms, meeting: MeetingKeys) -> None:
    a = await rooms.join(meeting)
    b = await rooms.join(meeting, meeting.host_key)
    await rooms.disconnect(b)
    drain(a)
    stranger = await rooms.join(meeting, **resume_of(b, "not-the-token"))
    assert stranger.id != b.id
    assert stranger.seat.role is RoomRole.VISITOR
    assert [m["type"] for m in a.client.new()] == ["participant-joined"]
    assert rooms.live(meeting).state.participant(b.id).reconnecting is True


async def test_resuming_over_a_live_connection_replaces_it(
    rooms: Rooms, meeting: MeetingKeys
) -> None:
    a = await rooms.join(meeting)
    drain(a)
    again = await rooms.join(meeting, **resume_of(a))
    assert again.id == a.id
    assert a.client.new() == [{"type": "removed", "reason": "replaced"}]
    assert a.client.close_code == 4009
    await rooms.disconnect(a)  # the replaced socket going away changes nothing
    assert rooms.live(meeting).state.participant(a.id).reconnecting is False


async def test_after_the_grace_a_dropped_participant_has_left(api: Api) -> None:
    rooms = Rooms.with_graces(api, resume_s=TINY_S)
    meeting = await rooms.meeting()
    a = await rooms.join(meeting)
    b = await rooms.join(meeting)
    await rooms.disconnect(b)
    timeout = {"type": "participant-left", "participantId": b.id, "reason": "timeout"}

    async def gone() -> bool:
        recorded = (await rooms.participants(meeting))[b.id]["left_reason"] == "timeout"
        return recorded and timeout in a.client.messages

    await eventually(gone, "participant-left timeout, told and recorded")
    assert b.id not in rooms.live(meeting).state.participants
    late = await rooms.join(meeting, **resume_of(b))
    assert late.id != b.id
    await rooms.service.stop()


# --- sessions --------------------------------------------------------------------------------


async def test_a_session_starts_at_two_people(rooms: Rooms, meeting: MeetingKeys, api: Api) -> None:
    a = await rooms.join(meeting, externalId="ext-a", metadata="m")
    assert await rooms.sessions(meeting) == []
    row = (await rooms.participants(meeting))[a.id]
    assert (row["room_session_id"], row["role"], row["display_name"]) == (None, "visitor", "Guest")
    assert (row["external_id"], row["metadata"], row["joined_ms"]) == ("ext-a", "m", api.clock())
    api.clock.advance(1000)
    b = await rooms.join(meeting, meeting.host_key, displayName="Host")
    [session] = await rooms.sessions(meeting)
    assert session["id"] == rooms.live(meeting).session_id
    assert (session["started_ms"], session["ended_ms"]) == (api.clock(), None)
    assert (str(session["meeting_id"]), session["room_name"]) == (meeting.meeting_id, meeting.room)
    c = await rooms.join(meeting)
    rows = await rooms.participants(meeting)
    assert {rows[m.id]["room_session_id"] for m in (a, b, c)} == {session["id"]}
    assert rows[b.id]["role"] == "host"


async def test_rejoining_within_the_grace_keeps_the_session(
    rooms: Rooms, meeting: MeetingKeys
) -> None:
    a = await rooms.join(meeting)
    b = await rooms.join(meeting)
    [session] = await rooms.sessions(meeting)
    assert await rooms.send(b, "leave") is None
    c = await rooms.join(meeting)
    assert await rooms.sessions(meeting) == [session]
    rows = await rooms.participants(meeting)
    assert rows[c.id]["room_session_id"] == session["id"]
    assert rows[b.id]["left_reason"] == "left"
    assert rooms.live(meeting).session_id == session["id"]
    assert a.id in rooms.live(meeting).state.participants


async def test_a_session_ends_after_the_grace_once_fewer_than_two_remain(api: Api) -> None:
    rooms = Rooms.with_graces(api, session_end_s=TINY_S)
    meeting = await rooms.meeting()
    a = await rooms.join(meeting)
    b = await rooms.join(meeting)
    api.clock.advance(60_000)
    assert await rooms.send(b, "leave") is None
    [session] = await rooms.sessions(meeting)
    assert session["ended_ms"] is None

    async def ended() -> bool:
        [row] = await rooms.sessions(meeting)
        return row["ended_ms"] is not None

    await eventually(ended, "the session's end recorded")
    [session] = await rooms.sessions(meeting)
    assert session["ended_ms"] == api.clock()
    assert rooms.live(meeting).session_id is None
    # a new pair starts a new session
    api.clock.advance(1000)
    c = await rooms.join(meeting)
    sessions = await rooms.sessions(meeting)
    assert len(sessions) == 2
    assert sessions[1]["ended_ms"] is None
    assert (await rooms.participants(meeting))[c.id]["room_session_id"] == sessions[1]["id"]
    assert a.id in rooms.live(meeting).state.participants
    await rooms.service.stop()


async def test_a_lone_participant_leaving_drops_the_room(
    rooms: Rooms, meeting: MeetingKeys
) -> None:
    a = await rooms.join(meeting)
    assert await rooms.send(a, "leave") is None
    assert rooms.service.live_room(meeting.room) is None
    assert await rooms.sessions(meeting) == []
    assert (await rooms.participants(meeting))[a.id]["left_reason"] == "left"
