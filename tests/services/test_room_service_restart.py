"""Stopping and crashing with people in rooms, on SQLite and PostgreSQL: `shutdown` closes every
room (pages told to reconnect, leaves and session ends recorded at once); after a crash,
`NodeRecovery` closes what the node left open as of its last heartbeat, each event once."""

from collections import Counter

from helpers import Api
from salon.rooms.events import RoomEventType
from salon.rooms.recorder import RoomRecorder
from salon.rooms.recovery import NodeRecovery
from salon.storage import rooms as room_rows
from services.room_harness import MeetingKeys, Rooms, close_code, eventually
from services.test_room_service_door import CountingRecorder

NODE = "node-a"


class NodeRecorder(CountingRecorder):
    """Counts what it records, and marks rows with this node."""

    def __init__(self, api: Api) -> None:
        super().__init__(api)
        RoomRecorder.__init__(self, api.database, api.app.state.services.orgs, node_id=NODE)


async def a_session(api: Api) -> tuple[Rooms, NodeRecorder, MeetingKeys]:
    recorder = NodeRecorder(api)
    rooms = Rooms.with_graces(api, recorder=recorder)
    meeting = await rooms.meeting()
    await rooms.join(meeting, meeting.host_key)
    await rooms.join(meeting)
    return rooms, recorder, meeting


async def test_shutdown_closes_every_room_and_tells_pages_to_reconnect(api: Api) -> None:
    rooms, recorder, meeting = await a_session(api)
    members = list(rooms.live(meeting).clients.values())
    knocking_room = await rooms.meeting(isLocked=True)
    at_door = await rooms.join(knocking_room)
    api.clock.advance(5000)
    await rooms.service.shutdown()
    for client in [*members, at_door.client]:
        assert client.close_code == 1012  # type: ignore[attr-defined]
        assert not client.of("removed")  # type: ignore[attr-defined]
    participants = await rooms.participants(meeting)
    assert {(r["left_ms"], r["left_reason"]) for r in participants.values()} == {
        (api.clock(), "server-stopped")
    }
    [session] = await rooms.sessions(meeting)
    assert session["ended_ms"] == api.clock()
    assert rooms.service.live_room(meeting.room) is None
    refused, _ = await rooms.refused_join(meeting)
    assert (refused.code.value, close_code(refused)) == ("not_allowed", 1012)
    # nothing is left for a recovery to close
    assert await NodeRecovery(api.database, recorder, api.clock, NODE).recover() == 0


async def test_recovery_closes_what_a_crashed_node_left_open_once(api: Api) -> None:
    rooms, recorder, meeting = await a_session(api)
    recovery = NodeRecovery(api.database, recorder, api.clock, NODE)
    api.clock.advance(3000)
    await recovery.beat()
    alive_ms = api.clock()
    assert await room_rows.last_alive(api.database, NODE) == alive_ms
    api.clock.advance(4000)
    await recovery.beat()  # a later heartbeat replaces the earlier one
    alive_ms = api.clock()
    # another node's rows are not ours to close
    other = Rooms.with_graces(
        api, recorder=RoomRecorder(api.database, api.app.state.services.orgs, node_id="node-b")
    )
    elsewhere = await other.meeting()
    await other.join(elsewhere)
    # the process dies here; much later it starts again
    api.clock.advance(60_000)
    recorded_before = len(recorder.recorded)
    restarted = NodeRecorder(api)
    assert await NodeRecovery(api.database, restarted, api.clock, NODE).recover() == 3
    made = Counter(e.type for e in restarted.recorded)
    assert made == {RoomEventType.CLIENT_LEFT: 2, RoomEventType.SESSION_ENDED: 1}
    assert {e.at_ms for e in restarted.recorded} == {alive_ms}
    assert len(recorder.recorded) == recorded_before
    participants = await rooms.participants(meeting)
    assert {(r["left_ms"], r["left_reason"]) for r in participants.values()} == {
        (alive_ms, "server-lost")
    }
    [session] = await rooms.sessions(meeting)
    assert session["ended_ms"] == alive_ms
    [left_open] = (await other.participants(elsewhere)).values()
    assert left_open["left_ms"] is None
    # the last one out saw nobody left in the room
    last = [e for e in restarted.recorded if e.type is RoomEventType.CLIENT_LEFT][-1]
    assert last.count_by_role == {}
    # a second start finds nothing more to close
    again = NodeRecorder(api)
    assert await NodeRecovery(api.database, again, api.clock, NODE).recover() == 0
    assert again.recorded == []


async def test_a_leave_already_on_record_queues_no_second_webhook(api: Api) -> None:
    """The live room may record a leave that a recovery or a shutdown recorded first: the
    recorder writes history and webhooks only for a row that is still open."""
    registered = await api.client.post(
        "/v1/webhooks", headers=api.auth, json={"url": "https://93.184.216.34/hooks"}
    )
    assert registered.status_code == 201, registered.text
    rooms, recorder, meeting = await a_session(api)
    await rooms.service.shutdown()
    events_before = await api.database.fetch_all("SELECT type FROM webhook_events")
    assert Counter(row["type"] for row in events_before) == {
        "room.client.joined": 2,
        "room.session.started": 1,
        "room.client.left": 2,
        "room.session.ended": 1,
    }
    live_events = [e for e in recorder.recorded if e.type is RoomEventType.CLIENT_LEFT]
    for event in live_events:
        await recorder.record(event)
    assert await api.database.fetch_all("SELECT type FROM webhook_events") == events_before

    async def all_left() -> bool:
        rows = await rooms.participants(meeting)
        return all(r["left_ms"] is not None for r in rows.values())

    await eventually(all_left, "everyone left")
