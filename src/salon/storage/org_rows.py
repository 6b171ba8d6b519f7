"""What the tables of an organization's soft-deleted items (recordings, transcriptions) share:
the `IN (...)` list of bound names, deleting ids of the organization, a page of a listing
(optionally of one room), and whether a row is gone."""

from collections.abc import Sequence

from salon.ids import OrgId
from salon.storage.db import Database, Row, Transaction


def bound_list(prefix: str, values: Sequence[object]) -> tuple[str, dict[str, object]]:
    """`:p0, :p1, ...` for an `IN (...)` clause, and the parameters they bind."""
    names = ", ".join(f":{prefix}{i}" for i in range(len(values)))
    return names, {f"{prefix}{i}": value for i, value in enumerate(values)}


async def mark_deleted(
    tx: Transaction, table: str, org_id: OrgId, ids: Sequence[str], now_ms: int
) -> list[str]:
    """The ids that were the organization's and not deleted yet. `table` is the caller's constant,
    never from input."""
    if not ids:
        return []
    names, bound = bound_list("i", ids)
    rows = await tx.fetch_all(
        f"UPDATE {table} SET deleted_ms = :now"
        f" WHERE org_id = :org_id AND deleted_ms IS NULL AND id IN ({names}) RETURNING id",
        {"now": now_ms, "org_id": org_id} | bound,
    )
    return [row["id"] for row in rows]


async def list_page(
    db: Database,
    table: str,
    columns: str,
    org_id: OrgId,
    *,
    room_name: str | None,
    order_by: str,
    offset: int,
    limit: int,
    only: str = "",
) -> Sequence[Row]:
    """The organization's rows not deleted, of one room if `room_name`, ordered, one page.
    `table`, `columns`, `order_by` and `only` (more `AND` conditions) are the caller's constants
    (`order_by` from a fixed set of sort clauses), never from input."""
    params: dict[str, object] = {"org_id": org_id, "limit": limit, "offset": offset}
    room = ""
    if room_name is not None:
        params["room_name"] = room_name
        room = " AND room_name = :room_name"
    return await db.fetch_all(
        f"SELECT {columns} FROM {table} WHERE org_id = :org_id{only} AND deleted_ms IS NULL"
        f"{room} ORDER BY {order_by} LIMIT :limit OFFSET :offset",
        params,
    )


async def is_deleted(db: Database, table: str, row_id: str) -> bool:
    """Whether the row is deleted or was never there. `table` is the caller's constant."""
    row = await db.fetch_one(f"SELECT deleted_ms FROM {table} WHERE id = :id", {"id": row_id})
    return row is None or row["deleted_ms"] is not None
