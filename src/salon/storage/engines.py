"""Picks the database engine for a URL; each engine's module is imported only when used, so a
command over SQLite never loads SQLAlchemy."""

from salon.storage.db import Database, Dialect, dialect_of, sqlite_path


def open_database(url: str) -> Database:
    if dialect_of(url) is Dialect.SQLITE:
        from salon.storage.sqlite import SqliteDatabase

        return SqliteDatabase(sqlite_path(url))
    from salon.storage.postgres import PostgresDatabase

    return PostgresDatabase(url)
