"""The `jobs` table: enqueue, claim (a lease and a token), renew, and finish.

A claim takes one due job: a pending one whose time has come, or a running one whose lease ran
out (its node died). PostgreSQL skips rows another node is claiming (`FOR UPDATE SKIP LOCKED`);
SQLite has one writer, so its transaction alone makes the claim exclusive. Every later write
names the claim token, so a node whose lease was taken over can no longer finish the job.
"""

from salon.jobs.model import Job, JobStatus
from salon.storage.db import Database, Dialect, Row, Transaction

_DUE = (
    "(status = 'pending' AND run_after_ms <= :now)"
    " OR (status = 'running' AND lease_until_ms < :now)"
)


def _job(row: Row) -> Job:
    return Job(
        id=row["id"],
        kind=row["kind"],
        payload=row["payload"],
        attempts=int(row["attempts"]),
        max_attempts=int(row["max_attempts"]),
        claim_token=row["claim_token"],
    )


async def insert_job(
    tx: Transaction, job_id: str, kind: str, payload: str, max_attempts: int, now_ms: int
) -> None:
    await tx.execute(
        "INSERT INTO jobs (id, kind, payload, status, attempts, max_attempts, run_after_ms,"
        " created_ms) VALUES (:id, :kind, :payload, 'pending', 0, :max, :now, :now)",
        {"id": job_id, "kind": kind, "payload": payload, "max": max_attempts, "now": now_ms},
    )


async def claim(
    tx: Transaction, dialect: Dialect, kinds: list[str], now_ms: int, lease_ms: int, token: str
) -> Job | None:
    lock = " FOR UPDATE SKIP LOCKED" if dialect is Dialect.POSTGRESQL else ""
    names = ", ".join(f":k{i}" for i in range(len(kinds)))
    row = await tx.fetch_one(
        "UPDATE jobs SET status = 'running', attempts = attempts + 1,"
        " lease_until_ms = :lease, claim_token = :token WHERE id = ("
        f"SELECT id FROM jobs WHERE ({_DUE}) AND kind IN ({names})"
        f" ORDER BY run_after_ms, id LIMIT 1{lock})"
        " RETURNING id, kind, payload, attempts, max_attempts, claim_token",
        {"now": now_ms, "lease": now_ms + lease_ms, "token": token}
        | {f"k{i}": kind for i, kind in enumerate(kinds)},
    )
    return None if row is None else _job(row)


async def renew(db: Database, job: Job, lease_until_ms: int) -> bool:
    async with db.transaction() as tx:
        changed = await tx.execute(
            "UPDATE jobs SET lease_until_ms = :lease"
            " WHERE id = :id AND claim_token = :token AND status = 'running'",
            {"lease": lease_until_ms, "id": job.id, "token": job.claim_token},
        )
    return changed > 0


async def finish(
    tx: Transaction, job: Job, status: JobStatus, now_ms: int, error: str | None = None
) -> bool:
    """Mark the job done or failed; False when another node holds it now."""
    changed = await tx.execute(
        "UPDATE jobs SET status = :status, finished_ms = :now, last_error = :error,"
        " lease_until_ms = NULL WHERE id = :id AND claim_token = :token AND status = 'running'",
        {
            "status": status.value,
            "now": now_ms,
            "error": error,
            "id": job.id,
            "token": job.claim_token,
        },
    )
    return changed > 0


async def retry_later(tx: Transaction, job: Job, run_after_ms: int, error: str) -> bool:
    changed = await tx.execute(
        "UPDATE jobs SET status = 'pending', run_after_ms = :after, last_error = :error,"
        " lease_until_ms = NULL, claim_token = NULL"
        " WHERE id = :id AND claim_token = :token AND status = 'running'",
        {"after": run_after_ms, "error": error, "id": job.id, "token": job.claim_token},
    )
    return changed > 0


async def give_back(db: Database, job: Job) -> None:
    """A run stopped by a shutdown: the job waits for the next node, without losing an attempt."""
    async with db.transaction() as tx:
        await tx.execute(
            "UPDATE jobs SET status = 'pending', attempts = attempts - 1, lease_until_ms = NULL,"
            " claim_token = NULL WHERE id = :id AND claim_token = :token AND status = 'running'",
            {"id": job.id, "token": job.claim_token},
        )


async def release_all_leases(db: Database) -> int:
    """SQLite has one node: jobs it was running when it stopped are due again at once."""
    async with db.transaction() as tx:
        return await tx.execute(
            "UPDATE jobs SET lease_until_ms = 0 WHERE status = 'running'",
        )


async def get_job(db: Database, job_id: str) -> Row | None:
    return await db.fetch_one(
        "SELECT id, kind, status, attempts, last_error, finished_ms FROM jobs WHERE id = :id",
        {"id": job_id},
    )


async def queue_depth(db: Database) -> list[tuple[str, str, int]]:
    """(kind, status, count) of the jobs waiting or running: the queue's depth, for metrics."""
    rows = await db.fetch_all(
        "SELECT kind, status, COUNT(*) AS n FROM jobs"
        " WHERE status IN ('pending', 'running') GROUP BY kind, status"
    )
    return [(str(row["kind"]), str(row["status"]), int(row["n"])) for row in rows]
