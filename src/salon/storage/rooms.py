"""The `room_sessions` and `room_participants` tables: what happened in each room."""

from salon.ids import MeetingId, ParticipantId, RoomName, RoomSessionId
from salon.rooms.state import Participant
from salon.storage.db import Database, Row, Transaction


async def insert_session(
    tx: Transaction, session_id: RoomSessionId, meeting_id: MeetingId, room: RoomName, now_ms: int
) -> None:
    await tx.execute(
        "INSERT INTO room_sessions (id, meeting_id, room_name, started_ms)"
        " VALUES (:id, :meeting_id, :room_name, :now)",
        {"id": session_id, "meeting_id": int(meeting_id), "room_name": room, "now": now_ms},
    )


async def end_session(tx: Transaction, session_id: RoomSessionId, now_ms: int) -> None:
    await tx.execute(
        "UPDATE room_sessions SET ended_ms = :now WHERE id = :id AND ended_ms IS NULL",
        {"now": now_ms, "id": session_id},
    )


async def insert_participant(
    tx: Transaction,
    participant: Participant,
    meeting_id: MeetingId,
    room: RoomName,
    session_id: RoomSessionId | None,
) -> None:
    await tx.execute(
        "INSERT INTO room_participants (id, meeting_id, room_name, room_session_id, role,"
        " display_name, external_id, metadata, joined_ms)"
        " VALUES (:id, :meeting_id, :room_name, :session_id, :role, :display_name,"
        " :external_id, :metadata, :joined_ms)",
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
) -> None:
    await tx.execute(
        "UPDATE room_participants SET left_ms = :now, left_reason = :reason"
        " WHERE id = :id AND left_ms IS NULL",
        {"now": now_ms, "reason": reason, "id": participant_id},
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
