"""Closing what a crashed process left open: at start-up, before any socket is accepted, every
participant the history still shows in a room gets its `room.client.left` (reason `timeout`,
like a connection that never came back) and every open session its `room.session.ended`, through
the one recorder, so webhooks and insights see each join and each session end.

Salon runs one node per database, so nothing open at start-up can belong to a live process.
A participant whose meeting is gone is closed in the history alone (a deleted room has no one to
tell).
"""

import logging
from collections import Counter, defaultdict

from salon.clock import Clock
from salon.ids import MeetingId, ParticipantId, RoomSessionId
from salon.meetings.model import Meeting
from salon.rooms.events import LeaveReason, RoomEvent, RoomEventType
from salon.rooms.recorder import RoomRecorder
from salon.rooms.state import Participant, Role
from salon.storage import meetings as meeting_rows
from salon.storage import open_history
from salon.storage import rooms as room_rows
from salon.storage.db import Database, Row

log = logging.getLogger(__name__)


def _participant(row: Row) -> Participant:
    return Participant(
        id=ParticipantId(row["id"]),
        display_name=row["display_name"],
        role=Role(row["role"]),
        joined_ms=int(row["joined_ms"]),
        external_id=row["external_id"],
        metadata=row["metadata"],
    )


async def close_orphans(db: Database, recorder: RoomRecorder, clock: Clock) -> tuple[int, int]:
    """Close what a previous process left open; (participants, sessions) closed."""
    participants = await open_history.open_participants(db)
    sessions = await open_history.open_sessions(db)
    if not participants and not sessions:
        return 0, 0
    meetings: dict[int, Meeting | None] = {}

    async def meeting_of(meeting_id: int) -> Meeting | None:
        if meeting_id not in meetings:
            meetings[meeting_id] = await meeting_rows.get_meeting_by_id(
                db, MeetingId(str(meeting_id))
            )
        return meetings[meeting_id]

    by_room: dict[str, list[Row]] = defaultdict(list)
    for row in participants:
        by_room[row["room_name"]].append(row)
    now = clock()
    for rows in by_room.values():
        left = Counter(str(row["role"]) for row in rows)
        for row in rows:
            left[str(row["role"])] -= 1
            meeting = await meeting_of(int(row["meeting_id"]))
            participant = _participant(row)
            if meeting is None:
                async with db.transaction() as tx:
                    await room_rows.mark_left(tx, participant.id, now, LeaveReason.TIMEOUT.value)
                continue
            session = row["room_session_id"]
            await recorder.record(
                RoomEvent(
                    RoomEventType.CLIENT_LEFT,
                    meeting,
                    now,
                    None if session is None else RoomSessionId(session),
                    participant=participant,
                    count_by_role={role: n for role, n in left.items() if n > 0},
                    reason=LeaveReason.TIMEOUT,
                )
            )
    for row in sessions:
        meeting = await meeting_of(int(row["meeting_id"]))
        session_id = RoomSessionId(row["id"])
        if meeting is None:
            async with db.transaction() as tx:
                await room_rows.end_session(tx, session_id, now)
            continue
        await recorder.record(RoomEvent(RoomEventType.SESSION_ENDED, meeting, now, session_id))
    log.warning(
        "closed %d participants and %d sessions left open by a previous process",
        len(participants),
        len(sessions),
    )
    return len(participants), len(sessions)
