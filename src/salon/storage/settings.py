"""Server-wide values kept in the database so that every node shares them."""

from salon.storage.db import Database, UniqueViolation

_GET = "SELECT value FROM server_settings WHERE name = :name"
_INSERT = "INSERT INTO server_settings (name, value) VALUES (:name, :value)"


async def get_or_insert_setting(db: Database, name: str, proposed: str) -> str:
    """The stored value of `name`, storing `proposed` first if there is none (first node wins)."""
    row = await db.fetch_one(_GET, {"name": name})
    if row is not None:
        return str(row["value"])
    try:
        async with db.transaction() as tx:
            await tx.execute(_INSERT, {"name": name, "value": proposed})
    except UniqueViolation:
        pass
    row = await db.fetch_one(_GET, {"name": name})
    assert row is not None
    return str(row["value"])


async def put_setting(db: Database, name: str, value: str) -> None:
    """One statement, so that nodes starting at once do not both insert the row."""
    async with db.transaction() as tx:
        await tx.execute(
            _INSERT + " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            {"name": name, "value": value},
        )


async def get_setting(db: Database, name: str) -> str | None:
    row = await db.fetch_one(_GET, {"name": name})
    return None if row is None else str(row["value"])
