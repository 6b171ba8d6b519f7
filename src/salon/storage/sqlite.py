"""SQLite, the embedded default: plain `sqlite3` on the event loop, with group commit.

Measured on this machine kind (see docs/architecture.md): the async driver's thread hop per
statement and writers queueing on the file lock cost an order of magnitude, while a statement on
an open connection takes microseconds. So statements run inline on the event loop, and only the
expensive part, the `COMMIT` with its fsync (`synchronous=FULL`), goes to a thread.

    unit of work ──► SAVEPOINT … RELEASE on the one writer connection (inline, under a lock)
                 └─► waits for the next group commit ──► COMMIT in a thread ──► all units resume

Every unit that finishes while a commit is in flight joins the next one, so under load one fsync
covers many writes, and a caller hears back only once its writes are durable. The WAL is
checkpointed by SQLite itself inside those commits (every 1000 pages); a checkpoint on another
connection was tried and lost: under steady writes it never catches up, and the WAL grows. Reads use a second
connection, which in WAL mode sees committed data and never waits for the writer.
"""

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from salon.storage.db import NO_PARAMS, Dialect, Params, Row, StorageUnavailable, UniqueViolation

_BUSY_TIMEOUT_MS = 5000
GATHER_S = 0.0
"""How long a commit waits for more units to join it: fewer, fuller commits under load."""


def _dict_row(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> dict[str, Any]:
    return {column[0]: value for column, value in zip(cursor.description, row, strict=True)}


def _connect(path: str) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.row_factory = _dict_row
    connection.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("PRAGMA foreign_keys=ON")
    return connection


def _run(connection: sqlite3.Connection, sql: str, params: Params) -> tuple[list[Row], int]:
    """All rows of one statement, run to completion (a statement left open would keep its read
    snapshot, and with it the WAL, from being released), and the count of rows it changed."""
    try:
        cursor = connection.execute(sql, params)
        return cursor.fetchall(), cursor.rowcount
    except sqlite3.IntegrityError as error:
        if "UNIQUE" in str(error):
            raise UniqueViolation(str(error)) from error
        raise
    except sqlite3.OperationalError as error:
        raise StorageUnavailable(str(error)) from error


class _SqliteTransaction:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    async def execute(self, sql: str, params: Params = NO_PARAMS) -> int:
        return _run(self._connection, sql, params)[1]

    async def fetch_one(self, sql: str, params: Params = NO_PARAMS) -> Row | None:
        rows = _run(self._connection, sql, params)[0]
        return rows[0] if rows else None

    async def fetch_all(self, sql: str, params: Params = NO_PARAMS) -> Sequence[Row]:
        return _run(self._connection, sql, params)[0]


class SqliteDatabase:
    dialect = Dialect.SQLITE

    def __init__(self, path: str) -> None:
        self._writer = _connect(path)
        self._reader = _connect(path)

        self._write_lock = asyncio.Lock()
        self._batch_open = False
        self._waiting: list[asyncio.Future[None]] = []
        self._committer: asyncio.Task[None] | None = None

    async def fetch_one(self, sql: str, params: Params = NO_PARAMS) -> Row | None:
        rows = _run(self._reader, sql, params)[0]
        return rows[0] if rows else None

    async def fetch_all(self, sql: str, params: Params = NO_PARAMS) -> Sequence[Row]:
        return _run(self._reader, sql, params)[0]

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_SqliteTransaction]:
        async with self._write_lock:
            if not self._batch_open:
                _run(self._writer, "BEGIN IMMEDIATE", NO_PARAMS)
                self._batch_open = True
            self._writer.execute("SAVEPOINT unit")
            try:
                yield _SqliteTransaction(self._writer)
            except BaseException:
                self._writer.execute("ROLLBACK TO unit")
                self._writer.execute("RELEASE unit")
                if not self._waiting:
                    # Nothing of this batch awaits a commit: close it rather than hold the lock.
                    self._writer.execute("ROLLBACK")
                    self._batch_open = False
                raise
            self._writer.execute("RELEASE unit")
            durable = asyncio.get_running_loop().create_future()
            self._waiting.append(durable)
            if self._committer is None or self._committer.done():
                self._committer = asyncio.create_task(self._commit_batches())
        await durable

    async def _commit_batches(self) -> None:
        while self._waiting:
            await asyncio.sleep(GATHER_S)
            async with self._write_lock:
                batch, self._waiting = self._waiting, []
                try:
                    await asyncio.to_thread(self._writer.execute, "COMMIT")
                    outcome: BaseException | None = None
                except sqlite3.Error as error:
                    self._writer.execute("ROLLBACK")
                    outcome = StorageUnavailable(f"commit failed: {error}")
                self._batch_open = False
            for durable in batch:
                if durable.done():
                    continue
                if outcome is None:
                    durable.set_result(None)
                else:
                    durable.set_exception(outcome)

    async def ping(self) -> None:
        _run(self._reader, "SELECT 1", NO_PARAMS)

    async def close(self) -> None:
        if self._committer is not None:
            await self._committer
        self._reader.close()
        self._writer.close()
