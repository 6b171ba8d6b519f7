"""Every node's rooms on every node's dashboard: each node publishes who is in its rooms to
Redis (refreshed every second, expiring), and the Live rooms page and the meetings list read the
directory, so a room with people on two nodes shows them all, wherever the page is asked."""

import json
from typing import Any

from cluster.nodes import join, meeting, running_nodes
from dashboard_helpers import Person, signed_in
from helpers import FakeClock
from salon.ids import RoomName
from salon.signaling import protocol as p
from services.room_harness import eventually, room_key


async def test_the_live_rooms_page_shows_every_nodes_rooms(
    fresh_postgres: str, redis_url: str, clock: FakeClock
) -> None:
    async with running_nodes(fresh_postgres, redis_url, clock) as cluster:
        one, two = cluster.nodes
        shared, alone = await meeting(cluster), await meeting(cluster)
        room = RoomName(shared["roomName"])
        ada = await join(one, room, room_key(shared["hostRoomUrl"]), "Ada")
        await join(two, room, room_key(shared["hostRoomUrl"]), "Grace")
        await join(one, RoomName(alone["roomName"]), room_key(alone["hostRoomUrl"]), "Linus")
        people: list[Person] = []
        owner = await signed_in(cluster.api(1), people, "owner@example.org")
        seen: dict[str, Any] = {}

        async def every_room_on_node_two() -> bool:
            answer = await owner.get("/dashboard/live.json")
            assert answer.status_code == 200, answer.text
            rooms = answer.json()["rooms"]
            seen["rooms"] = rooms
            names = {
                r["roomName"]: sorted(x["displayName"] for x in r["participants"]) for r in rooms
            }
            return names == {room: ["Ada", "Grace"], alone["roomName"]: ["Linus"]}

        try:
            try:
                await eventually(every_room_on_node_two, "node 2's Live rooms shows node 1's")
            except AssertionError:
                raise AssertionError(seen) from None
            page = await owner.get("/dashboard/live")
            assert page.text.count('data-testid="live-participant"') == 3
            listing = await owner.get("/dashboard/meetings")
            assert listing.status_code == 200

            leave = p.parse(json.dumps({"type": "leave"}))
            await one.state.services.rooms.handle(ada.seat, leave)  # type: ignore[attr-defined]

            async def ada_gone() -> bool:
                rooms = await two.state.services.cluster.directory.rooms(cluster.org_id)  # type: ignore[attr-defined]
                found = {r.room_name: [x.display_name for x in r.participants] for r in rooms}
                return found.get(room) == ["Grace"]

            await eventually(ada_gone, "a leave on node 1 reaches node 2's directory")
        finally:
            for person in people:
                await person.client.aclose()


async def test_a_stopped_node_leaves_the_directory(
    fresh_postgres: str, redis_url: str, clock: FakeClock
) -> None:
    async with running_nodes(fresh_postgres, redis_url, clock) as cluster:
        one, two = cluster.nodes
        made = await meeting(cluster)
        await join(one, RoomName(made["roomName"]), room_key(made["hostRoomUrl"]), "Ada")
        directory = two.state.services.cluster.directory  # type: ignore[attr-defined]

        async def listed() -> bool:
            return len(await directory.rooms(cluster.org_id)) == 1

        await eventually(listed, "node 1's room in the directory")
        await one.state.services.cluster.stop()  # type: ignore[attr-defined]
        assert await directory.rooms(cluster.org_id) == []
