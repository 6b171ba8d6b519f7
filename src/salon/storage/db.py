"""What every storage module needs from a database, whichever engine runs it.

Storage modules write portable SQL with `:name` parameters (SQLite 3.35+ and PostgreSQL both
understand `INSERT ... RETURNING` and `ON CONFLICT`). Two engines implement `Database`:
`storage/sqlite.py` (the default; plain `sqlite3` with group commit, because the async SQLite
driver costs an order of magnitude) and `storage/postgres.py` (SQLAlchemy async on asyncpg).
Values are `int`, `str`, `bool` and `None` only: times are epoch milliseconds, JSON is text.
"""

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from enum import StrEnum
from typing import Any, Protocol

from salon.errors import StorageUnavailable as StorageUnavailable  # raised by the engines

Row = Mapping[str, Any]
Params = Mapping[str, object]
NO_PARAMS: Params = {}


class Dialect(StrEnum):
    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"


class Transaction(Protocol):
    """Statements that commit together or not at all."""

    async def execute(self, sql: str, params: Params = NO_PARAMS) -> int:
        """Run one statement; the number of rows it changed."""
        ...

    async def fetch_one(self, sql: str, params: Params = NO_PARAMS) -> Row | None: ...

    async def fetch_all(self, sql: str, params: Params = NO_PARAMS) -> Sequence[Row]: ...


class Database(Protocol):
    dialect: Dialect

    async def fetch_one(self, sql: str, params: Params = NO_PARAMS) -> Row | None:
        """Read outside any transaction: sees what is committed."""
        ...

    async def fetch_all(self, sql: str, params: Params = NO_PARAMS) -> Sequence[Row]: ...

    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        """A unit of work; leaving the block without an error returns only once it is durable."""
        ...

    async def ping(self) -> None:
        """Raise `StorageUnavailable` unless the database answers."""
        ...

    async def close(self) -> None: ...


def dialect_of(url: str) -> Dialect:
    scheme = url.split(":", 1)[0].split("+", 1)[0]
    if scheme == "sqlite":
        return Dialect.SQLITE
    if scheme in ("postgresql", "postgres"):
        return Dialect.POSTGRESQL
    raise ValueError(f"unsupported database URL scheme {scheme!r}: use sqlite:/// or postgresql://")


def sqlite_path(url: str) -> str:
    """The file of a `sqlite:///path` URL."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        raise ValueError("a SQLite URL reads sqlite:///path/to/file.db")
    return url[len(prefix) :]


def async_postgres_url(url: str) -> str:
    """Any PostgreSQL URL, pointed at the asyncpg driver."""
    rest = url.split("://", 1)[1]
    return f"postgresql+asyncpg://{rest}"


def sqlite_url(data_dir: str) -> str:
    return f"sqlite:///{data_dir.rstrip('/')}/salon.db"


class UniqueViolation(Exception):
    """A row with the same unique key exists already."""
