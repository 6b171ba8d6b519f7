"""`RoomService` on SQLite and PostgreSQL: breakout groups (each group its own space for signaling
and chat, a host's broadcast to all, ending brings everyone back) and the shared meeting clock."""

import pytest

from helpers import Api
from services.room_harness import MeetingKeys, Member, Rooms, drain


@pytest.fixture
def rooms(api: Api) -> Rooms:
    return Rooms(api)


@pytest.fixture
async def meeting(rooms: Rooms) -> MeetingKeys:
    return await rooms.meeting()


async def three(rooms: Rooms, meeting: MeetingKeys) -> tuple[Member, Member, Member]:
    host = await rooms.join(meeting, meeting.host_key, displayName="Hana")
    ada = await rooms.join(meeting, displayName="Ada")
    bo = await rooms.join(meeting, displayName="Bo")
    drain(host, ada, bo)
    return host, ada, bo


def chats(member: Member) -> list[str]:
    return [message["text"] for message in member.client.of("chat")]


async def test_groups_split_signaling_and_chat_and_ending_reunites(
    rooms: Rooms, meeting: MeetingKeys
) -> None:
    host, ada, bo = await three(rooms, meeting)
    assert await rooms.send(host, "breakout-start", groups=["Orange", "Banana"]) is None
    assert await rooms.send(host, "breakout-assign", participantId=ada.id, group=0) is None
    assert await rooms.send(host, "breakout-assign", participantId=bo.id, group=1) is None
    [*_, update] = bo.client.of("room-updated")
    assert update["room"]["breakout"] == {
        "groups": ["Orange", "Banana"],
        "assignments": {ada.id: 0, bo.id: 1},
        "allowChoose": False,
    }
    drain(host, ada, bo)
    offer = {"type": "offer", "sdp": "v=0"}
    assert await rooms.send(ada, "signal", to=bo.id, description=offer) == "not_allowed"
    assert await rooms.send(ada, "chat", text="only Orange") is None
    assert (chats(ada), chats(bo), chats(host)) == (["only Orange"], [], [])
    assert await rooms.send(host, "breakout-broadcast", text="two minutes left") is None
    for member in (host, ada, bo):
        [message] = member.client.of("chat")[-1:]
        assert (message["text"], message["broadcast"]) == ("two minutes left", True)
    assert await rooms.send(host, "breakout-end") is None
    drain(host, ada, bo)
    assert await rooms.send(ada, "signal", to=bo.id, description=offer) is None
    assert await rooms.send(ada, "chat", text="back together") is None
    assert chats(bo) == ["two minutes left", "back together"]  # never "only Orange"


async def test_only_hosts_run_breakouts_and_choosing_needs_permission(
    rooms: Rooms, meeting: MeetingKeys
) -> None:
    host, ada, _ = await three(rooms, meeting)
    assert await rooms.send(ada, "breakout-start", groups=["A"]) == "not_allowed"
    assert await rooms.send(ada, "breakout-broadcast", text="hi") == "not_allowed"
    assert await rooms.send(ada, "breakout-choose", group=0) == "not_allowed"
    assert await rooms.send(host, "breakout-start", groups=["A", "B"], allowChoose=True) is None
    assert await rooms.send(ada, "breakout-choose", group=1) is None
    breakout = rooms.live(meeting).state.breakout
    assert breakout is not None
    assert breakout.group_of(ada.id) == 1
    assert await rooms.send(ada, "breakout-choose", group=7) == "bad_field"


async def test_group_rules_are_checked(rooms: Rooms, meeting: MeetingKeys) -> None:
    host, ada, _ = await three(rooms, meeting)
    assert await rooms.send(host, "breakout-start", groups=[]) == "bad_field"
    assert await rooms.send(host, "breakout-start", groups=["A", "A"]) == "bad_field"
    assert await rooms.send(host, "breakout-start", groups=[f"g{n}" for n in range(21)]) == (
        "bad_field"
    )
    assert await rooms.send(host, "breakout-assign", participantId=ada.id, group=0) == (
        "not_allowed"
    )


async def test_a_host_starts_and_stops_the_meeting_clock_for_everyone(
    rooms: Rooms, meeting: MeetingKeys
) -> None:
    host, ada, _ = await three(rooms, meeting)
    assert await rooms.send(ada, "timer", running=True) == "not_allowed"
    assert await rooms.send(host, "timer", running=True) is None
    [update] = ada.client.of("room-updated")
    assert update["room"]["timerStartedAt"] == rooms.api.clock()
    assert await rooms.send(host, "timer", running=False) is None
    assert ada.client.of("room-updated")[-1]["room"]["timerStartedAt"] is None
