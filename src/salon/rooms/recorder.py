"""Writes each room event durably: the one place room history (and, next, webhooks) comes from."""

from salon.rooms.events import RoomEvent, RoomEventType
from salon.storage import rooms as room_rows
from salon.storage.db import Database


class RoomRecorder:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(self, event: RoomEvent) -> None:
        async with self._db.transaction() as tx:
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
                    pass  # knocks leave no history of their own; webhooks will carry them
