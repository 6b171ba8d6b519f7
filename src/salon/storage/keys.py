"""The `api_keys` table."""

from salon.ids import ApiKeyId, OrgId
from salon.keys.model import ApiKey
from salon.storage.db import Database, Row, Transaction

_COLUMNS = "id, org_id, name, created_ms, last_used_ms"


def _key(row: Row) -> ApiKey:
    last_used = row["last_used_ms"]
    return ApiKey(
        ApiKeyId(row["id"]),
        OrgId(int(row["org_id"])),
        row["name"],
        int(row["created_ms"]),
        None if last_used is None else int(last_used),
    )


async def get_key_digest(db: Database, key_id: ApiKeyId) -> tuple[OrgId, str] | None:
    """The organization and stored secret digest of a key: what authentication needs."""
    row = await db.fetch_one(
        "SELECT org_id, secret_digest FROM api_keys WHERE id = :id", {"id": key_id}
    )
    return None if row is None else (OrgId(int(row["org_id"])), str(row["secret_digest"]))


async def list_keys(db: Database, org_id: OrgId) -> list[ApiKey]:
    rows = await db.fetch_all(
        f"SELECT {_COLUMNS} FROM api_keys WHERE org_id = :org_id ORDER BY created_ms, id",
        {"org_id": org_id},
    )
    return [_key(row) for row in rows]


async def insert_key(
    tx: Transaction, key_id: ApiKeyId, org_id: OrgId, name: str, digest: str, created_ms: int
) -> ApiKey:
    row = await tx.fetch_one(
        "INSERT INTO api_keys (id, org_id, name, secret_digest, created_ms)"
        f" VALUES (:id, :org_id, :name, :digest, :created_ms) RETURNING {_COLUMNS}",
        {"id": key_id, "org_id": org_id, "name": name, "digest": digest, "created_ms": created_ms},
    )
    assert row is not None
    return _key(row)


async def rename_key(tx: Transaction, org_id: OrgId, key_id: ApiKeyId, name: str) -> bool:
    changed = await tx.execute(
        "UPDATE api_keys SET name = :name WHERE id = :id AND org_id = :org_id",
        {"name": name, "id": key_id, "org_id": org_id},
    )
    return changed > 0


async def delete_key(tx: Transaction, org_id: OrgId, key_id: ApiKeyId) -> bool:
    changed = await tx.execute(
        "DELETE FROM api_keys WHERE id = :id AND org_id = :org_id", {"id": key_id, "org_id": org_id}
    )
    return changed > 0


async def touch_keys(tx: Transaction, used: dict[ApiKeyId, int]) -> None:
    for key_id, used_ms in used.items():
        await tx.execute(
            "UPDATE api_keys SET last_used_ms = :used WHERE id = :id",
            {"used": used_ms, "id": key_id},
        )
