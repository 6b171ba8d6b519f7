"""Redis going away and coming back, with a `redis-server` of the test's own (never the shared
one): nodes ride out a `kill -9` of Redis with no 5xx and `/readyz` 200, and come back to it by
themselves once it is restarted, empty (closing crosses the bus again, the points are one budget
again)."""

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from cluster.nodes import join, meeting, running_nodes
from cluster.private_redis import RedisServer
from helpers import FakeClock
from salon.ids import RoomName
from services.room_harness import eventually, room_key


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis")
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def test_nodes_ride_out_a_redis_restart_and_come_back_to_it(
    fresh_postgres: str, private_redis: RedisServer, clock: FakeClock
) -> None:
    async with running_nodes(
        fresh_postgres, private_redis.url, clock, rate_limit_points=1000
    ) as cluster:
        one, two = cluster.nodes
        buses = [node.state.services.cluster.bus for node in cluster.nodes]  # type: ignore[attr-defined]
        await asyncio.to_thread(private_redis.kill)

        async def both_noticed() -> bool:
            return not any(bus.subscribed.is_set() for bus in buses)

        await eventually(both_noticed, "both nodes saw their Redis connection drop")
        for node in cluster.nodes:  # fail open: no 5xx, the whole budget left, still ready
            created = await node.client.post(
                "/v1/meetings", headers=cluster.auth, json={"endDate": "2099-01-01T00:00:00Z"}
            )
            assert created.status_code == 201, created.text
            assert created.headers["x-ratelimit-remaining"] == "1000"  # fail open
            assert (await node.client.get("/readyz")).status_code == 200

        await asyncio.to_thread(private_redis.start)  # empty: no persistence

        async def both_listening() -> bool:
            return all(bus.subscribed.is_set() for bus in buses)

        await eventually(both_listening, "both nodes subscribed again")
        made = await meeting(cluster)
        room = RoomName(made["roomName"])
        there = await join(two, room, room_key(made["hostRoomUrl"]), "Grace")
        deleted = await one.client.delete(f"/v1/meetings/{made['meetingId']}", headers=cluster.auth)
        assert deleted.status_code == 204

        async def emptied() -> bool:
            return there.client.closed is not None

        await eventually(emptied, "node 2 closed the room deleted on node 1 after the restart")

        async def one_budget() -> bool:
            first = await one.client.get("/v1/meetings", headers=cluster.auth)
            second = await two.client.get("/v1/meetings", headers=cluster.auth)
            spent_on_one = int(first.headers["x-ratelimit-remaining"])
            return 0 < int(second.headers["x-ratelimit-remaining"]) < spent_on_one < 1000

        await eventually(one_budget, "the API points are shared again")
