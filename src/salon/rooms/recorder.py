"""Writes each room event durably: the one place room history and webhooks come from.

The history rows and the webhook outbox rows of an event commit in one transaction, so an event
is either recorded and queued for delivery, or neither.

When the database cannot take a write (down, or its disk full), the event waits in memory and is
retried, in order, until it can: the room goes on (a join that could not be recorded must not
leave a participant behind that no socket owns), and the record and its webhooks follow once the
database is back. Events that come while some wait queue behind them, so history stays in order.
"""

import asyncio
import collections
import logging
from collections.abc import Callable

from salon.orgs.service import OrgService
from salon.rooms.events import RoomEvent, RoomEventType
from salon.storage import rooms as room_rows
from salon.storage.db import Database, StorageUnavailable, Transaction
from salon.webhooks.service import WebhookService

log = logging.getLogger(__name__)

RETRY_FIRST_S = 0.2
RETRY_MAX_S = 1.0
"""Joins are refused while events wait, so the pause after an outage is time nobody can join:
at most a second (one cheap write attempt a second while the database is away)."""


class RoomRecorder:
    def __init__(
        self,
        db: Database,
        orgs: OrgService,
        on_queued: Callable[[], None] | None = None,
        node_id: str | None = None,
    ) -> None:
        self._db = db
        self._orgs = orgs
        self._on_queued = on_queued
        self._node_id = node_id
        """Sessions and participants are marked with the node that holds them."""
        self._waiting: collections.deque[RoomEvent] = collections.deque()
        self._retrying: asyncio.Task[None] | None = None

    @property
    def waiting(self) -> int:
        """Events waiting for the database to come back."""
        return len(self._waiting)

    async def record(self, event: RoomEvent) -> None:
        """Write the event's history rows and its webhooks. A leave or a session end that is on
        record already (closed by a shutdown or by crash recovery) queues no second webhook.

        A join never waits: `joined` tells a page that its join is on record, so when the
        database cannot take it (or events already wait for it) the error reaches the room,
        which refuses the join and lets the page try again."""
        joining = event.type is RoomEventType.CLIENT_JOINED
        if self._waiting:
            if joining:
                raise StorageUnavailable("room events are waiting for the database")
            self._waiting.append(event)
            return
        try:
            await self._write(event)
        except StorageUnavailable as error:
            if joining:
                raise
            log.warning("could not record %s (%s); retrying until the database is back",
                        event.type.value, error)  # fmt: skip
            self._waiting.append(event)
            self._retrying = asyncio.create_task(self._retry())

    async def _retry(self) -> None:
        pause = RETRY_FIRST_S
        while self._waiting:
            try:
                await self._write(self._waiting[0])
            except StorageUnavailable:
                await asyncio.sleep(pause)
                pause = min(pause * 2, RETRY_MAX_S)
                continue
            self._waiting.popleft()
            pause = RETRY_FIRST_S
        log.warning("recorded the room events that waited for the database")

    async def _write(self, event: RoomEvent) -> None:
        subdomain = (await self._orgs.get(event.meeting.org_id)).subdomain
        queued = 0
        async with self._db.transaction() as tx:
            if await self._history(tx, event):
                queued = await WebhookService.enqueue(tx, event, event.meeting, subdomain)
        if queued and self._on_queued is not None:
            self._on_queued()

    async def _history(self, tx: Transaction, event: RoomEvent) -> bool:
        """The event's rows; False when it changed nothing because it happened before."""
        match event.type:
            case RoomEventType.CLIENT_JOINED:
                assert event.participant is not None
                await room_rows.insert_participant(
                    tx,
                    event.participant,
                    event.meeting_id,
                    event.room_name,
                    event.session_id,
                    self._node_id,
                )
            case RoomEventType.CLIENT_LEFT:
                assert event.participant is not None
                assert event.reason is not None
                return await room_rows.mark_left(
                    tx, event.participant.id, event.at_ms, event.reason.value
                )
            case RoomEventType.SESSION_STARTED:
                assert event.session_id is not None
                await room_rows.insert_session(
                    tx,
                    event.session_id,
                    event.meeting_id,
                    event.room_name,
                    event.at_ms,
                    self._node_id,
                )
                await room_rows.attach_to_session(tx, list(event.present), event.session_id)
            case RoomEventType.SESSION_ENDED:
                assert event.session_id is not None
                return await room_rows.end_session(tx, event.session_id, event.at_ms)
            case RoomEventType.CLIENT_KNOCKED | RoomEventType.KNOCK_CANCELLED:
                pass  # knocks leave no history of their own; webhooks carry them
        return True
