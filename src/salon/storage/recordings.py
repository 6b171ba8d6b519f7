"""The `recordings` table: one row per cloud recording, from its start to its deletion."""

from collections.abc import Sequence

from salon.ids import MeetingId, OrgId, RoomName, RoomSessionId
from salon.recording.model import Recording, RecordingStatus, StorageKind
from salon.storage import org_rows
from salon.storage.db import Database, Row, Transaction

_COLUMNS = (
    "id, org_id, meeting_id, room_name, room_session_id, status, started_ms, ended_ms,"
    " file_format, filename, size_bytes, storage, location, raw_dir, destination, error"
)


def _recording(row: Row) -> Recording:
    return Recording(
        id=row["id"],
        org_id=OrgId(int(row["org_id"])),
        meeting_id=MeetingId(str(row["meeting_id"])),
        room_name=RoomName(row["room_name"]),
        room_session_id=None
        if row["room_session_id"] is None
        else RoomSessionId(row["room_session_id"]),
        status=RecordingStatus(row["status"]),
        started_ms=int(row["started_ms"]),
        ended_ms=None if row["ended_ms"] is None else int(row["ended_ms"]),
        file_format=row["file_format"],
        filename=row["filename"],
        size_bytes=None if row["size_bytes"] is None else int(row["size_bytes"]),
        storage=StorageKind(row["storage"]),
        location=row["location"],
        raw_dir=row["raw_dir"],
        destination=row["destination"],
        error=row["error"],
    )


async def insert_recording(tx: Transaction, recording: Recording) -> None:
    await tx.execute(
        f"INSERT INTO recordings ({_COLUMNS}, tracks) VALUES (:id, :org_id, :meeting_id,"
        " :room_name, :room_session_id, :status, :started_ms, NULL, :file_format, NULL, NULL,"
        " :storage, NULL, :raw_dir, :destination, NULL, '[]')",
        {
            "id": recording.id,
            "org_id": recording.org_id,
            "meeting_id": int(recording.meeting_id),
            "room_name": recording.room_name,
            "room_session_id": recording.room_session_id,
            "status": recording.status.value,
            "started_ms": recording.started_ms,
            "file_format": recording.file_format,
            "storage": recording.storage.value,
            "raw_dir": recording.raw_dir,
            "destination": recording.destination,
        },
    )


async def mark_stopped(tx: Transaction, recording_id: str, now_ms: int) -> None:
    await tx.execute(
        "UPDATE recordings SET status = 'processing', ended_ms = :now"
        " WHERE id = :id AND status = 'recording'",
        {"now": now_ms, "id": recording_id},
    )


async def mark_ready(
    tx: Transaction, recording_id: str, filename: str, size_bytes: int, location: str
) -> None:
    await tx.execute(
        "UPDATE recordings SET status = 'ready', filename = :filename, size_bytes = :size,"
        " location = :location, error = NULL WHERE id = :id",
        {"filename": filename, "size": size_bytes, "location": location, "id": recording_id},
    )


async def mark_failed(tx: Transaction, recording_id: str, error: str) -> None:
    await tx.execute(
        "UPDATE recordings SET status = 'failed', error = :error WHERE id = :id",
        {"error": error, "id": recording_id},
    )


async def mark_deleted(
    tx: Transaction, org_id: OrgId, ids: Sequence[str], now_ms: int
) -> list[str]:
    """The ids that were the organization's and not deleted yet."""
    return await org_rows.mark_deleted(tx, "recordings", org_id, ids, now_ms)


async def get_any(db: Database | Transaction, recording_id: str) -> Recording | None:
    """Whatever its organization or state (the composition job's view)."""
    row = await db.fetch_one(
        f"SELECT {_COLUMNS} FROM recordings WHERE id = :id", {"id": recording_id}
    )
    return None if row is None else _recording(row)


async def get_ready(db: Database, org_id: OrgId, recording_id: str) -> Recording | None:
    row = await db.fetch_one(
        f"SELECT {_COLUMNS} FROM recordings WHERE id = :id AND org_id = :org_id"
        " AND status = 'ready' AND deleted_ms IS NULL",
        {"id": recording_id, "org_id": org_id},
    )
    return None if row is None else _recording(row)


async def list_ready(
    db: Database,
    org_id: OrgId,
    room_name: str | None,
    order_by: str,
    offset: int,
    limit: int,
) -> list[Recording]:
    """`order_by` comes from `recording.model.sort_clause` (a fixed set), never from input."""
    rows = await org_rows.list_page(
        db, "recordings", _COLUMNS, org_id, room_name=room_name, order_by=order_by,
        offset=offset, limit=limit, only=" AND status = 'ready'",
    )  # fmt: skip
    return [_recording(row) for row in rows]


async def list_recent(db: Database, org_id: OrgId, limit: int) -> list[Recording]:
    """The organization's recordings in every state but deleted, newest first (the dashboard)."""
    rows = await db.fetch_all(
        f"SELECT {_COLUMNS} FROM recordings WHERE org_id = :org_id AND deleted_ms IS NULL"
        " ORDER BY started_ms DESC, id LIMIT :limit",
        {"org_id": org_id, "limit": limit},
    )
    return [_recording(row) for row in rows]


async def forget_files(tx: Transaction, recording_id: str) -> None:
    await tx.execute(
        "UPDATE recordings SET raw_dir = '', location = NULL WHERE id = :id", {"id": recording_id}
    )


async def is_deleted(db: Database, recording_id: str) -> bool:
    return await org_rows.is_deleted(db, "recordings", recording_id)
