"""Rooms placed on one node, sockets relayed to it: two real `salon serve` nodes over one
PostgreSQL database and one Redis database. People whose sockets land on different nodes are in
one room (lists, chat both ways, the host's actions, closes with their codes); a relayed socket
that drops leaves its participant reconnecting on the owner, and resumes through either node;
webhooks are written once per person; when the owner is killed, the other node takes the room
once the clients reconnect; without Redis, joins are refused with a code the page retries on."""

import os
import signal
from pathlib import Path

from redis.asyncio import Redis

from cluster.sockets import (
    Person,
    create_meeting,
    joined_through,
    node,
    outbox,
    subscribe_webhooks,
    two_nodes,
)
from e2e.salon_process import free_port
from salon.cluster.lease import owner_key, parse_owner
from services.room_harness import eventually

OWNER_GONE_WITHIN_S = 30.0
"""The lease lapses after 5 s; the relaying node notices the owner's heartbeat end within 6 s."""


async def room_owner(redis_url: str, room: str) -> tuple[str, int] | None:
    client = Redis.from_url(redis_url)
    try:
        value = await client.get(owner_key(room))  # type: ignore[arg-type]
    finally:
        await client.aclose()
    if value is None:
        return None
    owner = parse_owner(value)
    return owner.node, owner.token


async def test_two_people_on_two_nodes_are_in_one_room(
    fresh_postgres: str, redis_url: str, tmp_path: Path
) -> None:
    with two_nodes(fresh_postgres, redis_url, tmp_path) as (one, two):
        assert one.first_key is not None
        meeting = await create_meeting(one, one.first_key)
        await subscribe_webhooks(fresh_postgres, "room.client.joined,room.client.left")
        ada = await Person.open(one)
        await ada.join(meeting.room, meeting.host_key, "Ada")
        assert (await room_owner(redis_url, meeting.room) or ("", 0))[0] == "node-1"

        grace = await Person.open(two)  # relayed to node 1
        joined = await grace.join(meeting.room, None, "Grace")
        assert [p["displayName"] for p in joined["participants"]] == ["Ada"]  # the others
        seen = await ada.next_of("participant-joined")
        assert seen["participant"]["id"] == grace.participant_id

        await grace.send("chat", text="hello from node 2")
        said = await ada.next_of("chat", text="hello from node 2")
        assert said["from"] == grace.participant_id
        await ada.send("chat", text="hello from node 1")
        assert (await grace.next_of("chat", text="hello from node 1"))["from"] == ada.participant_id

        # The relayed socket drops: on the owner, the participant is reconnecting, and resumes
        # through node 2 again (the room's state is on node 1).
        await grace.ws.close()
        updated = await ada.next_of("participant-updated")
        assert updated["participant"]["id"] == grace.participant_id
        assert updated["participant"]["reconnecting"] is True
        again = await Person.open(two)
        resume = {"participantId": grace.participant_id, "token": grace.resume_token}
        rejoined = await again.join(meeting.room, None, "Grace", resume=resume)
        assert rejoined["participantId"] == grace.participant_id

        # The host's action reaches the relayed client, and so does its close code.
        await ada.send("remove", participantId=grace.participant_id)
        await again.next_of("removed")
        code, _ = await again.closed_with()
        assert code == 4001
        left = await ada.next_of("participant-left")
        assert left["participantId"] == grace.participant_id

        await ada.send("leave")
        assert (await ada.closed_with())[0] == 4000

        async def both_left() -> bool:
            return len(await outbox(fresh_postgres, "room.client.left")) >= 2

        await eventually(both_left, "both people's room.client.left written")
        joins = await outbox(fresh_postgres, "room.client.joined")
        leaves = await outbox(fresh_postgres, "room.client.left")
        assert sorted(j["displayName"] for j in joins) == ["Ada", "Grace"]
        assert sorted(j["displayName"] for j in leaves) == ["Ada", "Grace"]

        async def released() -> bool:
            return await room_owner(redis_url, meeting.room) is None

        await eventually(released, "the empty room's lease released")


async def test_when_the_owner_is_killed_the_other_node_takes_the_room(
    fresh_postgres: str, redis_url: str, tmp_path: Path
) -> None:
    with two_nodes(fresh_postgres, redis_url, tmp_path) as (one, two):
        assert one.first_key is not None
        meeting = await create_meeting(one, one.first_key)
        ada = await Person.open(one)
        await ada.join(meeting.room, meeting.host_key, "Ada")
        grace = await Person.open(two)
        await grace.join(meeting.room, None, "Grace")
        first = await room_owner(redis_url, meeting.room)
        assert first is not None
        assert first[0] == "node-1"

        assert one.process is not None
        os.kill(one.process.pid, signal.SIGKILL)
        one.process.wait(timeout=10)

        # Node 2 closes the relayed socket so that the page reconnects (1012, not final).
        code, _ = await grace.closed_with(OWNER_GONE_WITHIN_S)
        assert code == 1012
        grace2, joined = await joined_through(two, meeting.room, None, "Grace", OWNER_GONE_WITHIN_S)
        assert joined["participants"] == []  # a fresh room on node 2
        taken = await room_owner(redis_url, meeting.room)
        assert taken is not None
        assert taken[0] == "node-2"
        assert taken[1] > first[1]  # a new fencing token

        # Ada's page reconnects through the balancer, which now sends it to node 2.
        ada2, joined = await joined_through(two, meeting.room, meeting.host_key, "Ada", 10.0)
        assert [p["displayName"] for p in joined["participants"]] == ["Grace"]
        await grace2.next_of("participant-joined")
        await ada2.send("chat", text="still here")
        await grace2.next_of("chat", text="still here")
        for person in (ada, grace, grace2, ada2):
            await person.ws.close()


async def test_without_redis_a_join_is_refused_with_a_code_the_page_retries_on(
    fresh_postgres: str, tmp_path: Path
) -> None:
    nowhere = f"redis://127.0.0.1:{free_port()}/0"
    with node(fresh_postgres, nowhere, tmp_path, 1) as alone:
        assert alone.first_key is not None
        meeting = await create_meeting(alone, alone.first_key)  # the API fails open
        person = await Person.open(alone)
        await person.send("join", v=1, room=meeting.room, roomKey=meeting.host_key)
        refused = await person.next_of("error")
        assert refused["about"] == "join"
        assert "try again" in refused["message"]
        code, _ = await person.closed_with()
        assert code == 1012  # not a final code: the page reconnects with its backoff
        assert "joins of rooms this node does not hold are refused" in alone.stderr + alone.stdout
