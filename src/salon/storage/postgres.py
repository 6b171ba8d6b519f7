"""PostgreSQL on asyncpg, the scale-out engine, with group commit for writes.

    reads ──► the pool (any connection; autocommit; no reset round trip on release)
    unit of work ──► SAVEPOINT, its statements, on the writer connection (under a lock)
                 └─► waits ──► the committer task: one COMMIT ──► every waiter resumes

As on SQLite (`storage/sqlite.py`), a unit's caller hears back only once its writes are durable
(the COMMIT returned, with `synchronous_commit` as the server has it, on by default), and every
unit that finished before the committer runs shares that COMMIT and its WAL flush. A unit that
fails is rolled back to its savepoint and does not disturb the others of its batch. A create is
two round trips on the writer (the savepoint, the INSERT) plus its share of one COMMIT.

Measured (`bench/api_create.py --database-url`): SQLAlchemy's async layer over asyncpg, one
transaction per request, created meetings at 0.125× the no-op route; the round trips of BEGIN and
COMMIT, a pool reset per checkout and the greenlet bridge cost more than the statement. asyncpg
directly, with these batches, is what is here. Statements keep their portable `:name` parameters,
turned into `$n` once per statement text.
"""

import asyncio
import contextlib
import re
import time
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import asyncpg

from salon.storage.db import NO_PARAMS, Dialect, Params, Row, StorageUnavailable, UniqueViolation

_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
_UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.PostgresError,  # any other refusal of a statement, as the SQLAlchemy engine had it
    asyncpg.InterfaceError,
)
_CONNECT_TIMEOUT_S = 10.0
MAX_BATCH = 48
"""Units per COMMIT at most. Each unit is a subtransaction (a savepoint, never released: the
release would cost a round trip and free nothing), and past 64 written subtransactions in one
transaction PostgreSQL's snapshots of every session slow down (the subtransaction cache
overflows)."""


