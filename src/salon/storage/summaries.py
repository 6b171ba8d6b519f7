"""The `summaries` table: at most one live summary per transcript (a unique index over the rows
not deleted, migration 0012). Reads join the transcript for its room, session and times."""

import json
from collections.abc import Sequence

from salon.ids import OrgId, RoomName, RoomSessionId
from salon.storage.db import Database, Row, Transaction
from salon.summaries.model import Summary, SummaryState, Template

_SELECT = (
    "SELECT s.id, s.org_id, s.transcription_id, s.template, s.state, s.summary, s.created_ms,"
    " s.modified_ms, s.summariser, s.error, t.room_name, t.room_session_id, t.started_ms,"
    " t.ended_ms FROM summaries s JOIN transcriptions t ON t.id = s.transcription_id"
)


def _summary(row: Row) -> Summary:
    return Summary(
        id=row["id"],
        org_id=OrgId(int(row["org_id"])),
        transcription_id=row["transcription_id"],
        template=Template(row["template"]),
        state=SummaryState(row["state"]),
        summary=json.loads(row["summary"]),
        created_ms=int(row["created_ms"]),
        modified_ms=int(row["modified_ms"]),
        summariser=row["summariser"],
        error=row["error"],
        room_name=RoomName(row["room_name"]),
        room_session_id=None
        if row["room_session_id"] is None
        else RoomSessionId(row["room_session_id"]),
        started_ms=int(row["started_ms"]),
        ended_ms=int(row["ended_ms"]),
    )


async def insert_summary(
    tx: Transaction,
    summary_id: str,
    org_id: OrgId,
    transcription_id: str,
    template: Template,
    summary: str,
    summariser: str,
    now_ms: int,
) -> None:
    await tx.execute(
        "INSERT INTO summaries (id, org_id, transcription_id, template, state, summary,"
        " created_ms, modified_ms, summariser) VALUES (:id, :org_id, :transcription_id,"
        " :template, 'in_progress', :summary, :now, :now, :summariser)",
        {
            "id": summary_id,
            "org_id": org_id,
            "transcription_id": transcription_id,
            "template": template.value,
            "summary": summary,
            "now": now_ms,
            "summariser": summariser,
        },
    )


async def live_for(db: Database | Transaction, transcription_id: str) -> str | None:
    """The id of the transcript's summary that is not deleted, if there is one."""
    row = await db.fetch_one(
        "SELECT id FROM summaries WHERE transcription_id = :id AND deleted_ms IS NULL",
        {"id": transcription_id},
    )
    return None if row is None else str(row["id"])


async def mark_ready(tx: Transaction, summary_id: str, summary: str, now_ms: int) -> None:
    await tx.execute(
        "UPDATE summaries SET state = 'ready', summary = :summary, modified_ms = :now,"
        " error = NULL WHERE id = :id",
        {"summary": summary, "now": now_ms, "id": summary_id},
    )


async def mark_failed(tx: Transaction, summary_id: str, error: str, now_ms: int) -> None:
    await tx.execute(
        "UPDATE summaries SET state = 'failed', error = :error, modified_ms = :now WHERE id = :id",
        {"error": error, "now": now_ms, "id": summary_id},
    )


async def mark_deleted(tx: Transaction, org_id: OrgId, summary_id: str, now_ms: int) -> None:
    await tx.execute(
        "UPDATE summaries SET deleted_ms = :now"
        " WHERE id = :id AND org_id = :org_id AND deleted_ms IS NULL",
        {"now": now_ms, "id": summary_id, "org_id": org_id},
    )


async def delete_for_transcriptions(
    tx: Transaction, transcription_ids: Sequence[str], now_ms: int
) -> None:
    for transcription_id in transcription_ids:
        await tx.execute(
            "UPDATE summaries SET deleted_ms = :now"
            " WHERE transcription_id = :id AND deleted_ms IS NULL",
            {"now": now_ms, "id": transcription_id},
        )


async def get_any(db: Database | Transaction, summary_id: str) -> Summary | None:
    row = await db.fetch_one(
        f"{_SELECT} WHERE s.id = :id AND s.deleted_ms IS NULL", {"id": summary_id}
    )
    return None if row is None else _summary(row)


async def get(db: Database, org_id: OrgId, summary_id: str) -> Summary | None:
    row = await db.fetch_one(
        f"{_SELECT} WHERE s.id = :id AND s.org_id = :org_id AND s.deleted_ms IS NULL",
        {"id": summary_id, "org_id": org_id},
    )
    return None if row is None else _summary(row)


async def list_summaries(
    db: Database, org_id: OrgId, order_by: str, offset: int, limit: int
) -> list[Summary]:
    """`order_by` is a fixed clause over `s` and `t` (the service's), never from input."""
    rows = await db.fetch_all(
        f"{_SELECT} WHERE s.org_id = :org_id AND s.deleted_ms IS NULL"
        f" ORDER BY {order_by} LIMIT :limit OFFSET :offset",
        {"org_id": org_id, "limit": limit, "offset": offset},
    )
    return [_summary(row) for row in rows]


async def list_for_transcription(
    db: Database, org_id: OrgId, transcription_id: str
) -> list[Summary]:
    """The transcript's summaries not deleted (one at most), newest first."""
    rows = await db.fetch_all(
        f"{_SELECT} WHERE s.transcription_id = :id AND s.org_id = :org_id"
        " AND s.deleted_ms IS NULL ORDER BY s.created_ms DESC, s.id",
        {"id": transcription_id, "org_id": org_id},
    )
    return [_summary(row) for row in rows]
