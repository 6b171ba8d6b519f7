"""The rules of a meeting: dates, its time window, room names and room URLs. Pure.

A meeting lives from creation until `ROOM_LIFETIME_AFTER_END` after its end date; host and viewer
keys and in-room webhooks count only inside its time window, which opens `WINDOW_SLACK` before the
start and closes `WINDOW_SLACK` after the end (docs/whereby-compatibility.md: "Dates", "Time
window", "Room names", "Room modes and capacities", "Room URLs").
"""

import base64
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from salon.clock import MS_PER_HOUR
from salon.errors import InvalidInput
from salon.ids import MeetingId, OrgId, RoomName

WINDOW_SLACK_MS = MS_PER_HOUR
DEACTIVATE_AFTER_END_MS = MS_PER_HOUR
DELETE_AFTER_END_MS = 24 * MS_PER_HOUR

ROOM_NAME_PREFIX_MAX = 39
HUMAN_SHORT_LENGTH = 6
# Letters and digits that are hard to confuse when read aloud or written down: no 0/o, 1/l/i.
HUMAN_SHORT_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"

_PREFIX_RE = re.compile(r"[a-z0-9-]*")
_T = TypeVar("_T")
_WHITESPACE_RE = re.compile(r"\s+")
_DATE_TIME_RE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|z|[+-][0-9]{2}:?[0-9]{2})?",
    re.ASCII,
)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# The range a date can be written back in ISO 8601 (a UTC offset can push a valid input past it).
_FIRST_MS = (datetime(1, 1, 1, tzinfo=UTC) - _EPOCH) // timedelta(milliseconds=1)
_LAST_MS = (datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=UTC) - _EPOCH) // timedelta(
    milliseconds=1
)


class RoomMode(StrEnum):
    NORMAL = "normal"
    GROUP = "group"


class RoomNamePattern(StrEnum):
    UUID = "uuid"
    HUMAN_SHORT = "human-short"


class RoomRole(StrEnum):
    """Who someone is in a room. A `roomKey` carries one of `KEY_ROLES`; the others come from
    elsewhere (no key, a host's admission, a dashboard account, a cloud recording)."""

    HOST = "host"
    VIEWER = "viewer"
    VISITOR = "visitor"
    GRANTED_VISITOR = "granted_visitor"
    OWNER = "owner"
    """Signed in to the organization's dashboard as an owner, in the same browser."""
    MEMBER = "member"
    """Signed in to the organization's dashboard as a member, in the same browser."""
    RECORDER = "recorder"
    """A cloud recording, as webhooks report it; never a connection of its own."""
    STREAMER = "streamer"
    """A live stream to RTMP, as webhooks report it; never a connection of its own."""


KEY_ROLES = frozenset({RoomRole.HOST, RoomRole.VIEWER})
"""The roles a `roomKey` can carry."""


class UrlField(StrEnum):
    """Optional response fields a caller can ask for."""

    HOST_ROOM_URL = "hostRoomUrl"
    VIEWER_ROOM_URL = "viewerRoomUrl"
    DIAL_IN = "dialIn"


ROOM_CAPACITY = {RoomMode.NORMAL: 4, RoomMode.GROUP: 200}
GROUP_VIEWER_CAPACITY = 400


# --- dates -------------------------------------------------------------------------------------


def parse_date_time(field: str, value: str) -> int:
    """An ISO 8601 date-time as epoch milliseconds; UTC unless the value carries an offset."""
    if not _DATE_TIME_RE.fullmatch(value):
        raise InvalidInput(
            f"{field} must be an ISO 8601 date-time such as 2021-08-11T07:56:01-05:00"
        )
    if value.endswith("z"):  # RFC 3339 allows it; fromisoformat does not
        value = value[:-1] + "Z"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{field} is not a valid date-time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    # Integer arithmetic: a float timestamp loses a millisecond for some dates.
    epoch_ms = (parsed - _EPOCH) // timedelta(milliseconds=1)
    if not _FIRST_MS <= epoch_ms <= _LAST_MS:
        raise InvalidInput(f"{field} must lie between the years 1 and 9999 in UTC")
    return epoch_ms


