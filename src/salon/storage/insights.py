"""Insights' reads over the room history (`room_sessions`, `room_participants`) and the quality
samples (`insight_segments`, `insight_samples`). Sums and counts are made by the database; each
page is one query, sorted there (`ORDER BY` over a named result, NULLs last on both engines)."""

from collections.abc import Sequence

from salon.ids import OrgId
from salon.storage.db import Database, Row, Transaction

_BOTS = "('recorder', 'streamer')"
_MINUTES = "COALESCE(SUM((COALESCE(p.left_ms, :now) - p.joined_ms + 59999) / 60000), 0)"


def _per(scope: str) -> str:
    """The per-room or per-session figures, as columns of a select over `scope`."""
    people = f"FROM room_participants p WHERE {scope} AND p.room_session_id IS NOT NULL"
    return (
        f"(SELECT {_MINUTES} {people} AND p.role NOT IN {_BOTS}) AS participant_minutes,"
        f" (SELECT {_MINUTES} {people} AND p.role = 'recorder') AS recorder_minutes,"
        f" (SELECT {_MINUTES} {people} AND p.role = 'streamer') AS streamer_minutes,"
        f" (SELECT COUNT(DISTINCT COALESCE(p.external_id, p.id)) {people}"
        f" AND p.role NOT IN {_BOTS}) AS unique_participants,"
        f" (SELECT COUNT(DISTINCT p.id) {people} AND p.role = 'recorder') AS unique_recorders,"
        f" (SELECT COUNT(DISTINCT p.id) {people} AND p.role = 'streamer') AS unique_streamers"
    )


def _order(column: str, descending: bool, tie: str) -> str:
    way = "DESC" if descending else "ASC"
    return (
        f" ORDER BY CASE WHEN r.{column} IS NULL THEN 1 ELSE 0 END, r.{column} {way}, r.{tie} {way}"
    )


async def list_rooms(
    db: Database,
    org_id: OrgId,
    *,
    exact: str | None,
    like: Sequence[str],
    created_from: int | None,
    created_to: int | None,
    sort_column: str,
    descending: bool,
    offset: int,
    limit: int,
    now_ms: int,
) -> list[Row]:
    """The organization's rooms with their figures; `like` are `LIKE` patterns (escaped with
    a backslash) the name must all match."""
    where = ["m.org_id = :org_id"]
    params: dict[str, object] = {"org_id": org_id, "now": now_ms, "limit": limit, "offset": offset}
    if exact is not None:
        where.append("m.room_name = :exact")
        params["exact"] = exact
    for index, pattern in enumerate(like):
        where.append(f"m.room_name LIKE :like{index} ESCAPE '\\'")
        params[f"like{index}"] = pattern
    if created_from is not None:
        where.append("m.created_ms >= :created_from")
        params["created_from"] = created_from
    if created_to is not None:
        where.append("m.created_ms <= :created_to")
        params["created_to"] = created_to
    room = "p.room_name = m.room_name"
    sessions = "FROM room_sessions s WHERE s.room_name = m.room_name"
    sql = (
        "SELECT * FROM (SELECT m.id, m.room_name, m.created_ms, m.end_ms,"
        f" (SELECT MIN(s.started_ms) {sessions}) AS first_started_ms,"
        f" (SELECT MAX(s.started_ms) {sessions}) AS last_started_ms,"
        f" (SELECT COUNT(*) {sessions}) AS total_sessions, {_per(room)}"
        f" FROM meetings m WHERE {' AND '.join(where)}) r"
        + _order(sort_column, descending, "id")
        + " LIMIT :limit OFFSET :offset"
    )
    return list(await db.fetch_all(sql, params))


async def list_sessions(
    db: Database,
    org_id: OrgId,
    room_name: str,
    session_id: str | None,
    *,
    sort_column: str,
    descending: bool,
    offset: int,
    limit: int,
    now_ms: int,
) -> list[Row]:
    params: dict[str, object] = {
        "org_id": org_id,
        "room": room_name,
        "now": now_ms,
        "limit": limit,
        "offset": offset,
    }
    chosen = ""
    if session_id is not None:
        chosen = " AND s.id = :session_id"
        params["session_id"] = session_id
    sql = (
        "SELECT * FROM (SELECT s.id, s.room_name, s.started_ms, s.ended_ms,"
        f" {_per('p.room_session_id = s.id')}"
        " FROM room_sessions s JOIN meetings m ON m.id = s.meeting_id"
        f" WHERE m.org_id = :org_id AND s.room_name = :room{chosen}) r"
        + _order(sort_column, descending, "id")
        + " LIMIT :limit OFFSET :offset"
    )
    return list(await db.fetch_all(sql, params))


