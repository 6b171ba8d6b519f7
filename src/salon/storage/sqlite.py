"""SQLite, the embedded default: plain `sqlite3` on the event loop, with group commit.

Measured on this machine kind (docs/architecture.md, "Storage"): the async driver's thread hop
per statement and writers queueing on the file lock cost an order of magnitude, while a statement
on an open connection takes microseconds. So every statement runs inline on the event loop:

    unit of work ──► SAVEPOINT … RELEASE on the one writer connection (under a lock)
                 └─► waits ──► the committer task: one COMMIT (one fsync) ──► every waiter resumes

A unit's caller hears back only once its writes are durable (`synchronous=FULL`), and every unit
that finished before the committer runs shares its fsync: under load, one fsync covers a batch as
large as the number of concurrent writers. The COMMIT itself also runs inline: handing it to a
thread measured slower (the hop and the hand-back of the GIL cost more than the fsync, about
0.2 ms here), and it blocks the loop for one fsync per batch, not per write. SQLite checkpoints
the WAL inside those commits; a checkpoint on a connection of its own was tried and lost, since
under steady writes it never catches up and the WAL grows without bound. Reads use a second
connection, which in WAL mode sees committed data and never waits for the writer.
"""

import asyncio
import contextlib
import os
import sqlite3
import time
from collections.abc import Callable, Sequence
from typing import Any

from salon.storage.db import NO_PARAMS, Dialect, Params, Row, StorageUnavailable, UniqueViolation
from salon.storage.free_space import (
    DEFAULT_MIN_FREE_MIB,
    MIB,
    DiskNearlyFull,
    FreeSpaceReader,
    floor_bytes,
    read_free_space,
    too_little,
)

_BUSY_TIMEOUT_MS = 5000


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


class _Unit:
    """`async with db.transaction() as tx:` (a class, not a generator: this is the hot path)."""

    __slots__ = ("_db",)

    def __init__(self, db: "SqliteDatabase") -> None:
        self._db = db

    async def __aenter__(self) -> _SqliteTransaction:
        return await self._db._begin_unit()

    async def __aexit__(self, kind: type[BaseException] | None, *_: object) -> None:
        await self._db._end_unit(failed=kind is not None)


class SqliteDatabase:
    dialect = Dialect.SQLITE

    def __init__(
        self,
        path: str,
        *,
        min_free_bytes: int = DEFAULT_MIN_FREE_MIB * MIB,
        free_space: FreeSpaceReader | None = None,
    ) -> None:
        self._min_free_bytes = min_free_bytes
        self._free_space = free_space or read_free_space(os.path.dirname(os.path.abspath(path)))
        self._writer = _connect(path)
        self._reader = _connect(path)

        self._write_lock = asyncio.Lock()
        self._batch_open = False
        self._waiting: list[asyncio.Future[None]] = []
        self._committer: asyncio.Task[None] | None = None
        self._unit_view = _SqliteTransaction(self._writer)
        self.write_failure: str | None = None
        """Why the last write failed, until one succeeds."""
        self.on_commit: Callable[[int, float], None] | None = None
        """Told (units in the batch, seconds the COMMIT took) after each commit: metrics."""

    async def fetch_one(self, sql: str, params: Params = NO_PARAMS) -> Row | None:
        rows = _run(self._reader, sql, params)[0]
        return rows[0] if rows else None

    async def fetch_all(self, sql: str, params: Params = NO_PARAMS) -> Sequence[Row]:
        return _run(self._reader, sql, params)[0]

    def transaction(self) -> "_Unit":
        return _Unit(self)

    async def _begin_unit(self) -> _SqliteTransaction:
        await self._write_lock.acquire()
        try:
            if self._batch_open and not self._writer.in_transaction:
                self._lose_batch("the database rolled the batch back (disk full or I/O error)")
            if not self._batch_open:
                _run(self._writer, "BEGIN IMMEDIATE", NO_PARAMS)
                self._batch_open = True
            _run(self._writer, "SAVEPOINT unit", NO_PARAMS)
        except BaseException:
            self._write_lock.release()
            raise
        return self._unit_view

    async def _end_unit(self, failed: bool) -> None:
        try:
            if failed:
                self._undo_unit()
                return
            try:
                _run(self._writer, "RELEASE unit", NO_PARAMS)
            except StorageUnavailable:
                self._undo_unit()
                raise
            durable = asyncio.get_running_loop().create_future()
            self._waiting.append(durable)
            if self._committer is None or self._committer.done():
                self._committer = asyncio.create_task(self._commit_batches())
        finally:
            self._write_lock.release()
        await durable

    def _undo_unit(self) -> None:
        """Roll the unit back. A disk-full or I/O error may have made SQLite roll back the whole
        batch already: then the units waiting for its commit are lost, and hear so."""
        if self._writer.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                self._writer.execute("ROLLBACK TO unit")
                self._writer.execute("RELEASE unit")
        if not self._writer.in_transaction:
            self._lose_batch("the database rolled the batch back (disk full or I/O error)")
        elif not self._waiting:
            # Nothing of this batch awaits a commit: close it rather than hold the lock.
            self._writer.execute("ROLLBACK")
            self._batch_open = False

    def _lose_batch(self, reason: str) -> None:
        self._batch_open = False
        self.write_failure = reason
        lost, self._waiting = self._waiting, []
        for durable in lost:
            if not durable.done():
                durable.set_exception(StorageUnavailable(reason))

    async def _commit_batches(self) -> None:
        while self._waiting:
            # One turn of the loop first: the requests whose bytes arrived with this one finish
            # their units and join the batch (measured: 11 units per fsync without it, 31 with).
            await asyncio.sleep(0)
            async with self._write_lock:
                batch, self._waiting = self._waiting, []
                if not batch:
                    continue  # a failed unit lost this batch meanwhile, and told its waiters
                started = time.perf_counter()
                try:
                    self._writer.execute("COMMIT")
                    outcome: BaseException | None = None
                    self.write_failure = None
                except sqlite3.Error as error:
                    if self._writer.in_transaction:  # SQLite may have rolled back by itself
                        with contextlib.suppress(sqlite3.Error):
                            self._writer.execute("ROLLBACK")
                    outcome = StorageUnavailable(f"commit failed: {error}")
                    self.write_failure = str(outcome)
                self._batch_open = False
                if self.on_commit is not None:
                    self.on_commit(len(batch), time.perf_counter() - started)
            for durable in batch:
                if durable.done():
                    continue
                if outcome is None:
                    durable.set_result(None)
                else:
                    durable.set_exception(outcome)

    async def ping(self) -> None:
        """The file system has room (`free_space.too_little`), reads answer, and after a failed
        write a write does too: readiness must not say "ready" while writes fail, nor on a full
        disk where SQLite still lets a write through now and then (into space its WAL holds)."""
        try:
            space = self._free_space()
        except OSError as error:
            raise StorageUnavailable(f"cannot read the free disk space: {error}") from error
        if too_little(space, self._min_free_bytes):
            floor = floor_bytes(space.size_bytes, self._min_free_bytes)
            raise DiskNearlyFull(f"{space.free_bytes} bytes free, below the floor of {floor}")
        _run(self._reader, "SELECT 1", NO_PARAMS)
        if self.write_failure is not None:
            async with self.transaction() as tx:
                await tx.execute("UPDATE alembic_version SET version_num = version_num")

    async def close(self) -> None:
        if self._committer is not None:
            await self._committer
        self._reader.close()
        self._writer.close()
