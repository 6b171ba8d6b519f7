"""How each reason for leaving closes the connection. Pure."""

from salon.rooms.events import LeaveReason
from salon.rooms.notices import Closing

_CLOSING_FOR = {
    LeaveReason.KICKED: Closing.REMOVED,
    LeaveReason.MEETING_ENDED: Closing.MEETING_ENDED,
    LeaveReason.MEETING_DELETED: Closing.MEETING_OVER,
    LeaveReason.MEETING_OVER: Closing.MEETING_OVER,
    LeaveReason.LEFT: Closing.LEFT,
    LeaveReason.SERVER_STOPPED: Closing.SERVICE_RESTART,
}

SILENT_REASONS = frozenset({LeaveReason.LEFT, LeaveReason.SERVER_STOPPED})
"""Reasons the person is not sent `Removed` for: they left, or their page should reconnect
(`Removed` is final for a page)."""


def closing_for(reason: LeaveReason) -> Closing:
    return _CLOSING_FOR.get(reason, Closing.NORMAL)