async def list_participants(
    db: Database,
    org_id: OrgId,
    *,
    session_id: str | None,
    external_id: str | None,
    sort_column: str,
    descending: bool,
    offset: int,
    limit: int,
) -> list[Row]:
    where = ["m.org_id = :org_id", "p.room_session_id IS NOT NULL"]
    params: dict[str, object] = {"org_id": org_id, "limit": limit, "offset": offset}
    if session_id is not None:
        where.append("p.room_session_id = :session_id")
        params["session_id"] = session_id
    if external_id is not None:
        where.append("p.external_id = :external_id")
        params["external_id"] = external_id
    sql = (
        "SELECT * FROM (SELECT p.id, p.room_session_id, p.role, p.display_name, p.external_id,"
        " p.joined_ms, p.left_ms FROM room_participants p JOIN meetings m ON m.id = p.meeting_id"
        f" WHERE {' AND '.join(where)}) r"
        + _order(sort_column, descending, "id")
        + " LIMIT :limit OFFSET :offset"
    )
    return list(await db.fetch_all(sql, params))


async def get_participant(
    db: Database, org_id: OrgId, session_id: str, participant_id: str
) -> Row | None:
    return await db.fetch_one(
        "SELECT p.id, p.role, p.display_name, p.joined_ms, p.left_ms, g.user_agent"
        " FROM room_participants p JOIN meetings m ON m.id = p.meeting_id"
        " LEFT JOIN insight_segments g ON g.participant_id = p.id"
        " WHERE m.org_id = :org_id AND p.room_session_id = :session_id AND p.id = :id",
        {"org_id": org_id, "session_id": session_id, "id": participant_id},
    )


async def list_sample_rows(db: Database, participant_id: str) -> list[str]:
    rows = await db.fetch_all(
        "SELECT samples FROM insight_samples WHERE participant_id = :id ORDER BY first_ms",
        {"id": participant_id},
    )
    return [str(row["samples"]) for row in rows]


SAMPLE_ROWS_PER_STATEMENT = 200
"""Rows per multi-row INSERT: 800 bound values, well under both engines' limits."""


async def insert_samples(
    tx: Transaction,
    segments: Sequence[tuple[str, str, int]],
    chunks: Sequence[tuple[str, int, int, str]],
) -> None:
    """New segments (participant id, user agent, first sample time; kept if already there) and
    sample rows (participant id, first and last sample time, encoded samples)."""
    for start in range(0, len(segments), SAMPLE_ROWS_PER_STATEMENT):
        batch = segments[start : start + SAMPLE_ROWS_PER_STATEMENT]
        values = ", ".join(f"(:p{i}, :u{i}, :f{i})" for i in range(len(batch)))
        params: dict[str, object] = {}
        for i, (participant_id, user_agent, first_ms) in enumerate(batch):
            params.update({f"p{i}": participant_id, f"u{i}": user_agent, f"f{i}": first_ms})
        await tx.execute(
            "INSERT INTO insight_segments (participant_id, user_agent, first_ms)"
            f" VALUES {values} ON CONFLICT (participant_id) DO NOTHING",
            params,
        )
    for start in range(0, len(chunks), SAMPLE_ROWS_PER_STATEMENT):
        rows = chunks[start : start + SAMPLE_ROWS_PER_STATEMENT]
        values = ", ".join(f"(:p{i}, :f{i}, :l{i}, :s{i})" for i in range(len(rows)))
        params = {}
        for i, (participant_id, first_ms, last_ms, samples) in enumerate(rows):
            params.update(
                {f"p{i}": participant_id, f"f{i}": first_ms, f"l{i}": last_ms, f"s{i}": samples}
            )
        await tx.execute(
            "INSERT INTO insight_samples (participant_id, first_ms, last_ms, samples)"
            f" VALUES {values}",
            params,
        )


async def delete_older_than(tx: Transaction, cutoff_ms: int) -> int:
    deleted = await tx.execute(
        "DELETE FROM insight_samples WHERE last_ms < :cutoff", {"cutoff": cutoff_ms}
    )
    await tx.execute(
        "DELETE FROM insight_segments WHERE first_ms < :cutoff AND NOT EXISTS (SELECT 1"
        " FROM insight_samples s WHERE s.participant_id = insight_segments.participant_id)",
        {"cutoff": cutoff_ms},
    )
    return deleted
