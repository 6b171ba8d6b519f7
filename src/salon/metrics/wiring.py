"""The metrics of one application, read from its services: the composition root calls
`build_exposition` and mounts what it returns."""

from collections.abc import Callable, Iterable

from salon.clock import Clock
from salon.metrics.collectors import (
    BacklogReading,
    InstanceUsage,
    JanusCollector,
    JobQueueReading,
    JobsCollector,
    RoomsCollector,
    RoomSnapshot,
    WebhooksCollector,
)
from salon.metrics.exposition import Exposition
from salon.rooms.service import RoomService
from salon.storage.db import Database, StorageUnavailable
from salon.storage.jobs import queue_depth
from salon.storage.webhook_backlog import pending_backlog
from salon.webhooks.dispatcher import Dispatcher


def _room_snapshots(rooms: RoomService) -> list[RoomSnapshot]:
    return [
        RoomSnapshot(
            mode=live.meeting.room_mode.value,
            roles=tuple(p.role.value for p in live.state.participants.values()),
            knocking=len(live.state.knockers),
            in_session=live.session_id is not None,
        )
        for live in rooms.every_live_room()
    ]


def build_exposition(
    *,
    rooms: RoomService,
    sfu_usage: Callable[[], Iterable[InstanceUsage]] | None,
    dispatcher: Dispatcher,
    database: Database,
    clock: Clock,
    job_kinds: Callable[[], Iterable[str]] = tuple,
) -> Exposition:
    backlog = BacklogReading()
    job_queue = JobQueueReading()

    async def read_job_queue() -> None:
        job_queue.counts = {
            (kind, status): count for kind, status, count in await queue_depth(database)
        }

    async def backlog_query() -> tuple[int, int | None]:
        reading = await pending_backlog(database)
        return reading.pending, reading.oldest_created_ms

    async def ready() -> bool:
        try:
            await database.ping()
        except StorageUnavailable:
            return False
        return True

    return Exposition(
        [
            RoomsCollector(lambda: _room_snapshots(rooms)),
            JanusCollector(sfu_usage),
            WebhooksCollector(lambda: dispatcher.counters, backlog),
            JobsCollector(job_kinds, job_queue),
        ],
        backlog,
        backlog_query,
        clock,
        ready,
        refreshes=(("job queue", read_job_queue),),
    )
