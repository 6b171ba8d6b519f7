"""Webhook tables: endpoints, the event outbox, deliveries (retry state as columns) and attempts."""

from collections.abc import Sequence

from salon.ids import OrgId
from salon.storage.db import Database, Dialect, Row, Transaction
from salon.webhooks.model import DeliveryStatus, Endpoint, Outcome

_ENDPOINT_COLUMNS = "id, org_id, url, events, secret, enabled, created_ms, updated_ms"
DELIVERY_COLUMNS = (
    "d.id, d.event_id, d.endpoint_id, d.status, d.attempts, d.next_attempt_ms, d.last_status,"
    " d.last_error, d.last_latency_ms, d.replay_of, d.created_ms, d.finished_ms, e.type"
)


def _endpoint(row: Row) -> Endpoint:
    return Endpoint(
        id=row["id"],
        org_id=OrgId(int(row["org_id"])),
        url=row["url"],
        events=tuple(row["events"].split(",")),
        secret=row["secret"],
        enabled=bool(row["enabled"]),
        created_ms=int(row["created_ms"]),
        updated_ms=int(row["updated_ms"]),
    )


# --- endpoints -------------------------------------------------------------------------------


async def insert_endpoint(tx: Transaction, endpoint: Endpoint) -> None:
    await tx.execute(
        f"INSERT INTO webhook_endpoints ({_ENDPOINT_COLUMNS})"
        " VALUES (:id, :org_id, :url, :events, :secret, :enabled, :created_ms, :updated_ms)",
        {
            "id": endpoint.id,
            "org_id": endpoint.org_id,
            "url": endpoint.url,
            "events": ",".join(endpoint.events),
            "secret": endpoint.secret,
            "enabled": endpoint.enabled,
            "created_ms": endpoint.created_ms,
            "updated_ms": endpoint.updated_ms,
        },
    )


async def update_endpoint(tx: Transaction, endpoint: Endpoint) -> None:
    await tx.execute(
        "UPDATE webhook_endpoints SET url = :url, events = :events, secret = :secret,"
        " enabled = :enabled, updated_ms = :updated_ms WHERE id = :id AND org_id = :org_id",
        {
            "id": endpoint.id,
            "org_id": endpoint.org_id,
            "url": endpoint.url,
            "events": ",".join(endpoint.events),
            "secret": endpoint.secret,
            "enabled": endpoint.enabled,
            "updated_ms": endpoint.updated_ms,
        },
    )


async def get_endpoint(db: Database, org_id: OrgId, endpoint_id: str) -> Endpoint | None:
    row = await db.fetch_one(
        f"SELECT {_ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = :id AND org_id = :org_id",
        {"id": endpoint_id, "org_id": org_id},
    )
    return None if row is None else _endpoint(row)


async def count_endpoints(tx: Transaction, org_id: OrgId) -> int:
    found = await tx.fetch_one(
        "SELECT COUNT(*) AS n FROM webhook_endpoints WHERE org_id = :org_id", {"org_id": org_id}
    )
    return 0 if found is None else int(found["n"])


async def list_endpoints(db: Database | Transaction, org_id: OrgId) -> list[Endpoint]:
    rows = await db.fetch_all(
        f"SELECT {_ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE org_id = :org_id"
        " ORDER BY created_ms, id",
        {"org_id": org_id},
    )
    return [_endpoint(row) for row in rows]


async def delete_endpoint(tx: Transaction, org_id: OrgId, endpoint_id: str, now_ms: int) -> bool:
    """Delete an endpoint; its pending deliveries fail with it, rather than wait for ever."""
    changed = await tx.execute(
        "DELETE FROM webhook_endpoints WHERE id = :id AND org_id = :org_id",
        {"id": endpoint_id, "org_id": org_id},
    )
    if changed:
        await tx.execute(
            "UPDATE webhook_deliveries SET status = 'failed', last_error = 'endpoint deleted',"
            " finished_ms = :now, lease_until_ms = NULL"
            " WHERE endpoint_id = :id AND status = 'pending'",
            {"id": endpoint_id, "now": now_ms},
        )
    return changed > 0


