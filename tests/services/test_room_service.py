"""`RoomService` on SQLite and PostgreSQL, driven with recording clients: roles from room keys,
the `joined` message, fan-out, capacity, the viewer's limits, chat, and the host's actions
(docs/signaling-protocol.md). Knocks and closing rooms: test_room_service_knocks.py; resuming and
sessions: test_room_service_sessions.py."""

import uuid
from typing import Any

import pytest

from helpers import Api
from salon.clock import MS_PER_HOUR
from salon.meetings.model import RoomRole
from salon.rooms.errors import Refused
from salon.signaling import protocol as p
from salon.signaling.messages import participant_view
from services.room_harness import MeetingKeys, Member, Rooms, close_code, drain, wire

PARTICIPANT_KEYS = {
    "id", "displayName", "role", "audio", "video", "screen", "externalId", "metadata",
    "reconnecting", "joinedAt",
}  # fmt: skip
SENDRECV = "v=0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=sendrecv\r\n"
RECVONLY = SENDRECV.replace("a=sendrecv", "a=recvonly")


@pytest.fixture
def rooms(api: Api) -> Rooms:
    return Rooms(api)


@pytest.fixture
async def meeting(rooms: Rooms) -> MeetingKeys:
    return await rooms.meeting()


def joined(member: Member) -> dict[str, Any]:
    [message] = member.client.of("joined")
    return message


def view(rooms: Rooms, meeting: MeetingKeys, member: Member) -> dict[str, Any]:
    """The participant as the protocol shows it now."""
    return participant_view(rooms.live(meeting).state.participant(member.id))


# --- roles --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "role"),
    [
        ("host", "host"),
        ("viewer", "viewer"),
        (None, "visitor"),
        ("garbage", "visitor"),
        ("other-host", "visitor"),
        ("other-viewer", "visitor"),
    ],
)
async def test_the_room_key_decides_the_role(
    rooms: Rooms, meeting: MeetingKeys, key: str | None, role: str
) -> None:
    other = await rooms.meeting()
    keys = {
        "host": meeting.host_key,
        "viewer": meeting.viewer_key,
        "garbage": "not-a-room-key",
        "other-host": other.host_key,
        "other-viewer": other.viewer_key,
    }
    member = await rooms.join(meeting, keys[key] if key else None)
    assert member.seat.role.value == role
    assert joined(member)["role"] == role


async def test_a_host_key_outside_the_time_window_makes_a_visitor(rooms: Rooms, api: Api) -> None:
    later = await rooms.meeting(startDate=api.future(3), endDate=api.future(4))
    early = await rooms.join(later, later.host_key)
    assert early.seat.role is RoomRole.VISITOR
    api.clock.advance(2 * MS_PER_HOUR)  # the window opens an hour before the start
    assert (await rooms.join(later, later.host_key)).seat.role is RoomRole.HOST


# --- joined and fan-out -------------------------------------------------------------------------


async def test_joined_is_shaped_as_the_protocol_says(
    rooms: Rooms, meeting: MeetingKeys, api: Api
) -> None:
    host = await rooms.join(meeting, meeting.host_key)
    uuid.UUID(host.id)
    assert host.client.messages == [
        {
            "type": "joined",
            "v": 1,
            "participantId": host.id,
            "resumeToken": host.seat.resume_token,
            "role": "host",
            "room": {
                "name": meeting.room,
                "mode": "normal",
                "locked": False,
                "spotlight": None,
                "capacity": 4,
                "breakout": None,
                "timerStartedAt": None,
            },
            "participants": [],
            "knocks": [],
            "iceServers": [],
            "media": "mesh",
            "recording": "none",
            "streaming": False,
            "liveTranscription": False,
        }
    ]
    assert len(host.seat.resume_token) >= 16
    api.clock.advance(1234)
    guest = await rooms.join(meeting, displayName="  Bea ", externalId="ext-1", metadata='{"a":1}')
    bea = {
        "id": guest.id,
        "displayName": "Bea",
        "role": "visitor",
        "audio": False,
        "video": False,
        "screen": False,
        "externalId": "ext-1",
        "metadata": '{"a":1}',
        "reconnecting": False,
        "joinedAt": api.clock(),
    }
    assert host.client.messages[1:] == [{"type": "participant-joined", "participant": bea}]
    [host_view] = joined(guest)["participants"]
    assert set(host_view) == PARTICIPANT_KEYS
    assert (host_view["id"], host_view["displayName"], host_view["role"]) == (
        host.id,
        "Guest",
        "host",
    )
    assert host_view["joinedAt"] == api.clock() - 1234
    assert guest.id != host.id


