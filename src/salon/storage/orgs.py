"""The `orgs` table."""

from salon.ids import OrgId, Subdomain
from salon.orgs.model import Organization
from salon.storage.db import Database, Row, Transaction

_COLUMNS = "id, subdomain, created_ms"


def _org(row: Row) -> Organization:
    return Organization(OrgId(int(row["id"])), Subdomain(row["subdomain"]), int(row["created_ms"]))


async def get_org(db: Database, org_id: OrgId) -> Organization | None:
    row = await db.fetch_one(f"SELECT {_COLUMNS} FROM orgs WHERE id = :id", {"id": org_id})
    return None if row is None else _org(row)


async def get_org_by_subdomain(db: Database, subdomain: Subdomain) -> Organization | None:
    row = await db.fetch_one(
        f"SELECT {_COLUMNS} FROM orgs WHERE subdomain = :subdomain", {"subdomain": subdomain}
    )
    return None if row is None else _org(row)


async def get_default_org(db: Database) -> Organization | None:
    row = await db.fetch_one(f"SELECT {_COLUMNS} FROM orgs WHERE is_default = :yes", {"yes": True})
    return None if row is None else _org(row)


async def list_orgs(db: Database) -> list[Organization]:
    return [_org(row) for row in await db.fetch_all(f"SELECT {_COLUMNS} FROM orgs ORDER BY id")]


async def insert_org(
    tx: Transaction, subdomain: Subdomain, created_ms: int, *, is_default: bool = False
) -> Organization:
    row = await tx.fetch_one(
        "INSERT INTO orgs (subdomain, is_default, created_ms)"
        f" VALUES (:subdomain, :is_default, :created_ms) RETURNING {_COLUMNS}",
        {"subdomain": subdomain, "is_default": is_default, "created_ms": created_ms},
    )
    assert row is not None
    return _org(row)