# --- the outbox --------------------------------------------------------------------------------


async def insert_event(
    tx: Transaction, event_id: str, org_id: OrgId, kind: str, body: str, now_ms: int
) -> None:
    await tx.execute(
        "INSERT INTO webhook_events (id, org_id, type, body, created_ms)"
        " VALUES (:id, :org_id, :type, :body, :now)",
        {"id": event_id, "org_id": org_id, "type": kind, "body": body, "now": now_ms},
    )


async def insert_delivery(
    tx: Transaction,
    delivery_id: str,
    event_id: str,
    endpoint_id: str,
    org_id: OrgId,
    now_ms: int,
    replay_of: str | None = None,
) -> None:
    await tx.execute(
        "INSERT INTO webhook_deliveries (id, event_id, endpoint_id, org_id, status, attempts,"
        " next_attempt_ms, replay_of, created_ms)"
        " VALUES (:id, :event_id, :endpoint_id, :org_id, :status, 0, :now, :replay_of, :now)",
        {
            "id": delivery_id,
            "event_id": event_id,
            "endpoint_id": endpoint_id,
            "org_id": org_id,
            "status": DeliveryStatus.PENDING.value,
            "now": now_ms,
            "replay_of": replay_of,
        },
    )


# --- the dispatcher's claims and results ----------------------------------------------------------

_DUE = (
    "status = 'pending' AND next_attempt_ms <= :now"
    " AND (lease_until_ms IS NULL OR lease_until_ms < :now)"
)


def due_endpoints_sql(skipped_endpoints: int, skipped_orgs: int) -> str:
    """Each enabled endpoint with due deliveries, and how many (counted up to :per_endpoint):
    one index probe per endpoint (the partial index of pending deliveries by endpoint), so a
    backlog costs no more than an empty queue. Endpoints and organizations that are full
    already are left out. A disabled endpoint's deliveries wait until it is enabled again."""
    skip = "".join(
        [
            " AND w.id NOT IN (" + ", ".join(f":x{i}" for i in range(skipped_endpoints)) + ")"
            if skipped_endpoints
            else "",
            " AND w.org_id NOT IN (" + ", ".join(f":o{i}" for i in range(skipped_orgs)) + ")"
            if skipped_orgs
            else "",
        ]
    )
    counted = (
        "SELECT COUNT(*) FROM (SELECT 1 FROM webhook_deliveries d"
        " WHERE d.endpoint_id = w.id AND d.status = 'pending' AND d.next_attempt_ms <= :now"
        " AND (d.lease_until_ms IS NULL OR d.lease_until_ms < :now) LIMIT :per_endpoint) due_here"
    )
    return (
        f"SELECT endpoint_id, org_id, due FROM (SELECT w.id AS endpoint_id, w.org_id,"
        f" ({counted}) AS due FROM webhook_endpoints w WHERE w.enabled{skip}) listed"
        " WHERE due > 0"
    )


async def due_endpoints(
    tx: Transaction,
    now_ms: int,
    per_endpoint: int,
    full_endpoints: Sequence[str] = (),
    full_orgs: Sequence[int] = (),
) -> list[Row]:
    params: dict[str, object] = {"now": now_ms, "per_endpoint": per_endpoint}
    params |= {f"x{i}": endpoint for i, endpoint in enumerate(full_endpoints)}
    params |= {f"o{i}": org for i, org in enumerate(full_orgs)}
    return list(await tx.fetch_all(due_endpoints_sql(len(full_endpoints), len(full_orgs)), params))


def claim_sql(dialect: Dialect) -> str:
    """Lease the :n earliest due deliveries of one endpoint; on PostgreSQL rows another node
    holds are skipped, not waited for."""
    lock = " FOR UPDATE SKIP LOCKED" if dialect is Dialect.POSTGRESQL else ""
    return (
        "UPDATE webhook_deliveries SET lease_until_ms = :lease WHERE id IN ("
        f"SELECT id FROM webhook_deliveries WHERE endpoint_id = :endpoint AND {_DUE}"
        f" ORDER BY next_attempt_ms, id LIMIT :n{lock}) RETURNING id"
    )


