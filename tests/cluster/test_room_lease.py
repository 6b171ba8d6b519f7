"""The room lease's Lua scripts on a real Redis (a database of the test's own): the first node to
ask takes a room, the next is told who holds it; a lease that lapses is taken by the next node
with a larger fencing token, and the superseded node, at its next renewal, closes the room; an
idle room's lease is released; with Redis unreachable placing refuses, without raising anything
else, and warns once."""

import logging

import pytest
from redis.asyncio import Redis

from e2e.salon_process import free_port
from helpers import FakeClock
from salon.cluster.guard import RedisGuard
from salon.cluster.lease import owner_key
from salon.cluster.model import PlacementUnavailable
from salon.cluster.redis_placement import RedisPlacement
from salon.ids import RoomName

ROOM = RoomName("/room-lease")


def placement(client: Redis, node: str, live: set[RoomName], ttl_ms: int = 5000) -> RedisPlacement:
    return RedisPlacement(client, RedisGuard(), node, lambda room: room in live, ttl_ms=ttl_ms)


async def test_one_node_takes_a_room_and_the_others_are_told_where_it_is(redis_url: str) -> None:
    client = Redis.from_url(redis_url)
    try:
        one, two = placement(client, "node-1", set()), placement(client, "node-2", set())
        taken = await one.place(ROOM)
        assert taken.here
        assert taken.node == "node-1"
        elsewhere = await two.place(ROOM)
        assert not elsewhere.here
        assert (elsewhere.node, elsewhere.token) == ("node-1", taken.token)
        again = await one.place(ROOM)  # this node holds it: answered from its book
        assert again.here
        assert again.token == taken.token
    finally:
        await client.aclose()


async def test_a_lapsed_lease_goes_to_the_next_node_and_the_old_owner_closes_the_room(
    redis_url: str,
) -> None:
    client = Redis.from_url(redis_url)
    try:
        one = placement(client, "node-1", {ROOM}, ttl_ms=5000)
        lost: list[RoomName] = []

        async def closed(room: RoomName) -> None:
            lost.append(room)

        one.on_lost(closed)
        first = await one.place(ROOM)
        await client.delete(owner_key(ROOM))  # as if node 1 had not renewed in time
        two = placement(client, "node-2", {ROOM})
        second = await two.place(ROOM)
        assert second.here
        assert second.token > first.token  # the fencing token only grows
        await one.renew()
        assert lost == [ROOM]
        assert one.book.leases() == []
        assert (await client.get(owner_key(ROOM))) == f"node-2|{second.token}".encode()
    finally:
        await client.aclose()


async def test_a_renewal_takes_back_a_lapsed_lease_nobody_else_took(redis_url: str) -> None:
    client = Redis.from_url(redis_url)
    try:
        one = placement(client, "node-1", {ROOM})
        taken = await one.place(ROOM)
        await client.delete(owner_key(ROOM))
        await one.renew()
        assert (await client.get(owner_key(ROOM))) == f"node-1|{taken.token}".encode()
        assert await client.pttl(owner_key(ROOM)) > 0
    finally:
        await client.aclose()


async def test_a_room_nobody_serves_any_more_is_released(redis_url: str) -> None:
    client = Redis.from_url(redis_url)
    try:
        live = {ROOM}
        one = placement(client, "node-1", live)
        await one.place(ROOM)
        one.let_go(ROOM)
        await one.renew()  # still live (someone may resume): kept
        assert await client.exists(owner_key(ROOM))
        live.clear()
        await one.renew()
        assert not await client.exists(owner_key(ROOM))
        assert one.book.leases() == []
    finally:
        await client.aclose()


async def test_without_redis_placing_refuses_and_warns_once(
    caplog: pytest.LogCaptureFixture, clock: FakeClock
) -> None:
    client = Redis(
        host="127.0.0.1", port=free_port(), socket_timeout=0.5, socket_connect_timeout=0.5
    )
    try:
        one = RedisPlacement(client, RedisGuard(), "node-1", lambda room: False)
        with caplog.at_level(logging.WARNING, logger="salon.cluster"):
            with pytest.raises(PlacementUnavailable):
                await one.place(ROOM)
            with pytest.raises(PlacementUnavailable):
                await one.place(ROOM)  # within the back-off: Redis is not even asked
        warnings = [r for r in caplog.records if "Redis is unreachable" in r.getMessage()]
        assert len(warnings) == 1
        assert "joins" in warnings[0].getMessage()
    finally:
        await client.aclose()
