"""Applies the Alembic migrations in `storage/migrations` to a database URL.

Alembic and SQLAlchemy take about half a second to import, which every management command
(`salon keys list`) would pay to learn that there is nothing to do. So a SQLite database whose
`alembic_version` already names every head of the migration files is left alone without
importing either; anything else (a new database, a pending migration, PostgreSQL) runs Alembic.
"""

import asyncio
import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from salon.storage.db import Dialect, async_postgres_url, dialect_of, sqlite_path

if TYPE_CHECKING:
    from sqlalchemy import Connection

_MIGRATIONS = Path(__file__).parent / "migrations"
_REVISION = re.compile(r"^revision\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(.*)$", re.MULTILINE)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")


def head_revisions() -> frozenset[str]:
    """The revisions no other migration file builds on, read from the files' text."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (_MIGRATIONS / "versions").glob("*.py"):
        text = path.read_text()
        revision = _REVISION.search(text)
        if revision is None:
            continue
        revisions.add(revision.group(1))
        down = _DOWN.search(text)
        if down is not None:
            parents.update(_QUOTED.findall(down.group(1)))
    return frozenset(revisions - parents)


def sqlite_is_current(path: str) -> bool:
    """True when the SQLite file exists and is at every head; False when in doubt."""
    if not Path(path).is_file():
        return False
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        finally:
            connection.close()
    except sqlite3.Error:
        return False
    return frozenset(row[0] for row in rows) == head_revisions()


def _upgrade(connection: "Connection") -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def _upgrade_sqlite(url: str) -> None:
    from sqlalchemy import create_engine

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
        if not sqlite_is_current(sqlite_path(url)):
            await asyncio.to_thread(_upgrade_sqlite, url)
        return
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(async_postgres_url(url))
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade)
    finally:
        await engine.dispose()
