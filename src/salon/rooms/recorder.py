"""Writes each room event durably: the one place room history and webhooks come from.

The history rows and the webhook outbox rows of an event commit in one transaction, so an event
is either recorded and queued for delivery, or neither.
"""

from collections.abc import Callable

from salon.orgs.service import OrgService
from salon.rooms.events import RoomEvent, RoomEventType
from salon.storage import rooms as room_rows
from salon.storage.db import Database
from salon.webhooks.service import WebhookService


class RoomRecorder:
    def __init__(
        self, db: Database, orgs: OrgService, on_queued: Callable[[], None] | None = None
    ) -> None:
        self._db = db
        self._orgs = orgs
        self._on_queued = on_queued

    async def record(self, event: RoomEvent) -> None:
        subdomain = (await self._orgs.get(event.meeting.org_id)).subdomain
        async with self._db.transaction() as tx:
            queued = await WebhookService.enqueue(tx, event, event.meeting, subdomain)
            match event.type:
                case RoomEventType.CLIENT_JOINED:
                    assert event.participant is not None
                    await room_rows.insert_participant(
                        tx, event.participant, event.meeting_id, event.room_name, event.session_id
                    )
                case RoomEventType.CLIENT_LEFT:
                    assert event.participant is not None
                    assert event.reason is not None
                    await room_rows.mark_left(
                        tx, event.participant.id, event.at_ms, event.reason.value
                    )
                case RoomEventType.SESSION_STARTED:
                    assert event.session_id is not None
                    await room_rows.insert_session(
                        tx, event.session_id, event.meeting_id, event.room_name, event.at_ms
                    )
                    await room_rows.attach_to_session(tx, list(event.present), event.session_id)
                case RoomEventType.SESSION_ENDED:
                    assert event.session_id is not None
                    await room_rows.end_session(tx, event.session_id, event.at_ms)
                case RoomEventType.CLIENT_KNOCKED | RoomEventType.KNOCK_CANCELLED:
                    pass  # knocks leave no history of their own; webhooks carry them
        if queued and self._on_queued is not None:
            self._on_queued()
