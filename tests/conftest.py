"""Fixtures shared by the suites: a fake clock, databases on SQLite and PostgreSQL, and an app.

PostgreSQL is required, never skipped: the suite creates a fresh database for its run on the
server at `SALON_TEST_POSTGRES` (default: the local server, trust auth) and drops it at the end.
"""

import asyncio
import os
import secrets
import shutil
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from helpers import Api, FakeClock, make_api
from salon.app import open_database
from salon.meetings.model import parse_date_time
from salon.storage.db import Database
from salon.storage.migrate import migrate

POSTGRES_ADMIN_URL = os.environ.get(
    "SALON_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
TABLES = (
    "jobs",
    "recordings",
    "themes",
    "insight_samples",
    "insight_segments",
    "account_links",
    "account_sessions",
    "accounts",
    "allowed_domains",
    "webhook_attempts",
    "webhook_deliveries",
    "webhook_events",
    "webhook_endpoints",
    "room_participants",
    "room_sessions",
    "room_nodes",
    "meetings",
    "api_keys",
    "orgs",
    "server_settings",
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(parse_date_time("start", "2026-03-01T12:00:00Z"))


def _run_aside(work: Coroutine[Any, Any, None]) -> None:
    """Run a coroutine to the end on a loop of its own, even while a test's loop runs."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, work).result()


def _asyncpg_url(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of this run's own on the PostgreSQL server, migrated once."""
    name = f"salon_test_{secrets.token_hex(6)}"
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]

    async def admin(statement: str) -> None:
        connection = await asyncpg.connect(_asyncpg_url(POSTGRES_ADMIN_URL), timeout=10)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    _run_aside(admin(f'CREATE DATABASE "{name}"'))
    url = f"{base}/{name}"
    _run_aside(migrate(url))
    try:
        yield url
    finally:
        _run_aside(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test instead of migrating again."""
    path = tmp_path_factory.mktemp("template") / "salon.db"
    asyncio.run(migrate(f"sqlite:///{path}"))
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> str:
    """An empty, migrated database of each kind in turn."""
    if request.param == "sqlite":
        path = tmp_path / "salon.db"
        shutil.copyfile(sqlite_template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    connection = await asyncpg.connect(_asyncpg_url(url), timeout=10)
    try:
        await connection.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
    finally:
        await connection.close()
    return url


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = open_database(database_url)
    try:
        yield db
    finally:
        await db.close()


@pytest.fixture
async def api(database: Database, clock: FakeClock, tmp_path: Path) -> AsyncIterator[Api]:
    """The app, keeping its files (recordings, transcripts) in the test's own folder."""
    made = await make_api(database, clock, data_dir=str(tmp_path))
    try:
        yield made
    finally:
        await made.client.aclose()
