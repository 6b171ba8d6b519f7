"""The database going away under a running app: every answer is the API's JSON 503 (never an
unhandled 500), including the key check the gate makes before any route, and `/readyz` says so.
PostgreSQL refusing connections surfaces as `StorageUnavailable`, like a failed statement."""

import pytest

from helpers import Api
from salon.keys.service import KeyService
from salon.storage.db import StorageUnavailable
from salon.storage.postgres import PostgresDatabase

UNAVAILABLE = {"error": "the database is unavailable; try again", "code": "unavailable"}


async def test_a_key_check_that_cannot_reach_the_database_answers_503(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def down(self: KeyService, presented: str) -> None:
        raise StorageUnavailable("connection is closed")

    monkeypatch.setattr(KeyService, "authenticate", down)
    answer = await api.client.get("/v1/meetings", headers=api.auth)
    assert answer.status_code == 503
    assert answer.json() == UNAVAILABLE
    assert answer.headers["retry-after"] == "1"


async def test_postgresql_refusing_connections_is_storage_unavailable() -> None:
    # Port 1 on loopback: nothing listens, the connection is refused at once.
    db = PostgresDatabase("postgresql://salon:nothing@127.0.0.1:1/salon")
    try:
        with pytest.raises(StorageUnavailable):
            await db.ping()
        with pytest.raises(StorageUnavailable):
            await db.fetch_all("SELECT 1")
        with pytest.raises(StorageUnavailable):
            async with db.transaction() as tx:
                await tx.execute("SELECT 1")
    finally:
        await db.close()
