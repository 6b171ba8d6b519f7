"""`RoomService` under pressure at the door and on the seats: the cap on people at a locked room's
door, knocks and joins per client address, the waiting list coalesced for hosts, knock webhooks
once a minute per knocker, hosts who free seats held by people in their resume grace, and
`joined` sent only once the join is on record."""

import asyncio
from collections import Counter
from typing import Any

import pytest

from helpers import Api
from salon.clock import MS_PER_MINUTE
from salon.meetings.model import RoomRole
from salon.rooms.events import RoomEvent, RoomEventType
from salon.rooms.limits import RoomLimits
from salon.rooms.recorder import RoomRecorder
from services.room_harness import MeetingKeys, Member, Rooms, close_code, drain, eventually, wire

ATTACKER = "203.0.113.7"
OTHER = "198.51.100.9"


class CountingRecorder(RoomRecorder):
    """Records as usual, and counts what it was asked to record; a gate can hold joins."""

    def __init__(self, api: Api) -> None:
        super().__init__(api.database, api.app.state.services.orgs)
        self.recorded: list[RoomEvent] = []
        self.joins_gate: asyncio.Event | None = None
        self.committed: list[RoomEvent] = []

    async def record(self, event: RoomEvent) -> None:
        self.recorded.append(event)
        if event.type is RoomEventType.CLIENT_JOINED and self.joins_gate is not None:
            await self.joins_gate.wait()
        await super().record(event)
        self.committed.append(event)

    def count(self, kind: RoomEventType) -> int:
        return Counter(e.type for e in self.recorded)[kind]


def rooms_with(api: Api, recorder: RoomRecorder | None = None, **limits: Any) -> Rooms:
    rooms = Rooms.with_graces(api, limits=RoomLimits(**limits), recorder=recorder)
    rooms.meetings.on_room_closed(rooms.service.close_room)
    return rooms


async def locked(rooms: Rooms) -> tuple[MeetingKeys, Member]:
    meeting = await rooms.meeting()
    host = await rooms.join(meeting, meeting.host_key)
    assert await rooms.send(host, "lock", locked=True) is None
    drain(host)
    return meeting, host


def lists(host: Member) -> list[dict[str, Any]]:
    return host.client.of("knocks")


# --- the door ------------------------------------------------------------------------------------


async def test_the_door_holds_at_most_its_cap_and_the_rest_hear_the_waiting_room_is_full(
    api: Api,
) -> None:
    rooms = rooms_with(api, door_cap=3)
    meeting, host = await locked(rooms)
    waiting = [await rooms.join(meeting, address=f"192.0.2.{n}") for n in range(3)]
    refused, client = await rooms.refused_join(meeting, address="192.0.2.99")
    assert (refused.code.value, refused.message) == (
        "waiting_room_full",
        "the waiting room is full",
    )
    assert close_code(refused) is not None
    assert close_code(refused) == 4004
    assert client.messages == []
    # knocking people count too; someone leaving the door makes a place
    assert await rooms.send(waiting[0], "knock") is None
    assert (await rooms.refused_join(meeting))[0].code.value == "waiting_room_full"
    await rooms.disconnect(waiting[1])
    newcomer = await rooms.join(meeting)
    assert newcomer.client.messages[0]["type"] == "room-locked"
    # hosts and viewers never wait at the door
    assert (await rooms.join(meeting, meeting.viewer_key)).client.of("joined")
    assert (await rooms.join(meeting, meeting.host_key)).client.of("joined")
    assert host.client.of("knocks")[-1]["total"] == 1


async def test_the_default_door_cap_is_fifty(api: Api) -> None:
    assert RoomLimits().door_cap == 50
    rooms = Rooms(api)
    meeting, _ = await locked(rooms)
    for n in range(50):
        await rooms.join(meeting, address=f"10.1.{n // 200}.{n % 200}")
    refused, _ = await rooms.refused_join(meeting, address="10.9.9.9")
    assert refused.code.value == "waiting_room_full"


