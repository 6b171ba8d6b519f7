"""Picks the database engine for a URL; each engine's module is imported only when used, so a
command over SQLite never loads SQLAlchemy."""

from salon.storage.db import Database, Dialect, dialect_of, sqlite_path


def open_database(url: str, *, min_free_mib: int | None = None) -> Database:
    """`min_free_mib`: SQLite's readiness floor of free disk space (None: the default)."""
    if dialect_of(url) is Dialect.SQLITE:
        from salon.storage.free_space import MIB
        from salon.storage.sqlite import SqliteDatabase

        if min_free_mib is None:
            return SqliteDatabase(sqlite_path(url))
        return SqliteDatabase(sqlite_path(url), min_free_bytes=min_free_mib * MIB)
    from salon.storage.postgres import PostgresDatabase

    return PostgresDatabase(url)
