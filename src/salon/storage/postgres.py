"""PostgreSQL through SQLAlchemy's async engine on asyncpg: the scale-out engine."""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import CursorResult, TextClause, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from salon.storage.db import (
    NO_PARAMS,
    Dialect,
    Params,
    Row,
    StorageUnavailable,
    UniqueViolation,
    async_postgres_url,
)

_UNIQUE_VIOLATION = "23505"


@lru_cache(maxsize=512)
def _statement(sql: str) -> TextClause:
    return text(sql)


async def _execute(connection: AsyncConnection, sql: str, params: Params) -> CursorResult[Any]:
    try:
        return await connection.execute(_statement(sql), dict(params))
    except IntegrityError as error:
        if getattr(error.orig, "sqlstate", None) == _UNIQUE_VIOLATION:
            raise UniqueViolation(str(error.orig)) from error
        raise
    except (DBAPIError, OSError) as error:
        raise StorageUnavailable(str(error)) from error


class _PostgresTransaction:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def execute(self, sql: str, params: Params = NO_PARAMS) -> int:
        return (await _execute(self._connection, sql, params)).rowcount

    async def fetch_one(self, sql: str, params: Params = NO_PARAMS) -> Row | None:
        return cast(Row | None, (await _execute(self._connection, sql, params)).mappings().first())

    async def fetch_all(self, sql: str, params: Params = NO_PARAMS) -> Sequence[Row]:
        return cast(Sequence[Row], (await _execute(self._connection, sql, params)).mappings().all())


class PostgresDatabase:
    dialect = Dialect.POSTGRESQL

    def __init__(self, url: str, pool_size: int = 10) -> None:
        self._engine = create_async_engine(
            async_postgres_url(url), pool_size=pool_size, max_overflow=pool_size, pool_timeout=10
        )

    async def fetch_one(self, sql: str, params: Params = NO_PARAMS) -> Row | None:
        try:
            async with self._engine.connect() as connection:
                return await _PostgresTransaction(connection).fetch_one(sql, params)
        except (DBAPIError, OSError) as error:  # connecting failed: the server is down
            raise StorageUnavailable(str(error)) from error

    async def fetch_all(self, sql: str, params: Params = NO_PARAMS) -> Sequence[Row]:
        try:
            async with self._engine.connect() as connection:
                return await _PostgresTransaction(connection).fetch_all(sql, params)
        except (DBAPIError, OSError) as error:
            raise StorageUnavailable(str(error)) from error

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_PostgresTransaction]:
        try:
            async with self._engine.begin() as connection:
                yield _PostgresTransaction(connection)
        except (DBAPIError, OSError) as error:  # connecting, beginning or committing failed
            raise StorageUnavailable(str(error)) from error

    async def ping(self) -> None:
        await self.fetch_one("SELECT 1")

    async def close(self) -> None:
        await self._engine.dispose()
