"""Participants and sessions the history still holds open: after a crash (`kill -9`, power loss)
nobody recorded their end. One node owns a database, so at start-up every open one is stale."""

from salon.storage.db import Database, Row


async def open_participants(db: Database) -> list[Row]:
    return list(
        await db.fetch_all(
            "SELECT * FROM room_participants WHERE left_ms IS NULL ORDER BY room_name, joined_ms"
        )
    )


async def open_sessions(db: Database) -> list[Row]:
    return list(
        await db.fetch_all("SELECT * FROM room_sessions WHERE ended_ms IS NULL ORDER BY started_ms")
    )
