"""Closing a room on every node: a message on one Redis pub/sub channel. The node that closes a
room closes its own first, then publishes; each node closes its part when it hears of it, and
ignores what it published itself.

Pub/sub delivers to the nodes subscribed at that moment: a node cut off from Redis while a meeting
is deleted misses the message. The meeting is deleted in the database all the same, so nobody can
join or rejoin; the people already in the room on that node stay until they leave (a known gap,
docs/operations.md)."""

import asyncio
import contextlib
import json
import logging

from redis.asyncio import Redis

from salon.cluster.guard import FAILURES, RedisGuard
from salon.cluster.model import RoomCloser
from salon.ids import RoomName

log = logging.getLogger("salon.cluster")

CHANNEL = "salon:rooms:closed"
RECONNECT_S = 1.0


class RedisBus:
    def __init__(self, client: Redis, guard: RedisGuard, node_id: str) -> None:
        self._client = client
        self._guard = guard
        self._node = node_id
        self._closers: list[RoomCloser] = []
        self._listener: asyncio.Task[None] | None = None
        self.subscribed = asyncio.Event()
        """Set while this node hears the channel (tests wait on it)."""

    def on_room_closed(self, closer: RoomCloser) -> None:
        self._closers.append(closer)

    async def close_everywhere(self, room: RoomName, reason: str) -> None:
        await self._close_here(room, reason)
        await self.closed_here(room, reason)

    async def closed_here(self, room: RoomName, reason: str) -> None:
        message = json.dumps({"node": self._node, "room": room, "reason": reason})
        try:
            await self._client.publish(CHANNEL, message)
        except FAILURES as error:
            self._guard.failed("closing a room on the other nodes", error)

    async def _close_here(self, room: RoomName, reason: str) -> None:
        for closer in self._closers:
            await closer(room, reason)

    def start(self) -> None:
        self._listener = asyncio.create_task(self._listen())

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)

    async def _listen(self) -> None:
        while True:
            pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(CHANNEL)
                self.subscribed.set()
                while True:
                    message = await pubsub.get_message(timeout=1.0)
                    if message is not None:
                        await self._heard(message.get("data"))
            except FAILURES as error:
                self._guard.failed("listening for closed rooms", error)
            finally:
                self.subscribed.clear()
                with contextlib.suppress(*FAILURES):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
            await asyncio.sleep(RECONNECT_S)

    async def _heard(self, data: object) -> None:
        try:
            told = json.loads(data)  # type: ignore[arg-type]
            if told["node"] == self._node:
                return
            room, reason = RoomName(str(told["room"])), str(told["reason"])
        except (ValueError, TypeError, KeyError):
            log.warning("ignored a malformed message on %s", CHANNEL)
            return
        try:
            await self._close_here(room, reason)
        except Exception:
            log.exception("closing room %s for another node failed", room)