@lru_cache(maxsize=512)
def _positional(sql: str) -> tuple[str, tuple[str, ...]]:
    """`:name` parameters as `$1…$n` (a name used twice is one parameter), and their order."""
    names: list[str] = []

    def number(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    return _NAMED.sub(number, sql), tuple(names)


def _arguments(sql: str, params: Params) -> tuple[str, list[object]]:
    text, names = _positional(sql)
    return text, [params[name] for name in names]


def _changed(status: str) -> int:
    """The row count of a command tag (`UPDATE 3`, `INSERT 0 1`); 0 for others."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


async def _run(connection: Any, how: str, sql: str, params: Params) -> Any:
    text, arguments = _arguments(sql, params)
    try:
        return await getattr(connection, how)(text, *arguments)
    except asyncpg.UniqueViolationError as error:
        raise UniqueViolation(str(error)) from error
    except _UNAVAILABLE as error:
        raise StorageUnavailable(f"{type(error).__name__}: {error}") from error


class _PostgresTransaction:
    __slots__ = ("_connection",)

    def __init__(self, connection: Any) -> None:
        self._connection = connection

    async def execute(self, sql: str, params: Params = NO_PARAMS) -> int:
        return _changed(await _run(self._connection, "execute", sql, params))

    async def fetch_one(self, sql: str, params: Params = NO_PARAMS) -> Row | None:
        row = await _run(self._connection, "fetchrow", sql, params)
        return None if row is None else dict(row)

    async def fetch_all(self, sql: str, params: Params = NO_PARAMS) -> Sequence[Row]:
        return [dict(row) for row in await _run(self._connection, "fetch", sql, params)]


async def _reset(connection: Any) -> None:
    """Salon sets no session state: a connection needs no reset query on release, only a
    rollback if something left a transaction open."""
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


class _Unit:
    __slots__ = ("_db",)

    def __init__(self, db: "PostgresDatabase") -> None:
        self._db = db

    async def __aenter__(self) -> _PostgresTransaction:
        return await self._db._begin_unit()

    async def __aexit__(self, kind: type[BaseException] | None, *_: object) -> None:
        await self._db._end_unit(failed=kind is not None)


class PostgresDatabase:
    dialect = Dialect.POSTGRESQL

    def __init__(self, url: str, pool_size: int = 10) -> None:
        rest = url.split("://", 1)[1]
        self._dsn = f"postgresql://{rest}"
        self._pool_size = pool_size
        self._pool: Any = None
        self._pool_lock = asyncio.Lock()
        self._write_lock = asyncio.Lock()
        self._writer: Any = None
        self._batch_open = False
        self._waiting: list[asyncio.Future[None]] = []
        self._committer: asyncio.Task[None] | None = None
        self.on_commit: Callable[[int, float], None] | None = None
        """Told (units in the batch, seconds the COMMIT took) after each commit: metrics."""

    async def _connections(self) -> Any:
        if self._pool is None:
            async with self._pool_lock:
                if self._pool is None:
                    try:
                        self._pool = await asyncpg.create_pool(
                            self._dsn,
                            min_size=0,
                            max_size=self._pool_size,
                            reset=_reset,
                            timeout=_CONNECT_TIMEOUT_S,
                        )
                    except _UNAVAILABLE as error:  # refused, down, a wrong password
                        raise StorageUnavailable(f"{type(error).__name__}: {error}") from error
        return self._pool

    async def _read(self, how: str, sql: str, params: Params) -> Any:
        pool = await self._connections()
        try:
            async with pool.acquire(timeout=_CONNECT_TIMEOUT_S) as connection:
                return await _run(connection, how, sql, params)
        except _UNAVAILABLE as error:  # acquiring (connecting) failed
            raise StorageUnavailable(f"{type(error).__name__}: {error}") from error

    async def fetch_one(self, sql: str, params: Params = NO_PARAMS) -> Row | None:
        row = await self._read("fetchrow", sql, params)
        return None if row is None else dict(row)

    async def fetch_all(self, sql: str, params: Params = NO_PARAMS) -> Sequence[Row]:
        return [dict(row) for row in await self._read("fetch", sql, params)]

    def transaction(self) -> _Unit:
        return _Unit(self)

    # --- group commit -------------------------------------------------------------------------

    async def _writer_connection(self) -> Any:
        if self._writer is None or self._writer.is_closed():
            pool = await self._connections()
            try:
                self._writer = await pool.acquire(timeout=_CONNECT_TIMEOUT_S)
            except _UNAVAILABLE as error:
                raise StorageUnavailable(f"{type(error).__name__}: {error}") from error
        return self._writer

    async def _abandon(self, reason: str) -> None:
        """The batch cannot commit: its waiters hear so, and the writer starts afresh (rolled
        back, or closed and replaced when it cannot even do that)."""
        self._lose_batch(reason)
        self._batch_open = False
        writer = self._writer
        if writer is None:
            return
        try:
            if writer.is_in_transaction():
                await writer.execute("ROLLBACK")
        except Exception:
            self._writer = None
            writer.terminate()
            with contextlib.suppress(Exception):
                await self._pool.release(writer)

    async def _begin_unit(self) -> _PostgresTransaction:
        await self._write_lock.acquire()
        try:
            writer = await self._writer_connection()
            if len(self._waiting) >= MAX_BATCH:
                await self._commit_now()
            # One round trip, two statements (the simple query protocol) when a batch opens.
            opening = "SAVEPOINT unit" if self._batch_open else "BEGIN; SAVEPOINT unit"
            await _run(writer, "execute", opening, NO_PARAMS)
            self._batch_open = True
        except BaseException as error:
            if isinstance(error, StorageUnavailable):
                await self._abandon(str(error))
            self._write_lock.release()
            raise
        return _PostgresTransaction(writer)

    async def _end_unit(self, failed: bool) -> None:
        try:
            writer = self._writer
            try:
                if writer is None:
                    raise StorageUnavailable("the connection to the database was lost")
                if failed:
                    await _run(writer, "execute", "ROLLBACK TO SAVEPOINT unit", NO_PARAMS)
            except StorageUnavailable as error:
                await self._abandon(str(error))
                if failed:
                    return
                raise
            if failed:
                if not self._waiting:  # nothing of this batch awaits a commit: close it
                    try:
                        await _run(writer, "execute", "ROLLBACK", NO_PARAMS)
                        self._batch_open = False
                    except StorageUnavailable as error:
                        await self._abandon(str(error))
                return
            durable = asyncio.get_running_loop().create_future()
            self._waiting.append(durable)
            if self._committer is None or self._committer.done():
                self._committer = asyncio.create_task(self._commit_batches())
        finally:
            self._write_lock.release()
        await durable

    def _lose_batch(self, reason: str) -> None:
        lost, self._waiting = self._waiting, []
        for durable in lost:
            if not durable.done():
                durable.set_exception(StorageUnavailable(reason))

    async def _commit_batches(self) -> None:
        while self._waiting:
            # One turn of the loop first, so that the units already under way join this batch.
            await asyncio.sleep(0)
            async with self._write_lock:
                await self._commit_now()

    async def _commit_now(self) -> None:
        """COMMIT the open batch (the write lock held), and tell its units."""
        batch, self._waiting = self._waiting, []
        if not batch:
            return
        outcome: BaseException | None = None
        started = time.perf_counter()
        try:
            await _run(self._writer, "execute", "COMMIT", NO_PARAMS)
            self._batch_open = False
        except StorageUnavailable as error:
            outcome = StorageUnavailable(f"commit failed: {error}")
            await self._abandon(str(outcome))
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
        await self.fetch_one("SELECT 1")

    async def close(self) -> None:
        if self._committer is not None:
            with contextlib.suppress(Exception):
                await self._committer
        if self._pool is not None:
            if self._writer is not None:
                with contextlib.suppress(Exception):
                    if self._writer.is_in_transaction():  # nothing of it was acknowledged
                        self._writer.terminate()
                    await self._pool.release(self._writer)
                self._writer = None
            await self._pool.close()
            self._pool = None
