"""Recordings and the rules about them: names, sorting, and signed access links. Pure."""

import hashlib
import hmac
import re
from dataclasses import dataclass
from enum import StrEnum

from salon.errors import InvalidInput
from salon.ids import MeetingId, OrgId, RoomName, RoomSessionId
from salon.meetings.model import format_date_time

ACCESS_LINK_DEFAULT_S = 3600
ACCESS_LINK_MAX_S = 43_200
BYTES_PER_MEGABYTE = 1_000_000
FEEDS_FILE = "feeds.json"
"""Beside the tracks: whose each feed is and which of its streams is a screen share."""
FILE_PATH = "/_salon/recordings/"
"""Where access links point: `FILE_PATH<recordingId>?expires=…&signature=…`."""


class RecordingStatus(StrEnum):
    RECORDING = "recording"
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"


class StorageKind(StrEnum):
    LOCAL = "local"
    """Salon's data folder (Whereby's `provider: "whereby"`)."""
    S3 = "s3"


@dataclass(frozen=True, slots=True)
class Recording:
    id: str
    org_id: OrgId
    meeting_id: MeetingId
    room_name: RoomName
    room_session_id: RoomSessionId | None
    status: RecordingStatus
    started_ms: int
    ended_ms: int | None
    file_format: str
    filename: str | None
    size_bytes: int | None
    storage: StorageKind
    location: str | None
    """A path under the data folder, or the object's key in the bucket."""
    raw_dir: str
    destination: str
    """JSON: the S3 destination the meeting named when the recording started, or `{}`."""
    error: str | None


def composite_filename(room_name: RoomName, started_ms: int, file_format: str) -> str:
    """`[room name]-[start ISO].mp4`, as Whereby names cloud recordings."""
    return f"{room_name.lstrip('/')}-{format_date_time(started_ms)}.{file_format}"


_SORTABLE = {
    "roomName": "room_name",
    "startDate": "started_ms",
    "duration": "(ended_ms - started_ms)",
    "sizeInMegaBytes": "size_bytes",
}


def sort_clause(sort_by: str | None) -> str:
    """`field:asc|desc` (Whereby's `sortBy`) as an ORDER BY clause; newest first by default."""
    if sort_by is None or not sort_by:
        return "started_ms DESC, id"
    field, _, direction = sort_by.partition(":")
    direction = direction or "asc"
    if field not in _SORTABLE or direction not in ("asc", "desc"):
        raise InvalidInput(
            "sortBy must be one of roomName, startDate, duration, sizeInMegaBytes,"
            " followed by :asc or :desc (e.g. startDate:desc)"
        )
    return f"{_SORTABLE[field]} {direction.upper()}, id"


def check_valid_for(seconds: int) -> int:
    if not 1 <= seconds <= ACCESS_LINK_MAX_S:
        raise InvalidInput(f"validForSeconds must be between 1 and {ACCESS_LINK_MAX_S}")
    return seconds


def link_signature(secret: bytes, recording_id: str, expires_ms: int) -> str:
    return hmac.new(secret, f"{recording_id}.{expires_ms}".encode(), hashlib.sha256).hexdigest()


def signed_query(secret: bytes, signed_id: str, expires_ms: int) -> str:
    """The query string of an access link to `signed_id` (an id, or a scoped id)."""
    return f"expires={expires_ms}&signature={link_signature(secret, signed_id, expires_ms)}"


def access_path(secret: bytes, recording_id: str, expires_ms: int) -> str:
    return f"{FILE_PATH}{recording_id}?{signed_query(secret, recording_id, expires_ms)}"


_HEX = re.compile(r"[0-9a-f]{64}")


def link_is_valid(
    secret: bytes, recording_id: str, expires: str, signature: str, now_ms: int
) -> bool:
    """A link Salon signed for this recording, not yet expired (compared in constant time)."""
    if not expires.isdigit() or len(expires) > 15 or not _HEX.fullmatch(signature):
        return False
    expected = link_signature(secret, recording_id, int(expires))
    return hmac.compare_digest(expected, signature) and now_ms < int(expires)


def render_recording(recording: Recording) -> dict[str, object]:
    """Whereby's Recording object."""
    ended = recording.ended_ms if recording.ended_ms is not None else recording.started_ms
    return {
        "recordingId": recording.id,
        "roomSessionId": recording.room_session_id,
        "roomName": recording.room_name,
        "filename": recording.filename,
        "startDate": format_date_time(recording.started_ms),
        "endDate": format_date_time(ended),
        "sizeInMegaBytes": round((recording.size_bytes or 0) / BYTES_PER_MEGABYTE, 3),
    }
