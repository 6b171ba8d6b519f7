"""The one place that picks how nodes share state: in memory (one process, the default) or Redis
(`--redis-url`, cluster mode, which needs PostgreSQL: a SQLite file cannot be shared by nodes)."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from salon.accounts import throttle
from salon.clock import Clock
from salon.cluster.guard import FAILURES, RedisGuard, log
from salon.cluster.local import (
    LocalApiLimiter,
    LocalBus,
    LocalDirectory,
    LocalPlacement,
    LocalSignInLimiter,
)
from salon.cluster.model import (
    ApiLimiter,
    ClusterBus,
    PersonPresence,
    RoomDirectory,
    RoomPlacement,
    RoomPresence,
    SignInLimiter,
    SocketRelay,
)
from salon.errors import InvalidInput
from salon.ids import RoomName
from salon.ratelimit import RateLimiter
from salon.rooms.events import LeaveReason
from salon.rooms.room import Room
from salon.rooms.service import RoomService
from salon.storage.db import Dialect, dialect_of

DEFAULT_NODE_ID = "main"
ROLE_ORDER = ("owner", "member", "host", "granted_visitor", "visitor", "viewer")


def presence_of(live: Room) -> RoomPresence:
    people = sorted(
        live.state.participants.values(),
        key=lambda p: (
            ROLE_ORDER.index(p.role.value) if p.role.value in ROLE_ORDER else 99,
            p.joined_ms,
        ),
    )
    return RoomPresence(
        live.meeting.org_id,
        live.meeting.room_name,
        live.meeting.meeting_id,
        live.state.locked,
        len(live.state.knockers),
        tuple(
            PersonPresence(p.display_name, p.role.value, p.joined_ms, p.reconnecting)
            for p in people
        ),
    )


def _occupied(rooms: RoomService) -> list[RoomPresence]:
    return [
        presence_of(live)
        for live in rooms.every_live_room()
        if live.state.participants or live.state.knockers
    ]


@dataclass
class Cluster:
    """What this node shares with the others (or keeps to itself, alone)."""

    api_limiter: ApiLimiter
    sign_in: SignInLimiter
    bus: ClusterBus
    directory: RoomDirectory
    placement: RoomPlacement
    """Which node serves each live room (always this one, alone)."""
    relay: SocketRelay | None = None
    """Carries sockets to the node that serves their room (cluster mode only)."""
    redis: Any = None
    """The Redis client in cluster mode (`redis.asyncio.Redis`), else None."""
    guard: RedisGuard = field(default_factory=RedisGuard)
    _started: list[Any] = field(default_factory=list)

    @property
    def shared(self) -> bool:
        return self.redis is not None

    async def start(self) -> None:
        if self.redis is None:
            return
        try:
            await self.redis.ping()
        except FAILURES as error:
            self.guard.failed("connecting", error)
        for part in (self.bus, self.directory, self.relay, self.placement):
            start: Callable[[], None] | None = getattr(part, "start", None)
            if start is not None:
                start()
                self._started.append(part)

    async def stop(self) -> None:
        for part in reversed(self._started):
            await part.stop()
        self._started.clear()
        if self.redis is not None:
            await self.redis.aclose()


def check_cluster_settings(redis_url: str | None, database_url: str, node_id: str) -> None:
    if redis_url is None:
        return
    if not redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise InvalidInput("--redis-url must read redis://HOST:PORT/DB (or rediss://, unix://)")
    if dialect_of(database_url) is not Dialect.POSTGRESQL:
        raise InvalidInput(
            "--redis-url (cluster mode) needs a PostgreSQL --database-url: "
            "a SQLite file cannot be shared by several nodes"
        )
    if node_id == DEFAULT_NODE_ID:
        raise InvalidInput(
            "--redis-url (cluster mode) needs a --node-id of this node's own: "
            f"each node names what it holds, and {DEFAULT_NODE_ID!r} is the one-process default"
        )


def build_cluster(
    *,
    redis_url: str | None,
    database_url: str,
    node_id: str,
    rate_limit_points: int,
    rooms: RoomService,
    clock: Clock,
    wall_clock_s: Callable[[], float] = time.time,
) -> Cluster:
    """Local implementations without `redis_url`; Redis ones with it. Wires closing: the meetings
    service and hosts who end a meeting close rooms through the bus, and the bus closes this
    node's rooms."""
    check_cluster_settings(redis_url, database_url, node_id)
    if redis_url is None:
        cluster = Cluster(
            api_limiter=LocalApiLimiter(RateLimiter(rate_limit_points, clock)),
            sign_in=LocalSignInLimiter(throttle.SignInThrottle(clock)),
            bus=LocalBus(),
            directory=LocalDirectory(
                lambda org: [room for room in _occupied(rooms) if room.org_id == org]
            ),
            placement=LocalPlacement(node_id),
        )
    else:
        from redis.asyncio import Redis

        from salon.cluster.redis_bus import RedisBus
        from salon.cluster.redis_limits import RedisApiLimiter, RedisSignInLimiter
        from salon.cluster.redis_placement import RedisPlacement
        from salon.cluster.redis_presence import RedisDirectory
        from salon.cluster.relay import RedisRelay

        client: Redis = Redis.from_url(
            redis_url, socket_timeout=1.0, socket_connect_timeout=1.0, health_check_interval=10
        )
        guard = RedisGuard()
        placement = RedisPlacement(
            client, guard, node_id, lambda room: rooms.live_room(room) is not None
        )

        async def lost(room: RoomName) -> None:
            # Another node serves the room now: its people here reconnect (close code 1012).
            await rooms.close_room(room, LeaveReason.SERVER_STOPPED.value)

        placement.on_lost(lost)
        cluster = Cluster(
            api_limiter=RedisApiLimiter(client, guard, rate_limit_points, clock),
            sign_in=RedisSignInLimiter(
                client,
                guard,
                clock,
                window_ms=throttle.WINDOW_MS,
                per_pair=throttle.PER_PAIR,
                per_client=throttle.PER_CLIENT,
                slowdown_after=throttle.SLOWDOWN_AFTER,
                pace_ms=throttle.PACE_MS,
            ),
            bus=RedisBus(client, guard, node_id),
            directory=RedisDirectory(
                client, guard, node_id, lambda: _occupied(rooms), wall_clock_s
            ),
            placement=placement,
            relay=RedisRelay(client, guard, node_id),
            redis=client,
            guard=guard,
        )
        log.info(
            "cluster mode: node %s shares limits, closings, presence and room placement in Redis",
            node_id,
        )
    cluster.bus.on_room_closed(rooms.close_room)
    rooms.on_meeting_ended(cluster.bus.closed_here)
    return cluster
