"""The webhook outbox's backlog in one query, for metrics: what is pending and since when."""

from dataclasses import dataclass

from salon.storage.db import Database


@dataclass(frozen=True, slots=True)
class Backlog:
    pending: int
    oldest_created_ms: int | None


async def pending_backlog(db: Database) -> Backlog:
    """Served by the `(status, next_attempt_ms)` index: a range scan of the pending rows only."""
    row = await db.fetch_one(
        "SELECT COUNT(*) AS n, MIN(created_ms) AS oldest FROM webhook_deliveries"
        " WHERE status = 'pending'"
    )
    if row is None:
        return Backlog(0, None)
    oldest = row["oldest"]
    return Backlog(int(row["n"]), None if oldest is None else int(oldest))
