"""API keys: issue, list, rename, delete, and turn a presented key into its organization."""

from salon.clock import Clock
from salon.errors import NotFound
from salon.ids import ApiKeyId, OrgId
from salon.keys.model import ApiKey, check_name, generate_key, secret_matches, split_key
from salon.storage import keys as key_rows
from salon.storage.db import Database


class KeyService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._used: dict[ApiKeyId, int] = {}

    async def create(self, org_id: OrgId, name: str) -> tuple[ApiKey, str]:
        """The stored key and its plaintext, which exists only in this return value."""
        checked = check_name(name)
        new = generate_key()
        async with self._db.transaction() as tx:
            key = await key_rows.insert_key(
                tx, new.key_id, org_id, checked, new.secret_digest, self._clock()
            )
        return key, new.plaintext

    async def list_keys(self, org_id: OrgId) -> list[ApiKey]:
        return await key_rows.list_keys(self._db, org_id)

    async def rename(self, org_id: OrgId, key_id: str, name: str) -> None:
        checked = check_name(name)
        async with self._db.transaction() as tx:
            if not await key_rows.rename_key(tx, org_id, ApiKeyId(key_id), checked):
                raise NotFound(f"no API key with id {key_id!r}")

    async def delete(self, org_id: OrgId, key_id: str) -> None:
        async with self._db.transaction() as tx:
            if not await key_rows.delete_key(tx, org_id, ApiKeyId(key_id)):
                raise NotFound(f"no API key with id {key_id!r}")

    async def authenticate(self, presented: str) -> tuple[OrgId, ApiKeyId] | None:
        """The organization a key belongs to; None for a malformed, unknown or deleted key.

        Looked up on every request, so a deleted key stops working at once.
        """
        parts = split_key(presented)
        if parts is None:
            return None
        key_id, secret = parts
        stored = await key_rows.get_key_digest(self._db, key_id)
        if stored is None or not secret_matches(secret, stored[1]):
            return None
        self._used[key_id] = self._clock()
        return stored[0], key_id

    async def flush_usage(self) -> None:
        """Write the last-use times gathered since the previous flush, in one transaction."""
        if not self._used:
            return
        used, self._used = self._used, {}
        async with self._db.transaction() as tx:
            await key_rows.touch_keys(tx, used)