async def claim_due(
    tx: Transaction,
    dialect: Dialect,
    endpoint_id: str,
    now_ms: int,
    lease_ms: int,
    limit: int,
) -> list[str]:
    params = {"endpoint": endpoint_id, "now": now_ms, "lease": now_ms + lease_ms, "n": limit}
    return [row["id"] for row in await tx.fetch_all(claim_sql(dialect), params)]


async def load_claimed(db: Database, delivery_ids: Sequence[str]) -> list[Row]:
    """What sending needs: each delivery with its body, endpoint URL and secret."""
    if not delivery_ids:
        return []
    names = ", ".join(f":d{i}" for i in range(len(delivery_ids)))
    return list(
        await db.fetch_all(
            "SELECT d.id, d.attempts, d.endpoint_id, d.org_id, e.body, w.url, w.secret"
            " FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id"
            " JOIN webhook_endpoints w ON w.id = d.endpoint_id"
            f" WHERE d.id IN ({names})",
            {f"d{i}": delivery for i, delivery in enumerate(delivery_ids)},
        )
    )


async def record_attempt(
    tx: Transaction,
    delivery_id: str,
    number: int,
    at_ms: int,
    outcome: Outcome,
    status: DeliveryStatus,
    next_attempt_ms: int,
) -> None:
    await tx.execute(
        "INSERT INTO webhook_attempts (delivery_id, number, at_ms, status, latency_ms, error,"
        " response) VALUES (:id, :number, :at, :status, :latency, :error, :response)",
        {
            "id": delivery_id,
            "number": number,
            "at": at_ms,
            "status": outcome.status,
            "latency": outcome.latency_ms,
            "error": outcome.error,
            "response": outcome.response,
        },
    )
    await tx.execute(
        "UPDATE webhook_deliveries SET status = :state, attempts = :number,"
        " next_attempt_ms = :next, lease_until_ms = NULL, last_status = :status,"
        " last_error = :error, last_latency_ms = :latency, finished_ms = :finished"
        " WHERE id = :id",
        {
            "id": delivery_id,
            "state": status.value,
            "number": number,
            "next": next_attempt_ms,
            "status": outcome.status,
            "error": outcome.error,
            "latency": outcome.latency_ms,
            "finished": None if status is DeliveryStatus.PENDING else at_ms,
        },
    )


# --- the delivery log ----------------------------------------------------------------------------


async def list_deliveries(
    db: Database, org_id: OrgId, endpoint_id: str | None, limit: int
) -> list[Row]:
    where = "d.org_id = :org_id" + (" AND d.endpoint_id = :endpoint" if endpoint_id else "")
    return list(
        await db.fetch_all(
            f"SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d"
            f" JOIN webhook_events e ON e.id = d.event_id WHERE {where}"
            " ORDER BY d.created_ms DESC, d.id DESC LIMIT :limit",
            {"org_id": org_id, "endpoint": endpoint_id, "limit": limit},
        )
    )


async def get_delivery(db: Database, org_id: OrgId, delivery_id: str) -> Row | None:
    return await db.fetch_one(
        f"SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d"
        " JOIN webhook_events e ON e.id = d.event_id WHERE d.id = :id AND d.org_id = :org_id",
        {"id": delivery_id, "org_id": org_id},
    )


async def list_attempts(db: Database, delivery_id: str) -> list[Row]:
    return list(
        await db.fetch_all(
            "SELECT number, at_ms, status, latency_ms, error, response FROM webhook_attempts"
            " WHERE delivery_id = :id ORDER BY number",
            {"id": delivery_id},
        )
    )


async def count_by_status(db: Database, org_id: OrgId) -> dict[str, int]:
    rows = await db.fetch_all(
        "SELECT status, COUNT(*) AS n FROM webhook_deliveries WHERE org_id = :org_id"
        " GROUP BY status",
        {"org_id": org_id},
    )
    return {row["status"]: int(row["n"]) for row in rows}