def format_date_time(epoch_ms: int) -> str:
    """UTC with milliseconds, as Whereby returns it: `2021-08-11T12:56:01.000Z`."""
    moment = datetime.fromtimestamp(epoch_ms // 1000, tz=UTC).replace(
        microsecond=epoch_ms % 1000 * 1000
    )
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def check_dates(start_ms: int, end_ms: int, now_ms: int) -> None:
    if end_ms < now_ms:
        raise InvalidInput("endDate must not be in the past")
    if end_ms <= start_ms:
        raise InvalidInput("endDate must be later than startDate")


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """When host and viewer keys grant their role and in-room webhooks are sent."""

    opens_ms: int
    closes_ms: int

    @classmethod
    def of(cls, start_ms: int, end_ms: int) -> "TimeWindow":
        return cls(start_ms - WINDOW_SLACK_MS, end_ms + WINDOW_SLACK_MS)

    def contains(self, now_ms: int) -> bool:
        return self.opens_ms <= now_ms <= self.closes_ms


# --- room names and URLs ---------------------------------------------------------------------


def normalize_prefix(prefix: str) -> str:
    """Lower-case, whitespace removed, then `[a-z0-9-]{0,39}` or an error naming the field."""
    cleaned = _WHITESPACE_RE.sub("", prefix).lower()
    if len(cleaned) > ROOM_NAME_PREFIX_MAX:
        raise InvalidInput(f"roomNamePrefix must be at most {ROOM_NAME_PREFIX_MAX} characters")
    if not _PREFIX_RE.fullmatch(cleaned):
        raise InvalidInput("roomNamePrefix may contain only letters a-z, digits 0-9 and hyphens")
    return cleaned


def check_name_filter(value: str) -> str:
    """A `roomName[startsWith]` filter: any printable text (no room name holds anything else)."""
    if not value.isprintable():
        raise InvalidInput("roomName[startsWith] must not contain control characters")
    return value


def generate_room_name(prefix: str, pattern: RoomNamePattern) -> RoomName:
    """`/` + the normalized prefix joined, without a separator, to a random part."""
    if pattern is RoomNamePattern.HUMAN_SHORT:
        random_part = "".join(
            secrets.choice(HUMAN_SHORT_ALPHABET) for _ in range(HUMAN_SHORT_LENGTH)
        )
    else:
        random_part = str(uuid.uuid4())
    return RoomName(f"/{prefix}{random_part}")


def organization_base_url(public_url: str, subdomain: str, base_domain: str | None) -> str:
    """The server's public URL, or `https://<subdomain>.<base domain>` for multi-org hosting."""
    if base_domain:
        return f"https://{subdomain}.{base_domain}"
    return public_url.rstrip("/")


def room_url(base_url: str, room_name: RoomName) -> str:
    return base_url + room_name


def keyed_room_url(url: str, room_key: str) -> str:
    return f"{url}?roomKey={room_key}"


# --- the stored meeting ------------------------------------------------------------------------


NOT_STORED = MeetingId("")
"""The id of a meeting about to be inserted: the database assigns the real one."""


@dataclass(frozen=True, slots=True)
class Meeting:
    meeting_id: MeetingId
    """`NOT_STORED` until the database gives the meeting its id."""
    org_id: OrgId
    room_name: RoomName
    room_mode: RoomMode
    is_locked: bool
    start_ms: int
    end_ms: int
    created_ms: int
    options: str
    """The creation options Salon stores for later features (recording, streaming, ...), as JSON."""
    deactivated_ms: int | None = None
    deleted_ms: int | None = None

    @property
    def window(self) -> TimeWindow:
        return TimeWindow.of(self.start_ms, self.end_ms)

    def is_active(self) -> bool:
        return self.deactivated_ms is None and self.deleted_ms is None


# --- list cursors --------------------------------------------------------------------------


def encode_cursor(after_id: int) -> str:
    return base64.urlsafe_b64encode(f"after:{after_id}".encode()).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The row id a cursor continues after; `InvalidInput` for anything Salon did not issue."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (ValueError, UnicodeDecodeError):
        text = ""
    label, _, number = text.partition(":")
    if label != "after" or not number.isdigit() or len(number) > 18:
        raise InvalidInput("cursor is not valid: pass the cursor of a previous page")
    return int(number)


@dataclass(frozen=True, slots=True)
class PageQuery:
    """What a listing of an organization's items (recordings, transcriptions) asks for: a room
    (or every room), where the last page ended, how many, and in what order (Whereby's
    `roomName`, `cursor`, `limit`, `sortBy`)."""

    room_name: str | None
    cursor: str | None
    limit: int
    sort_by: str | None


def offset_of(cursor: str | None) -> int:
    """Where an offset-paged list continues: its start with no cursor."""
    return 0 if cursor is None else decode_cursor(cursor)


def offset_page(found: list[_T], offset: int, limit: int) -> tuple[list[_T], str | None]:
    """The page of rows fetched `limit + 1` at `offset`, and the cursor of the next if any."""
    more = len(found) > limit
    return found[:limit], encode_cursor(offset + limit) if more else None
