"""What happens in a room that the outside world hears about (records now, webhooks next). Pure.

`rooms/service.py` builds one of these for every join, leave, knock, knock cancel and session
start and end, and hands it to a single recorder, so that no event has two paths.
"""

from dataclasses import dataclass
from enum import StrEnum

from salon.ids import MeetingId, ParticipantId, RoomName, RoomSessionId
from salon.meetings.model import Meeting
from salon.rooms.state import Knocker, Participant


class RoomEventType(StrEnum):
    CLIENT_JOINED = "room.client.joined"
    CLIENT_LEFT = "room.client.left"
    CLIENT_KNOCKED = "room.client.knocked"
    KNOCK_CANCELLED = "room.client.knockCancelled"
    SESSION_STARTED = "room.session.started"
    SESSION_ENDED = "room.session.ended"


class LeaveReason(StrEnum):
    LEFT = "left"
    KICKED = "kicked"
    TIMEOUT = "timeout"
    MEETING_ENDED = "meeting-ended"
    MEETING_DELETED = "meeting-deleted"
    MEETING_OVER = "meeting-over"
    SERVER_STOPPED = "server-stopped"
    """The server shut down (SIGTERM); the page reconnects."""
    SERVER_LOST = "server-lost"
    """The server died (a crash, `kill -9`); closed on its next start, as of its last heartbeat."""


@dataclass(frozen=True, slots=True)
class RoomEvent:
    type: RoomEventType
    meeting: Meeting
    at_ms: int
    session_id: RoomSessionId | None
    participant: Participant | None = None
    knocker: Knocker | None = None
    count_by_role: dict[str, int] | None = None
    """Participants by role after the event (joins and leaves)."""
    reason: LeaveReason | None = None
    present: tuple[ParticipantId, ...] = ()
    """Who is in the room when a session starts: they belong to it."""

    @property
    def meeting_id(self) -> MeetingId:
        return self.meeting.meeting_id

    @property
    def room_name(self) -> RoomName:
        return self.meeting.room_name

    @property
    def num_clients(self) -> int | None:
        return None if self.count_by_role is None else sum(self.count_by_role.values())