async def test_knocks_per_address_per_minute(api: Api) -> None:
    rooms = rooms_with(api, knocks_per_minute=3, knock_list_interval_s=0)
    meeting, _ = await locked(rooms)
    visitor = await rooms.join(meeting, address=ATTACKER)
    for _ in range(3):
        assert await rooms.send(visitor, "knock") is None
        assert await rooms.send(visitor, "cancel-knock") is None
    assert await rooms.send(visitor, "knock") == "slow_down"
    assert visitor.client.messages[-1] == {"type": "knocking"}  # the refusal is the endpoint's
    # over all rooms of the server, by address: another socket of the same address is refused,
    # someone else is not
    other_room, _ = await locked(rooms)
    same = await rooms.join(other_room, address=ATTACKER)
    assert await rooms.send(same, "knock") == "slow_down"
    stranger = await rooms.join(meeting, address=OTHER)
    assert await rooms.send(stranger, "knock") is None
    api.clock.advance(MS_PER_MINUTE)
    assert await rooms.send(visitor, "knock") is None


async def test_joins_per_address_per_minute_and_resumes_are_free(api: Api) -> None:
    rooms = rooms_with(api, joins_per_minute=3)
    meeting = await rooms.meeting()
    first = await rooms.join(meeting, address=ATTACKER)
    await rooms.join(meeting, address=ATTACKER)
    await rooms.join(meeting, address=ATTACKER)
    refused, _ = await rooms.refused_join(meeting, address=ATTACKER)
    assert (refused.code.value, refused.message) == (
        "slow_down",
        "too many joins from your address; try again in a minute",
    )
    assert close_code(refused) is not None
    assert close_code(refused) == 4029
    assert (await rooms.refused_join(meeting, meeting.host_key, address=ATTACKER))[
        0
    ].code.value == ("slow_down")
    # a resume is not a new join
    await rooms.disconnect(first)
    resume = {"participantId": first.id, "token": first.seat.resume_token}
    again = await rooms.join(meeting, address=ATTACKER, resume=resume)
    assert again.id == first.id
    other = await rooms.join(meeting, address=OTHER)
    assert await rooms.send(other, "leave") is None
    api.clock.advance(MS_PER_MINUTE)
    await rooms.join(meeting, address=ATTACKER)


# --- the waiting list, coalesced -----------------------------------------------------------------


async def test_hosts_hear_the_waiting_list_at_most_four_times_a_second(api: Api) -> None:
    rooms = rooms_with(api, knocks_per_minute=0)
    meeting, host = await locked(rooms)
    visitors = [await rooms.join(meeting, address=f"192.0.2.{n}") for n in range(20)]
    started = asyncio.get_running_loop().time()
    for _ in range(10):
        for visitor in visitors:
            assert await rooms.send(visitor, "knock") is None
            assert await rooms.send(visitor, "cancel-knock") is None
    for visitor in visitors[:5]:
        assert await rooms.send(visitor, "knock") is None
    elapsed = asyncio.get_running_loop().time() - started
    # 405 changes: the first is heard at once, the rest as one list per quarter second
    await eventually(
        lambda: _async(len(lists(host)) > 0 and lists(host)[-1]["total"] == 5), "the last list"
    )
    heard = lists(host)
    assert len(heard) <= 2 + int(elapsed / 0.25) + 1, (len(heard), elapsed)
    assert heard[-1]["knocks"] == [
        {"id": v.id, "displayName": "Guest", "at": api.clock()} for v in visitors[:5]
    ]
    assert not host.client.of("knock-request")
    assert not host.client.of("knock-ended")
    live = rooms.live(meeting)
    assert live.knock_list_due is None


async def test_the_waiting_list_names_at_most_a_hundred_and_counts_the_rest(api: Api) -> None:
    rooms = rooms_with(api, door_cap=150, knocks_per_minute=0, knock_list_interval_s=0)
    meeting, host = await locked(rooms)
    for n in range(120):
        visitor = await rooms.join(meeting, address=f"192.0.2.{n}")
        assert await rooms.send(visitor, "knock") is None
    last = lists(host)[-1]
    assert (len(last["knocks"]), last["total"]) == (100, 120)
    late_host = await rooms.join(meeting, meeting.host_key)
    assert len(late_host.client.of("joined")[0]["knocks"]) == 100


async def _async(value: bool) -> bool:
    return value


# --- knock webhooks: once a minute per knocker ---------------------------------------------------


