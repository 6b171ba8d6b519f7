"""The `room_sessions` and `room_participants` tables: what happened in each room; and
`room_nodes`: when each node (server process) was last known to be alive."""

from salon.ids import MeetingId, ParticipantId, RoomName, RoomSessionId
from salon.rooms.state import Participant
from salon.storage.db import Database, Row, Transaction


async def insert_session(
    tx: Transaction,
    session_id: RoomSessionId,
    meeting_id: MeetingId,
    room: RoomName,
    now_ms: int,
    node_id: str | None = None,
) -> None:
    await tx.execute(
        "INSERT INTO room_sessions (id, meeting_id, room_name, started_ms, node_id)"
        " VALUES (:id, :meeting_id, :room_name, :now, :node_id)",
        {
            "id": session_id,
            "meeting_id": int(meeting_id),
            "room_name": room,
            "now": now_ms,
            "node_id": node_id,
        },
    )


async def end_session(tx: Transaction, session_id: RoomSessionId, now_ms: int) -> bool:
    """False when the session had ended already (its end is on record once)."""
    changed = await tx.execute(
        "UPDATE room_sessions SET ended_ms = :now WHERE id = :id AND ended_ms IS NULL",
        {"now": now_ms, "id": session_id},
    )
    return changed > 0


async def insert_participant(
    tx: Transaction,
    participant: Participant,
    meeting_id: MeetingId,
    room: RoomName,
    session_id: RoomSessionId | None,
    node_id: str | None = None,
) -> None:
    await tx.execute(
        "INSERT INTO room_participants (id, meeting_id, room_name, room_session_id, role,"
        " display_name, external_id, metadata, joined_ms, node_id)"
        " VALUES (:id, :meeting_id, :room_name, :session_id, :role, :display_name,"
        " :external_id, :metadata, :joined_ms, :node_id)",
        {
            "id": participant.id,
            "meeting_id": int(meeting_id),
            "room_name": room,
            "session_id": session_id,
            "role": participant.role.value,
            "display_name": participant.display_name,
            "external_id": participant.external_id,
            "metadata": participant.metadata,
            "joined_ms": participant.joined_ms,
            "node_id": node_id,
        },
    )


async def attach_to_session(
    tx: Transaction, participant_ids: list[ParticipantId], session_id: RoomSessionId
) -> None:
    for participant_id in participant_ids:
        await tx.execute(
            "UPDATE room_participants SET room_session_id = :session_id"
            " WHERE id = :id AND room_session_id IS NULL",
            {"session_id": session_id, "id": participant_id},
        )


async def mark_left(
    tx: Transaction, participant_id: ParticipantId, now_ms: int, reason: str
) -> bool:
    """False when the participant had left already (their leaving is on record once)."""
    changed = await tx.execute(
        "UPDATE room_participants SET left_ms = :now, left_reason = :reason"
        " WHERE id = :id AND left_ms IS NULL",
        {"now": now_ms, "reason": reason, "id": participant_id},
    )
    return changed > 0


# --- nodes: heartbeats, and what a node left open ----------------------------------------------


async def heartbeat(db: Database, node_id: str, now_ms: int) -> None:
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO room_nodes (node_id, alive_ms) VALUES (:node_id, :now)"
            " ON CONFLICT (node_id) DO UPDATE SET alive_ms = excluded.alive_ms",
            {"node_id": node_id, "now": now_ms},
        )


async def last_alive(db: Database, node_id: str) -> int | None:
    row = await db.fetch_one(
        "SELECT alive_ms FROM room_nodes WHERE node_id = :node_id", {"node_id": node_id}
    )
    return None if row is None else int(row["alive_ms"])


async def open_participants(db: Database, node_id: str) -> list[Row]:
    return list(
        await db.fetch_all(
            "SELECT * FROM room_participants WHERE node_id = :node_id AND left_ms IS NULL"
            " ORDER BY joined_ms, id",
            {"node_id": node_id},
        )
    )


async def open_sessions(db: Database, node_id: str) -> list[Row]:
    return list(
        await db.fetch_all(
            "SELECT * FROM room_sessions WHERE node_id = :node_id AND ended_ms IS NULL"
            " ORDER BY started_ms, id",
            {"node_id": node_id},
        )
    )


async def list_participants(db: Database, room: RoomName) -> list[Row]:
    return list(
        await db.fetch_all(
            "SELECT * FROM room_participants WHERE room_name = :room ORDER BY joined_ms, id",
            {"room": room},
        )
    )


async def list_sessions(db: Database, room: RoomName) -> list[Row]:
    return list(
        await db.fetch_all(
            "SELECT * FROM room_sessions WHERE room_name = :room ORDER BY started_ms",
            {"room": room},
        )
    )
