"""The `meetings` table. Deleted meetings stay as rows (room history), invisible to the API."""

from dataclasses import replace

from salon.ids import MeetingId, OrgId, RoomName
from salon.meetings.model import Meeting, RoomMode
from salon.storage.db import Database, Row, Transaction

_COLUMNS = (
    "id, org_id, room_name, room_mode, is_locked, start_ms, end_ms, created_ms, options,"
    " deactivated_ms, deleted_ms"
)


def _optional_int(value: object) -> int | None:
    return None if value is None else int(str(value))


def _meeting(row: Row) -> Meeting:
    return Meeting(
        meeting_id=MeetingId(str(row["id"])),
        org_id=OrgId(int(row["org_id"])),
        room_name=RoomName(row["room_name"]),
        room_mode=RoomMode(row["room_mode"]),
        is_locked=bool(row["is_locked"]),
        start_ms=int(row["start_ms"]),
        end_ms=int(row["end_ms"]),
        created_ms=int(row["created_ms"]),
        options=row["options"],
        deactivated_ms=_optional_int(row["deactivated_ms"]),
        deleted_ms=_optional_int(row["deleted_ms"]),
    )


def _numeric_id(meeting_id: str) -> int | None:
    """Meeting ids are decimal strings of the row id; anything else names no meeting."""
    if not meeting_id.isascii() or not meeting_id.isdigit() or len(meeting_id) > 18:
        return None
    return int(meeting_id)


async def insert_meeting(tx: Transaction, new: Meeting) -> Meeting | None:
    """The stored meeting, with the id the database gave it (`new` has none yet: `NOT_STORED`),
    or None when its room name is taken already."""
    row = await tx.fetch_one(
        "INSERT INTO meetings"
        " (org_id, room_name, room_mode, is_locked, start_ms, end_ms, created_ms, options)"
        " VALUES (:org_id, :room_name, :room_mode, :is_locked, :start_ms, :end_ms, :created_ms,"
        " :options)"
        " ON CONFLICT (room_name) DO NOTHING RETURNING id",
        {
            "org_id": new.org_id,
            "room_name": new.room_name,
            "room_mode": new.room_mode.value,
            "is_locked": new.is_locked,
            "start_ms": new.start_ms,
            "end_ms": new.end_ms,
            "created_ms": new.created_ms,
            "options": new.options,
        },
    )
    if row is None:
        return None
    return replace(new, meeting_id=MeetingId(str(row["id"])))


async def get_meeting(db: Database, org_id: OrgId, meeting_id: MeetingId) -> Meeting | None:
    numeric = _numeric_id(meeting_id)
    if numeric is None:
        return None
    row = await db.fetch_one(
        f"SELECT {_COLUMNS} FROM meetings"
        " WHERE id = :id AND org_id = :org_id AND deleted_ms IS NULL",
        {"id": numeric, "org_id": org_id},
    )
    return None if row is None else _meeting(row)


async def get_meeting_by_id(db: Database, meeting_id: MeetingId) -> Meeting | None:
    """Any organization's meeting, deleted or not: for room keys, which name only the meeting."""
    numeric = _numeric_id(meeting_id)
    if numeric is None:
        return None
    row = await db.fetch_one(f"SELECT {_COLUMNS} FROM meetings WHERE id = :id", {"id": numeric})
    return None if row is None else _meeting(row)


async def get_meeting_by_room(db: Database, room_name: RoomName) -> Meeting | None:
    row = await db.fetch_one(
        f"SELECT {_COLUMNS} FROM meetings WHERE room_name = :room_name", {"room_name": room_name}
    )
    return None if row is None else _meeting(row)


async def list_meetings(
    db: Database, org_id: OrgId, *, after_id: int, limit: int, name_prefix: str | None
) -> list[Meeting]:
    """Up to `limit` visible meetings with ids above `after_id`, oldest first."""
    params: dict[str, object] = {"org_id": org_id, "after_id": after_id, "limit": limit}
    prefix_clause = ""
    if name_prefix:
        prefix_clause = " AND substr(room_name, 1, :prefix_length) = :prefix"
        params |= {"prefix": name_prefix, "prefix_length": len(name_prefix)}
    rows = await db.fetch_all(
        f"SELECT {_COLUMNS} FROM meetings"
        " WHERE org_id = :org_id AND deleted_ms IS NULL AND id > :after_id"
        f"{prefix_clause} ORDER BY id LIMIT :limit",
        params,
    )
    return [_meeting(row) for row in rows]


async def delete_meeting(
    tx: Transaction, org_id: OrgId, meeting_id: MeetingId, now_ms: int
) -> RoomName | None:
    """The room name of the meeting this deleted, or None when there was nothing to delete."""
    numeric = _numeric_id(meeting_id)
    if numeric is None:
        return None
    row = await tx.fetch_one(
        "UPDATE meetings SET deleted_ms = :now"
        " WHERE id = :id AND org_id = :org_id AND deleted_ms IS NULL RETURNING room_name",
        {"now": now_ms, "id": numeric, "org_id": org_id},
    )
    return None if row is None else RoomName(row["room_name"])


async def deactivate_ended(tx: Transaction, ended_before_ms: int, now_ms: int) -> list[Meeting]:
    """Mark deactivated every meeting whose end lies before `ended_before_ms`."""
    rows = await tx.fetch_all(
        "UPDATE meetings SET deactivated_ms = :now"
        " WHERE end_ms < :ended_before AND deactivated_ms IS NULL"
        f" RETURNING {_COLUMNS}",
        {"now": now_ms, "ended_before": ended_before_ms},
    )
    return [_meeting(row) for row in rows]


async def delete_ended(tx: Transaction, ended_before_ms: int, now_ms: int) -> int:
    return await tx.execute(
        "UPDATE meetings SET deleted_ms = :now WHERE end_ms < :ended_before AND deleted_ms IS NULL",
        {"now": now_ms, "ended_before": ended_before_ms},
    )
