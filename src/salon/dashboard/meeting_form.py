"""The meeting form's fields turned into the API's `MeetingRequest`, each problem named by the
field it belongs to. Pure."""

from salon.errors import InvalidInput
from salon.meetings.model import RoomMode, RoomNamePattern, normalize_prefix, parse_date_time
from salon.meetings.service import MeetingRequest


def _date(field: str, value: str) -> int:
    """A `datetime-local` value (no zone: the form says UTC), or any ISO 8601 date-time."""
    value = value.strip()
    if len(value) == 16:  # 2026-03-01T12:00
        value += ":00Z"
    return parse_date_time(field, value)


def meeting_request(
    values: dict[str, str], checked: set[str]
) -> tuple[MeetingRequest | None, dict[str, str]]:
    """The request, or the errors by field name."""
    errors: dict[str, str] = {}
    end_ms = start_ms = None
    try:
        if not values.get("endDate", "").strip():
            raise InvalidInput("choose when the meeting ends")
        end_ms = _date("endDate", values["endDate"])
    except InvalidInput as invalid:
        errors["endDate"] = invalid.message
    try:
        if values.get("startDate", "").strip():
            start_ms = _date("startDate", values["startDate"])
    except InvalidInput as invalid:
        errors["startDate"] = invalid.message
    prefix = ""
    try:
        prefix = normalize_prefix(values.get("roomNamePrefix", ""))
    except InvalidInput as invalid:
        errors["roomNamePrefix"] = invalid.message
    try:
        mode = RoomMode(values.get("roomMode") or "normal")
    except ValueError:
        errors["roomMode"] = "the room mode is normal or group"
        mode = RoomMode.NORMAL
    try:
        pattern = RoomNamePattern(values.get("roomNamePattern") or "uuid")
    except ValueError:
        errors["roomNamePattern"] = "the room name pattern is uuid or human-short"
        pattern = RoomNamePattern.UUID
    if errors or end_ms is None:
        return None, errors
    return (
        MeetingRequest(
            end_ms=end_ms,
            start_ms=start_ms,
            is_locked="isLocked" in checked,
            room_mode=mode,
            room_name_prefix=prefix,
            room_name_pattern=pattern,
            viewer_mode="viewerMode" in checked,
            fields=frozenset(),
            options="{}",
        ),
        {},
    )


def field_of_date_error(message: str) -> str:
    """Which field a date rule names (`check_dates` speaks of endDate and startDate)."""
    return "startDate" if message.startswith("startDate") else "endDate"