async def test_joins_and_leaves_fan_out_to_the_others_only(
    rooms: Rooms, meeting: MeetingKeys
) -> None:
    a = await rooms.join(meeting)
    b = await rooms.join(meeting)
    c = await rooms.join(meeting)
    assert [m["participant"]["id"] for m in a.client.of("participant-joined")] == [b.id, c.id]
    assert [m["participant"]["id"] for m in b.client.of("participant-joined")] == [c.id]
    assert c.client.of("participant-joined") == []
    assert [p["id"] for p in joined(c)["participants"]] == [a.id, b.id]
    drain(a, b, c)
    assert await rooms.send(b, "leave") is None
    left = {"type": "participant-left", "participantId": b.id, "reason": "left"}
    assert a.client.new() == [left]
    assert c.client.new() == [left]
    assert b.client.new() == []
    assert b.client.close_code == 4000
    assert b.id not in rooms.live(meeting).state.participants
    assert (await rooms.participants(meeting))[b.id]["left_reason"] == "left"


async def test_a_fifth_person_finds_a_normal_room_full(rooms: Rooms, meeting: MeetingKeys) -> None:
    four = [await rooms.join(meeting, meeting.viewer_key)] + [
        await rooms.join(meeting) for _ in range(3)
    ]
    drain(*four)
    for key in (None, meeting.host_key):
        refused, client = await rooms.refused_join(meeting, key)
        assert (refused.code.value, close_code(refused)) == ("not_allowed", 4004)
        assert wire(refused.answer) == {"type": "room-full", "capacity": 4}
        assert client.messages == []  # the answer goes out as the refusal, not beside it
    assert all(m.client.new() == [] for m in four)
    assert len(rooms.live(meeting).state.participants) == 4


async def test_a_group_room_needs_an_sfu(rooms: Rooms) -> None:
    group = await rooms.meeting(roomMode="group")
    refused, client = await rooms.refused_join(group, group.host_key)
    assert (refused.code.value, close_code(refused)) == ("no_sfu", 4503)
    assert client.messages == []


async def test_a_second_join_on_one_connection_is_refused(
    rooms: Rooms, meeting: MeetingKeys
) -> None:
    a = await rooms.join(meeting)
    assert await rooms.send(a, "join", v=1, room=meeting.room) == "already_joined"


# --- viewers -----------------------------------------------------------------------------------


async def test_a_viewer_sends_no_media_but_chats_and_receives(
    rooms: Rooms, meeting: MeetingKeys
) -> None:
    host = await rooms.join(meeting, meeting.host_key)
    viewer = await rooms.join(meeting, meeting.viewer_key)
    drain(host, viewer)
    for media in ({"audio": True}, {"video": True}, {"screen": True}):
        state = {"audio": False, "video": False, "screen": False, **media}
        assert await rooms.send(viewer, "media", **state) == "not_allowed"
    offer = {"type": "offer", "sdp": SENDRECV}
    assert await rooms.send(viewer, "signal", to=host.id, description=offer) == "not_allowed"
    answer = {"type": "answer", "sdp": SENDRECV}
    assert await rooms.send(viewer, "signal", to=host.id, description=answer) == "not_allowed"
    assert host.client.new() == []
    assert view(rooms, meeting, viewer)["audio"] is False
    # what a viewer may do
    assert await rooms.send(viewer, "media", audio=False, video=False, screen=False) is None
    quiet = {"type": "answer", "sdp": RECVONLY}
    assert await rooms.send(viewer, "signal", to=host.id, description=quiet) is None
    assert await rooms.send(viewer, "signal", to=host.id, candidate=None) is None
    assert await rooms.send(viewer, "chat", text="hello") is None
    assert [m["type"] for m in host.client.new()] == [
        "participant-updated",
        "signal",
        "signal",
        "chat",
    ]
    assert host.client.messages[-3] == {"type": "signal", "from": viewer.id, "description": quiet}
    # a send hidden behind a line break other than CRLF/LF, or left to the default direction
    smuggled = RECVONLY.replace("a=recvonly", "a=recvonly\r\na=x\x0ba=sendrecv")
    hidden = p.Signal(host.id, {"description": {"type": "offer", "sdp": smuggled}})
    with pytest.raises(Refused) as refused:  # past the parser too, should it ever let one by
        await rooms.service.handle(viewer.seat, hidden)
    assert refused.value.code.value == "not_allowed"
    implicit = {"type": "offer", "sdp": RECVONLY.replace("a=recvonly\r\n", "")}
    assert await rooms.send(viewer, "signal", to=host.id, description=implicit) == "not_allowed"
    assert host.client.new() == []
    # and it receives
    assert await rooms.send(host, "signal", to=viewer.id, description=offer) is None
    assert await rooms.send(host, "chat", text="welcome") is None
    got = viewer.client.new()
    assert got[-2] == {"type": "signal", "from": host.id, "description": offer}
    assert [m["text"] for m in got if m["type"] == "chat"] == ["hello", "welcome"]


