"""The `allowed_domains` table."""

from salon.ids import OrgId
from salon.storage.db import Database, Transaction


async def list_domains(db: Database, org_id: OrgId) -> list[str]:
    rows = await db.fetch_all(
        "SELECT origin FROM allowed_domains WHERE org_id = :org_id ORDER BY created_ms, origin",
        {"org_id": org_id},
    )
    return [str(row["origin"]) for row in rows]


async def insert_domain(tx: Transaction, org_id: OrgId, origin: str, now_ms: int) -> bool:
    changed = await tx.execute(
        "INSERT INTO allowed_domains (org_id, origin, created_ms) VALUES (:org_id, :origin, :now)"
        " ON CONFLICT (org_id, origin) DO NOTHING",
        {"org_id": org_id, "origin": origin, "now": now_ms},
    )
    return changed > 0


async def delete_domain(tx: Transaction, org_id: OrgId, origin: str) -> bool:
    changed = await tx.execute(
        "DELETE FROM allowed_domains WHERE org_id = :org_id AND origin = :origin",
        {"org_id": org_id, "origin": origin},
    )
    return changed > 0
