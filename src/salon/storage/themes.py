"""The `themes` table: one row per organization, room (empty for the defaults) and part."""

from salon.ids import OrgId
from salon.storage.db import Database, Row, Transaction

_COLUMNS = "org_id, room_name, part, settings, image_type, updated_ms"


async def list_parts(db: Database, org_id: OrgId, room_names: tuple[str, ...]) -> list[Row]:
    """The rows of these rooms (the defaults are the room name `""`), without their images."""
    names = {f"name{i}": name for i, name in enumerate(room_names)}
    placeholders = ", ".join(f":{key}" for key in names)
    found = await db.fetch_all(
        f"SELECT {_COLUMNS} FROM themes WHERE org_id = :org_id AND room_name IN ({placeholders})",
        {"org_id": org_id, **names},
    )
    return list(found)


async def get_image(db: Database, org_id: OrgId, room_name: str, part: str) -> Row | None:
    return await db.fetch_one(
        "SELECT image, image_type, updated_ms FROM themes"
        " WHERE org_id = :org_id AND room_name = :room AND part = :part AND image IS NOT NULL",
        {"org_id": org_id, "room": room_name, "part": part},
    )


async def put_part(
    tx: Transaction,
    org_id: OrgId,
    room_name: str,
    part: str,
    *,
    settings: str | None,
    image: str | None,
    image_type: str | None,
    now_ms: int,
) -> None:
    await tx.execute(
        "INSERT INTO themes (org_id, room_name, part, settings, image, image_type, updated_ms)"
        " VALUES (:org_id, :room, :part, :settings, :image, :image_type, :now)"
        " ON CONFLICT (org_id, room_name, part) DO UPDATE SET settings = excluded.settings,"
        " image = excluded.image, image_type = excluded.image_type,"
        " updated_ms = excluded.updated_ms",
        {
            "org_id": org_id,
            "room": room_name,
            "part": part,
            "settings": settings,
            "image": image,
            "image_type": image_type,
            "now": now_ms,
        },
    )


async def delete_part(tx: Transaction, org_id: OrgId, room_name: str, part: str) -> None:
    await tx.execute(
        "DELETE FROM themes WHERE org_id = :org_id AND room_name = :room AND part = :part",
        {"org_id": org_id, "room": room_name, "part": part},
    )