async def test_signals_go_only_to_someone_in_the_room(rooms: Rooms, meeting: MeetingKeys) -> None:
    a = await rooms.join(meeting)
    b = await rooms.join(meeting)
    drain(a, b)
    assert await rooms.send(a, "signal", to="nobody", candidate=None) == "no_such_participant"
    assert await rooms.send(a, "signal", to=a.id, candidate=None) == "no_such_participant"
    candidate = {"candidate": "candidate:1 1 udp 1 10.0.0.1 5000 typ host", "sdpMLineIndex": 0}
    assert await rooms.send(a, "signal", to=b.id, candidate=candidate) is None
    assert b.client.new() == [{"type": "signal", "from": a.id, "candidate": candidate}]
    assert a.client.new() == []


# --- chat --------------------------------------------------------------------------------------


async def test_chat_reaches_everyone_including_its_sender(
    rooms: Rooms, meeting: MeetingKeys, api: Api
) -> None:
    a = await rooms.join(meeting, displayName="Ana")
    b = await rooms.join(meeting, meeting.viewer_key)
    c = await rooms.join(meeting)
    drain(a, b, c)
    text = '<script>alert("x")</script> & 🎉'
    assert await rooms.send(a, "chat", text=text) is None
    [sent] = a.client.new()
    assert sent == {
        "type": "chat",
        "id": sent["id"],
        "from": a.id,
        "displayName": "Ana",
        "text": text,
        "at": api.clock(),
    }
    assert b.client.new() == [sent]
    assert c.client.new() == [sent]
    assert await rooms.send(a, "set-name", displayName="Ana B") is None
    assert await rooms.send(a, "chat", text="again") is None
    again = c.client.of("chat")[-1]
    assert (again["displayName"], again["text"]) == ("Ana B", "again")
    assert again["id"] != sent["id"]


# --- host actions -------------------------------------------------------------------------------


async def actor_of_role(rooms: Rooms, meeting: MeetingKeys, host: Member, role: RoomRole) -> Member:
    """A participant of `role` in the room, which is locked once this returns."""
    if role is RoomRole.VIEWER:
        actor = await rooms.join(meeting, meeting.viewer_key)
    elif role is RoomRole.VISITOR:
        actor = await rooms.join(meeting)
    else:
        assert await rooms.send(host, "lock", locked=True) is None
        actor = await rooms.join(meeting)
        assert await rooms.send(actor, "knock") is None
        assert await rooms.send(host, "admit", participantId=actor.id) is None
    assert actor.seat.role is role
    if not rooms.live(meeting).state.locked:
        assert await rooms.send(host, "lock", locked=True) is None
    return actor


