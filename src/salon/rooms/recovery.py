"""What a node left open when it died: closed on its next start, with their webhooks.

    running ──every HEARTBEAT_S──► room_nodes.alive_ms = now
    start after a crash ──► open participants and sessions of this node ──► left / ended as of
                            the last heartbeat (never before they began) ──► recorder (once each)

The recorder writes a leave or a session end only if the row is still open, in the same
transaction as its webhooks, so a recovery that is itself interrupted is finished by the next
start and never sends an event twice.
"""

import asyncio
import logging

from salon.clock import Clock
from salon.ids import MeetingId, ParticipantId, RoomName, RoomSessionId
from salon.meetings.model import Meeting, RoomRole
from salon.rooms.events import LeaveReason, RoomEvent, RoomEventType
from salon.rooms.recorder import RoomRecorder
from salon.rooms.state import Participant
from salon.storage import meetings as meeting_rows
from salon.storage import rooms as room_rows
from salon.storage.db import Database, Row

log = logging.getLogger(__name__)

HEARTBEAT_S = 5.0
"""How often a node writes that it is alive: what a crash can cost the recorded times."""


class NodeRecovery:
    def __init__(self, db: Database, recorder: RoomRecorder, clock: Clock, node_id: str) -> None:
        self._db = db
        self._recorder = recorder
        self._clock = clock
        self._node_id = node_id

    async def beat(self) -> None:
        await room_rows.heartbeat(self._db, self._node_id, self._clock())

    async def run_heartbeat(self, interval_s: float = HEARTBEAT_S) -> None:
        """Beat forever, surviving the database's hiccups."""
        while True:
            try:
                await self.beat()
            except Exception:
                log.exception("room heartbeat failed; retrying")
            await asyncio.sleep(interval_s)

    async def recover(self) -> int:
        """Close what this node left open; how many events that made."""
        alive = await room_rows.last_alive(self._db, self._node_id)
        participants = await room_rows.open_participants(self._db, self._node_id)
        sessions = await room_rows.open_sessions(self._db, self._node_id)
        if not participants and not sessions:
            return 0
        meetings: dict[int, Meeting | None] = {}
        present: dict[RoomName, list[Row]] = {}
        for row in participants:
            present.setdefault(RoomName(row["room_name"]), []).append(row)
        made = 0
        for row in participants:
            room = RoomName(row["room_name"])
            present[room].remove(row)
            meeting = await self._meeting(meetings, int(row["meeting_id"]))
            at_ms = max(alive or 0, int(row["joined_ms"]))
            if meeting is None:  # deleted for good since: history only, nobody to tell
                async with self._db.transaction() as tx:
                    await room_rows.mark_left(
                        tx, ParticipantId(row["id"]), at_ms, LeaveReason.SERVER_LOST.value
                    )
                continue
            counts: dict[str, int] = {}
            for other in present[room]:
                counts[other["role"]] = counts.get(other["role"], 0) + 1
            await self._recorder.record(
                RoomEvent(
                    type=RoomEventType.CLIENT_LEFT,
                    meeting=meeting,
                    at_ms=at_ms,
                    session_id=_session(row["room_session_id"]),
                    participant=_participant(row),
                    count_by_role=counts,
                    reason=LeaveReason.SERVER_LOST,
                )
            )
            made += 1
        for row in sessions:
            meeting = await self._meeting(meetings, int(row["meeting_id"]))
            at_ms = max(alive or 0, int(row["started_ms"]))
            session_id = RoomSessionId(row["id"])
            if meeting is None:
                async with self._db.transaction() as tx:
                    await room_rows.end_session(tx, session_id, at_ms)
                continue
            await self._recorder.record(
                RoomEvent(RoomEventType.SESSION_ENDED, meeting, at_ms, session_id)
            )
            made += 1
        log.warning(
            "closed %d participants and %d sessions left open by node %r when it stopped",
            len(participants),
            len(sessions),
            self._node_id,
        )
        return made

    async def _meeting(self, cache: dict[int, Meeting | None], meeting_id: int) -> Meeting | None:
        if meeting_id not in cache:
            cache[meeting_id] = await meeting_rows.get_meeting_by_id(
                self._db, MeetingId(str(meeting_id))
            )
        return cache[meeting_id]


def _session(value: str | None) -> RoomSessionId | None:
    return None if value is None else RoomSessionId(value)


def _participant(row: Row) -> Participant:
    return Participant(
        id=ParticipantId(row["id"]),
        display_name=row["display_name"],
        role=RoomRole(row["role"]),
        joined_ms=int(row["joined_ms"]),
        external_id=row["external_id"],
        metadata=row["metadata"],
    )
