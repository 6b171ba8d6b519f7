"""Every node's rooms, for the dashboard's reads. Each node writes, every second, one key per
organization with someone in its rooms (`salon:presence:<org>:<node>`, JSON, expiring after
`TTL_S`) and keeps its name in the set of nodes; a read merges this node's own rooms (always
fresh) with the other nodes' keys. A node that dies drops out when its keys expire."""

import asyncio
import json
from collections.abc import Callable

from redis.asyncio import Redis

from salon.cluster.guard import FAILURES, RedisGuard
from salon.cluster.model import PersonPresence, RoomPresence, merge_rooms
from salon.ids import OrgId, RoomName

PUBLISH_EVERY_S = 1.0
TTL_S = 5
NODES = "salon:presence:nodes"
NODE_FORGOTTEN_AFTER_S = 3600


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _key(org_id: OrgId, node: str) -> str:
    return f"salon:presence:{org_id}:{node}"


def encode(rooms: list[RoomPresence]) -> str:
    return json.dumps(
        [
            [
                r.room_name,
                r.meeting_id,
                r.locked,
                r.knocking,
                [[p.display_name, p.role, p.joined_ms, p.reconnecting] for p in r.participants],
            ]
            for r in rooms
        ]
    )


def decode(org_id: OrgId, text: str | bytes) -> list[RoomPresence]:
    return [
        RoomPresence(
            org_id,
            RoomName(name),
            str(meeting_id),
            bool(locked),
            int(knocking),
            tuple(PersonPresence(str(n), str(r), int(j), bool(c)) for n, r, j, c in people),
        )
        for name, meeting_id, locked, knocking, people in json.loads(text)
    ]


class RedisDirectory:
    def __init__(
        self,
        client: Redis,
        guard: RedisGuard,
        node_id: str,
        every_room: Callable[[], list[RoomPresence]],
        wall_clock_s: Callable[[], float],
    ) -> None:
        self._client = client
        self._guard = guard
        self._node = node_id
        self._every_room = every_room
        self._now_s = wall_clock_s
        self._published: set[OrgId] = set()
        self._task: asyncio.Task[None] | None = None

    def _local(self, org_id: OrgId) -> list[RoomPresence]:
        return [room for room in self._every_room() if room.org_id == org_id]

    async def rooms(self, org_id: OrgId) -> list[RoomPresence]:
        found = self._local(org_id)
        if self._guard.available:
            try:
                nodes = [_text(n) for n in await self._client.zrange(NODES, 0, -1)]
                others = [n for n in nodes if n != self._node]
                if others:
                    texts = await self._client.mget([_key(org_id, n) for n in others])
                    for text in texts:
                        if text is not None:
                            found += decode(org_id, text)
            except FAILURES as error:
                self._guard.failed("reading the other nodes' rooms", error)
        return merge_rooms(found)

    async def room(self, org_id: OrgId, room_name: RoomName) -> RoomPresence | None:
        return next((r for r in await self.rooms(org_id) if r.room_name == room_name), None)

    async def publish(self) -> None:
        """Write this node's rooms now (the background task does it every second)."""
        by_org: dict[OrgId, list[RoomPresence]] = {}
        for room in self._every_room():
            by_org.setdefault(room.org_id, []).append(room)
        pipe = self._client.pipeline(transaction=False)
        pipe.zadd(NODES, {self._node: self._now_s()})
        pipe.zremrangebyscore(NODES, "-inf", self._now_s() - NODE_FORGOTTEN_AFTER_S)
        for org_id, rooms in by_org.items():
            pipe.set(_key(org_id, self._node), encode(rooms), ex=TTL_S)
        for org_id in self._published - by_org.keys():
            pipe.delete(_key(org_id, self._node))
        gone = self._published - by_org.keys()
        self._published |= by_org.keys()  # written perhaps, even if this call is cancelled
        await pipe.execute()
        self._published -= gone

    async def withdraw(self) -> None:
        """This node stops: its rooms leave the directory now rather than when they expire."""
        if self._published:
            await self._client.delete(*(_key(org, self._node) for org in self._published))
            self._published = set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        try:
            await self.withdraw()
        except FAILURES as error:
            self._guard.failed("withdrawing this node's rooms", error)

    async def _run(self) -> None:
        while True:
            if self._guard.available:
                try:
                    await self.publish()
                except FAILURES as error:
                    self._guard.failed("publishing this node's rooms", error)
            await asyncio.sleep(PUBLISH_EVERY_S)