@pytest.mark.parametrize("role", [RoomRole.VISITOR, RoomRole.VIEWER, RoomRole.GRANTED_VISITOR])
async def test_only_a_host_acts_for_the_room(
    rooms: Rooms, meeting: MeetingKeys, role: RoomRole
) -> None:
    host = await rooms.join(meeting, meeting.host_key)
    actor = await actor_of_role(rooms, meeting, host, role)
    knocker = await rooms.join(meeting)
    assert await rooms.send(knocker, "knock") is None
    state = rooms.live(meeting).state
    before = (state.locked, state.spotlight, dict(state.participants), dict(state.knockers))
    everyone = (host, actor, knocker)
    drain(*everyone)
    actions: list[tuple[str, dict[str, Any]]] = [
        ("lock", {"locked": False}),
        ("lock", {"locked": True}),
        ("admit", {"participantId": knocker.id}),
        ("reject", {"participantId": knocker.id, "message": "no"}),
        ("hold", {"participantId": knocker.id, "message": "wait"}),
        ("remove", {"participantId": host.id}),
        ("mute", {"participantId": host.id}),
        ("camera-off", {"participantId": host.id}),
        ("spotlight", {"participantId": host.id}),
        ("spotlight", {"participantId": None}),
        ("end-meeting", {}),
    ]
    for kind, fields in actions:
        assert await rooms.send(actor, kind, **fields) == "not_allowed", kind
    assert (state.locked, state.spotlight, state.participants, state.knockers) == before
    assert all(m.client.new() == [] for m in everyone)
    assert all(m.client.closed is None for m in everyone)


async def test_mute_and_camera_off(rooms: Rooms, meeting: MeetingKeys) -> None:
    host = await rooms.join(meeting, meeting.host_key)
    b = await rooms.join(meeting)
    assert await rooms.send(b, "media", audio=True, video=True, screen=True) is None
    drain(host, b)
    assert await rooms.send(host, "mute", participantId=b.id) is None
    now = view(rooms, meeting, b)
    assert (now["audio"], now["video"]) == (False, True)
    updated = {"type": "participant-updated", "participant": now}
    assert b.client.new() == [{"type": "muted", "by": host.id}, updated]
    assert host.client.new() == [updated]
    assert await rooms.send(host, "camera-off", participantId=b.id) is None
    now = view(rooms, meeting, b)
    assert (now["video"], now["screen"]) == (False, True)
    updated = {"type": "participant-updated", "participant": now}
    assert b.client.new() == [{"type": "camera-turned-off", "by": host.id}, updated]
    assert host.client.new() == [updated]
    for kind in ("mute", "camera-off", "remove", "spotlight"):
        assert await rooms.send(host, kind, participantId="nobody") == "no_such_participant"
    assert host.client.new() == []


async def test_remove(rooms: Rooms, meeting: MeetingKeys) -> None:
    host = await rooms.join(meeting, meeting.host_key)
    b = await rooms.join(meeting)
    c = await rooms.join(meeting, meeting.viewer_key)
    drain(host, b, c)
    assert await rooms.send(host, "remove", participantId=b.id) is None
    assert b.client.new() == [{"type": "removed", "reason": "kicked"}]
    assert b.client.close_code == 4001
    left = {"type": "participant-left", "participantId": b.id, "reason": "kicked"}
    assert host.client.new() == [left]
    assert c.client.new() == [left]
    assert set(rooms.live(meeting).state.participants) == {host.id, c.id}
    assert (await rooms.participants(meeting))[b.id]["left_reason"] == "kicked"


async def test_spotlight_set_and_cleared(rooms: Rooms, meeting: MeetingKeys) -> None:
    host = await rooms.join(meeting, meeting.host_key)
    b = await rooms.join(meeting)
    drain(host, b)
    assert await rooms.send(host, "spotlight", participantId=b.id) is None
    for member in (host, b):
        [updated] = member.client.new()
        assert updated["type"] == "room-updated"
        assert updated["room"]["spotlight"] == b.id
    assert await rooms.send(host, "spotlight", participantId=None) is None
    assert [m["room"]["spotlight"] for m in b.client.new()] == [None]
    assert rooms.live(meeting).state.spotlight is None


async def test_the_spotlight_goes_out_with_its_participant(
    rooms: Rooms, meeting: MeetingKeys
) -> None:
    host = await rooms.join(meeting, meeting.host_key)
    b = await rooms.join(meeting)
    assert await rooms.send(host, "spotlight", participantId=b.id) is None
    assert await rooms.send(b, "leave") is None
    assert rooms.live(meeting).state.spotlight is None
    newcomer = await rooms.join(meeting)
    assert joined(newcomer)["room"]["spotlight"] is None
    # "room-updated: lock or spotlight changed": the host must learn the spotlight is off
    last_room = [m["room"] for m in host.client.of("room-updated")][-1]
    assert last_room["spotlight"] is None
