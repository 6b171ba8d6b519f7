"""How a room refuses: the error codes of the room protocol, and the refusal the service raises.
Pure.

    rooms ──raise Refused(code, message, closing?, answer?)──► signaling endpoint ──► `error`
                                                                (or `answer`), then maybe a close

The codes are the room protocol's vocabulary (docs/signaling-protocol.md); the HTTP API's are
`salon.errors.ApiErrorCode`, a different contract.
"""

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from salon.rooms.notices import Closing, Notice


class RoomErrorCode(StrEnum):
    BAD_FRAME = "bad_frame"
    UNKNOWN_TYPE = "unknown_type"
    BAD_FIELD = "bad_field"
    NOT_JOINED = "not_joined"
    ALREADY_JOINED = "already_joined"
    NOT_ALLOWED = "not_allowed"
    NO_SUCH_PARTICIPANT = "no_such_participant"
    NO_SUCH_ROOM = "no_such_room"
    UNSUPPORTED_VERSION = "unsupported_version"
    SLOW_DOWN = "slow_down"
    NO_SFU = "no_sfu"
    WAITING_ROOM_FULL = "waiting_room_full"


class Refused(Exception):
    """A command the room refuses: the endpoint answers `error` (or `answer`), and closes the
    connection when `closing` is set."""

    def __init__(
        self,
        code: RoomErrorCode,
        message: str,
        closing: "Closing | None" = None,
        *,
        answer: "Notice | None" = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.closing = closing
        self.answer = answer
        """A notice sent instead of `error` (e.g. `RoomFull`)."""
