"""Closing a room on every node: `DELETE /v1/meetings/{id}` and the sweeper on one node, and a
host's "end meeting" on one node, empty the room on the other, through the Redis bus. Two app
instances share a fresh PostgreSQL database and a Redis database of the test's own; people of one
room sit on both, joined below the socket (placement would put them on one node): as a node cut
off from Redis while another took its room would hold a part of it."""

import json

from cluster.nodes import join, meeting, running_nodes
from helpers import FakeClock
from salon.clock import MS_PER_HOUR, MS_PER_MINUTE
from salon.ids import RoomName
from salon.signaling import protocol as p
from services.room_harness import Member, eventually, room_key


def removed_for(member: Member, reason: str) -> bool:
    said = [m for m in member.client.messages if m["type"] == "removed"]
    return member.client.closed is not None and any(m.get("reason") == reason for m in said)


async def test_a_delete_on_one_node_empties_the_room_on_the_other(
    fresh_postgres: str, redis_url: str, clock: FakeClock
) -> None:
    async with running_nodes(fresh_postgres, redis_url, clock) as cluster:
        one, two = cluster.nodes
        made = await meeting(cluster)
        room, key = RoomName(made["roomName"]), room_key(made["hostRoomUrl"])
        here = await join(one, room, key, "Ada")
        there = await join(two, room, key, "Grace")
        deleted = await two.client.delete(f"/v1/meetings/{made['meetingId']}", headers=cluster.auth)
        assert deleted.status_code == 204
        assert there.client.closed is not None  # the deciding node closes its part at once

        async def emptied() -> bool:
            rooms = one.state.services.rooms  # type: ignore[attr-defined]
            return here.client.closed is not None and rooms.live_room(room) is None

        await eventually(emptied, "node 1 closed the room deleted on node 2")
        assert removed_for(here, "meeting-deleted"), here.client.messages


async def test_the_sweeper_on_one_node_closes_the_room_on_the_other(
    fresh_postgres: str, redis_url: str, clock: FakeClock
) -> None:
    async with running_nodes(
        fresh_postgres, redis_url, clock, housekeeping_interval_s=3600.0
    ) as cluster:
        one, two = cluster.nodes
        made = await meeting(cluster, end_ms=clock() + 10 * MS_PER_MINUTE)
        room, key = RoomName(made["roomName"]), room_key(made["hostRoomUrl"])
        here = await join(one, room, key, "Ada")
        clock.advance(10 * MS_PER_MINUTE + MS_PER_HOUR + MS_PER_MINUTE)
        deactivated, _ = await two.state.services.meetings.sweep()  # type: ignore[attr-defined]
        assert [m.room_name for m in deactivated] == [room]

        async def emptied() -> bool:
            return removed_for(here, "meeting-over")

        await eventually(emptied, "node 1 closed the room the sweeper on node 2 deactivated")


async def test_a_host_ending_the_meeting_on_one_node_ends_it_on_the_other(
    fresh_postgres: str, redis_url: str, clock: FakeClock
) -> None:
    async with running_nodes(fresh_postgres, redis_url, clock) as cluster:
        one, two = cluster.nodes
        made = await meeting(cluster)
        room, key = RoomName(made["roomName"]), room_key(made["hostRoomUrl"])
        host = await join(one, room, key, "Ada")
        elsewhere = await join(two, room, key, "Grace")
        ended = p.parse(json.dumps({"type": "end-meeting"}))
        await one.state.services.rooms.handle(host.seat, ended)  # type: ignore[attr-defined]
        assert host.client.closed is not None

        async def emptied() -> bool:
            rooms = two.state.services.rooms  # type: ignore[attr-defined]
            return removed_for(elsewhere, "meeting-ended") and rooms.live_room(room) is None

        await eventually(emptied, "node 2 ended the meeting ended on node 1")


async def test_one_node_alone_closes_its_rooms_without_redis(
    fresh_postgres: str, clock: FakeClock
) -> None:
    """Without `--redis-url` the same calls close the room in the one process."""
    async with running_nodes(fresh_postgres, None, clock, 1, node_id="main") as alone:
        (node,) = alone.nodes
        made = await meeting(alone)
        room, key = RoomName(made["roomName"]), room_key(made["hostRoomUrl"])
        member = await join(node, room, key, "Ada")
        deleted = await node.client.delete(f"/v1/meetings/{made['meetingId']}", headers=alone.auth)
        assert deleted.status_code == 204
        assert removed_for(member, "meeting-deleted")
