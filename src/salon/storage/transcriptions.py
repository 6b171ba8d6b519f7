"""The `transcriptions` table: one row per transcript, from its request to its deletion."""

from collections.abc import Sequence

from salon.ids import OrgId, RoomName, RoomSessionId
from salon.storage import org_rows
from salon.storage.db import Database, Row, Transaction
from salon.transcription.model import Transcription, TranscriptionState, TranscriptionType

_COLUMNS = (
    "id, org_id, recording_id, room_name, room_session_id, kind, state, created_ms, started_ms,"
    " ended_ms, filename, location, duration_ms, engine, error"
)


def _transcription(row: Row) -> Transcription:
    return Transcription(
        id=row["id"],
        org_id=OrgId(int(row["org_id"])),
        recording_id=row["recording_id"],
        room_name=RoomName(row["room_name"]),
        room_session_id=None
        if row["room_session_id"] is None
        else RoomSessionId(row["room_session_id"]),
        kind=TranscriptionType(row["kind"]),
        state=TranscriptionState(row["state"]),
        created_ms=int(row["created_ms"]),
        started_ms=int(row["started_ms"]),
        ended_ms=int(row["ended_ms"]),
        filename=row["filename"],
        location=row["location"],
        duration_ms=None if row["duration_ms"] is None else int(row["duration_ms"]),
        engine=row["engine"],
        error=row["error"],
    )


async def insert_transcription(tx: Transaction, transcription: Transcription) -> None:
    await tx.execute(
        f"INSERT INTO transcriptions ({_COLUMNS}) VALUES (:id, :org_id, :recording_id,"
        " :room_name, :room_session_id, :kind, :state, :created_ms, :started_ms, :ended_ms,"
        " NULL, NULL, NULL, :engine, NULL)",
        {
            "id": transcription.id,
            "org_id": transcription.org_id,
            "recording_id": transcription.recording_id,
            "room_name": transcription.room_name,
            "room_session_id": transcription.room_session_id,
            "kind": transcription.kind.value,
            "state": transcription.state.value,
            "created_ms": transcription.created_ms,
            "started_ms": transcription.started_ms,
            "ended_ms": transcription.ended_ms,
            "engine": transcription.engine,
        },
    )


async def mark_ready(
    tx: Transaction,
    transcription_id: str,
    filename: str,
    location: str,
    duration_ms: int,
    ended_ms: int | None = None,
) -> None:
    """Ready, with its file; `ended_ms` when it was not known at the start (live ones)."""
    await tx.execute(
        "UPDATE transcriptions SET state = 'ready', filename = :filename, location = :location,"
        " duration_ms = :duration, error = NULL, ended_ms = COALESCE(:ended, ended_ms)"
        " WHERE id = :id",
        {
            "filename": filename,
            "location": location,
            "duration": duration_ms,
            "ended": ended_ms,
            "id": transcription_id,
        },
    )


async def mark_failed(tx: Transaction, transcription_id: str, error: str) -> None:
    await tx.execute(
        "UPDATE transcriptions SET state = 'failed', error = :error WHERE id = :id",
        {"error": error, "id": transcription_id},
    )


async def mark_deleted(
    tx: Transaction, org_id: OrgId, ids: Sequence[str], now_ms: int
) -> list[str]:
    """The ids that were the organization's and not deleted yet."""
    return await org_rows.mark_deleted(tx, "transcriptions", org_id, ids, now_ms)


async def get_any(db: Database | Transaction, transcription_id: str) -> Transcription | None:
    """Whatever its organization, state or deletion (the jobs' view)."""
    row = await db.fetch_one(
        f"SELECT {_COLUMNS} FROM transcriptions WHERE id = :id", {"id": transcription_id}
    )
    return None if row is None else _transcription(row)


async def get(
    db: Database | Transaction, org_id: OrgId, transcription_id: str
) -> Transcription | None:
    row = await db.fetch_one(
        f"SELECT {_COLUMNS} FROM transcriptions WHERE id = :id AND org_id = :org_id"
        " AND deleted_ms IS NULL",
        {"id": transcription_id, "org_id": org_id},
    )
    return None if row is None else _transcription(row)


async def list_transcriptions(
    db: Database, org_id: OrgId, room_name: str | None, order_by: str, offset: int, limit: int
) -> list[Transcription]:
    """`order_by` comes from `transcription.model.sort_clause` (a fixed set), never from input."""
    rows = await org_rows.list_page(
        db, "transcriptions", _COLUMNS, org_id, room_name=room_name, order_by=order_by,
        offset=offset, limit=limit,
    )  # fmt: skip
    return [_transcription(row) for row in rows]


async def list_recent(db: Database, org_id: OrgId, limit: int) -> list[Transcription]:
    """The organization's transcripts in every state but deleted, newest first (the dashboard)."""
    rows = await db.fetch_all(
        f"SELECT {_COLUMNS} FROM transcriptions WHERE org_id = :org_id AND deleted_ms IS NULL"
        " ORDER BY created_ms DESC, id LIMIT :limit",
        {"org_id": org_id, "limit": limit},
    )
    return [_transcription(row) for row in rows]


async def is_deleted(db: Database, transcription_id: str) -> bool:
    return await org_rows.is_deleted(db, "transcriptions", transcription_id)


async def forget_file(tx: Transaction, transcription_id: str) -> None:
    await tx.execute(
        "UPDATE transcriptions SET location = NULL WHERE id = :id", {"id": transcription_id}
    )


async def display_names(db: Database, participant_ids: Sequence[str]) -> dict[str, str]:
    """The display names the participants joined with (room history)."""
    if not participant_ids:
        return {}
    names, bound = org_rows.bound_list("p", participant_ids)
    rows = await db.fetch_all(
        f"SELECT id, display_name FROM room_participants WHERE id IN ({names})", bound
    )
    return {row["id"]: row["display_name"] for row in rows}