async def test_knock_webhooks_once_a_minute_per_knocker(api: Api) -> None:
    recorder = CountingRecorder(api)
    rooms = rooms_with(api, recorder, knocks_per_minute=0)
    meeting, _ = await locked(rooms)
    visitor = await rooms.join(meeting)
    other = await rooms.join(meeting)
    for _ in range(20):
        assert await rooms.send(visitor, "knock") is None
        assert await rooms.send(visitor, "cancel-knock") is None
    assert await rooms.send(other, "knock") is None
    assert recorder.count(RoomEventType.CLIENT_KNOCKED) == 2
    assert recorder.count(RoomEventType.KNOCK_CANCELLED) == 1
    api.clock.advance(MS_PER_MINUTE)
    assert await rooms.send(visitor, "knock") is None
    assert recorder.count(RoomEventType.CLIENT_KNOCKED) == 3


# --- seats held by people in their resume grace --------------------------------------------------


async def test_a_host_is_never_refused_for_seats_held_only_by_reconnecting_people(
    api: Api,
) -> None:
    rooms = rooms_with(api)
    meeting = await rooms.meeting()
    droppers = [await rooms.join(meeting, address=f"192.0.2.{n}") for n in range(4)]
    for dropper in droppers:
        await rooms.disconnect(dropper)
    live = rooms.live(meeting)
    assert all(p.reconnecting for p in live.state.participants.values())
    # a visitor is still refused: the seats are held for their people's return
    refused, _ = await rooms.refused_join(meeting)
    assert refused.code.value == "not_allowed"
    assert wire(refused.answer) == {
        "type": "room-full",
        "capacity": 4,
    }
    host = await rooms.join(meeting, meeting.host_key)
    assert host.client.of("joined")[0]["role"] == "host"
    assert set(live.state.participants) == {host.id, *(d.id for d in droppers[1:])}
    # the one pushed out left by timeout, as if their grace had run out
    rows = await rooms.participants(meeting)
    assert (rows[droppers[0].id]["left_reason"], rows[droppers[1].id]["left_ms"]) == (
        "timeout",
        None,
    )
    # with the room full of connected people, a host is refused like anyone
    connected = await rooms.meeting()
    for _ in range(4):
        await rooms.join(connected)
    assert wire((await rooms.refused_join(connected, connected.host_key))[0].answer) == {
        "type": "room-full",
        "capacity": 4,
    }


@pytest.mark.parametrize("role", [RoomRole.HOST])
async def test_a_host_frees_only_as_many_seats_as_needed(api: Api, role: RoomRole) -> None:
    rooms = rooms_with(api)
    meeting = await rooms.meeting()
    present = [await rooms.join(meeting) for _ in range(2)]
    droppers = [await rooms.join(meeting) for _ in range(2)]
    for dropper in droppers:
        await rooms.disconnect(dropper)
    await rooms.join(meeting, meeting.host_key)
    participants = rooms.live(meeting).state.participants
    assert len(participants) == 4
    assert {p.id for p in present} <= set(participants)
    assert droppers[1].id in participants
    assert droppers[0].id not in participants


# --- joined only once the join is on record ------------------------------------------------------


async def test_joined_is_sent_only_after_the_join_is_committed(api: Api) -> None:
    recorder = CountingRecorder(api)
    rooms = rooms_with(api, recorder)
    meeting = await rooms.meeting()
    host = await rooms.join(meeting, meeting.host_key)
    recorder.joins_gate = asyncio.Event()
    joining = asyncio.create_task(rooms.join(meeting))
    await eventually(
        lambda: _async(recorder.count(RoomEventType.CLIENT_JOINED) == 2), "the join recorded"
    )
    live = rooms.live(meeting)
    [newcomer] = [pid for pid in live.state.participants if pid != host.id]
    # meanwhile the room goes on; what it says to the newcomer waits behind `joined`
    assert await rooms.send(host, "chat", text="welcome") is None
    held = live.holding.get(newcomer)
    assert held is not None
    assert [frame.type for frame in held] == ["chat"]
    assert [e.type for e in recorder.committed].count(RoomEventType.CLIENT_JOINED) == 1
    recorder.joins_gate.set()
    member = await joining
    assert [m["type"] for m in member.client.messages] == ["joined", "chat"]
    assert [e.type for e in recorder.committed].count(RoomEventType.CLIENT_JOINED) == 2
    assert live.holding == {}
