"""Applies the Alembic migrations in `storage/migrations` to a database URL."""

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, create_engine
from sqlalchemy.ext.asyncio import create_async_engine

from salon.storage.db import Dialect, async_postgres_url, dialect_of, sqlite_path

_MIGRATIONS = Path(__file__).parent / "migrations"


def _upgrade(connection: Connection) -> None:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def _upgrade_sqlite(url: str) -> None:
    Path(sqlite_path(url)).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            _upgrade(connection)
    finally:
        engine.dispose()


async def migrate(url: str) -> None:
    """Bring the database at `url` to the newest schema; safe to run again."""
    if dialect_of(url) is Dialect.SQLITE:
        await asyncio.to_thread(_upgrade_sqlite, url)
        return
    engine = create_async_engine(async_postgres_url(url))
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade)
    finally:
        await engine.dispose()
