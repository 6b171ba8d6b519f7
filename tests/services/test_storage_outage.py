"""The database refusing writes (down, or its disk full) while rooms are busy: joins and leaves
still work and leave no participant behind that no socket owns; the records and their webhooks
follow, in order, once writes work again. And SQLite's own failure path: a write that fails for
lack of space fails its unit (no waiter hangs), readiness reports it until a write succeeds."""

import asyncio
import shutil
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import pytest

from helpers import Api
from salon.rooms.recorder import RoomRecorder
from salon.rooms.service import RoomService
from salon.signaling import messages
from salon.storage.db import Database, Params, Row, StorageUnavailable, Transaction
from salon.storage.sqlite import SqliteDatabase
from services.room_harness import Rooms, eventually

WITHIN_S = 10.0


class RefusingWrites:
    """A database whose writes fail while `refusing` is set (reads still work)."""

    def __init__(self, inner: Database) -> None:
        self.inner = inner
        self.dialect = inner.dialect
        self.refusing = False
        self.refused = 0

    async def fetch_one(self, sql: str, params: Params | None = None) -> Row | None:
        return await self.inner.fetch_one(sql, params or {})

    async def fetch_all(self, sql: str, params: Params | None = None) -> Sequence[Row]:
        return await self.inner.fetch_all(sql, params or {})

    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        return self._transaction()

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[Transaction]:
        if self.refusing:
            self.refused += 1
            raise StorageUnavailable("database or disk is full")
        async with self.inner.transaction() as tx:
            yield tx

    async def ping(self) -> None:
        await self.inner.ping()

    async def close(self) -> None:
        pass


async def test_leaves_during_an_outage_are_recorded_later_and_joins_wait_for_the_database(
    api: Api,
) -> None:
    flaky = RefusingWrites(api.database)
    recorder = RoomRecorder(flaky, api.app.state.services.orgs)
    service = RoomService(
        api.app.state.services.meetings,
        recorder,
        api.clock,
        encode=messages.encode,
        session_end_grace_s=0.01,
    )
    rooms = Rooms(api, service)
    meeting = await rooms.meeting()
    members = [await rooms.join(meeting) for _ in range(4)]
    flaky.refusing = True
    for member in members:
        assert await rooms.send(member, "leave") is None
    # `joined` means the join is on record: while writes fail, a join is refused and leaves no
    # ghost behind (the room would otherwise answer `room-full`).
    for _ in range(4):
        with pytest.raises(StorageUnavailable):
            await rooms.join(meeting)
    flaky.refusing = False

    async def leaves_recorded() -> bool:
        # The rows show a write as soon as it commits; the recorder lets joins in again only once
        # its queue (the leaves and the session end behind them) is empty.
        rows = await rooms.participants(meeting)
        return (
            recorder.waiting == 0
            and len(rows) == 4
            and all(row["left_ms"] is not None for row in rows.values())
        )

    await eventually(leaves_recorded, "the 4 leaves recorded once writes work again")
    again = [await rooms.join(meeting) for _ in range(4)]
    assert all(m.client.of("joined") for m in again)
    for member in again:
        assert await rooms.send(member, "leave") is None

    async def all_recorded() -> bool:
        rows = await rooms.participants(meeting)
        return len(rows) == 8 and all(row["left_ms"] is not None for row in rows.values())

    await eventually(all_recorded, "the 8 joins and leaves recorded")

    async def sessions_ended() -> bool:
        sessions = await rooms.sessions(meeting)
        return bool(sessions) and all(session["ended_ms"] is not None for session in sessions)

    await eventually(sessions_ended, "every session recorded as ended")
    await service.stop()


@pytest.fixture
async def sqlite(tmp_path: Path, sqlite_template: Path) -> AsyncIterator[SqliteDatabase]:
    path = tmp_path / "salon.db"
    shutil.copyfile(sqlite_template, path)
    db = SqliteDatabase(str(path))
    try:
        yield db
    finally:
        await db.close()


async def insert(db: SqliteDatabase, n: int) -> None:
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO server_settings (name, value) VALUES (:n, :v)",
            {"n": f"k{n}", "v": "x" * 20_000},
        )


async def test_sqlite_out_of_space_fails_the_writes_and_readiness_until_a_write_succeeds(
    sqlite: SqliteDatabase,
) -> None:
    pages = await sqlite.fetch_one("PRAGMA page_count")
    assert pages is not None
    # SQLite's own "database or disk is full" (SQLITE_FULL), without filling a real disk.
    sqlite._writer.execute(f"PRAGMA max_page_count = {pages['page_count']}")
    outcomes = await asyncio.wait_for(
        asyncio.gather(*(insert(sqlite, n) for n in range(8)), return_exceptions=True), WITHIN_S
    )
    assert outcomes
    assert all(isinstance(outcome, StorageUnavailable) for outcome in outcomes), outcomes
    assert sqlite.write_failure is not None
    sqlite._writer.execute("PRAGMA max_page_count = 1073741823")
    await asyncio.wait_for(sqlite.ping(), WITHIN_S)  # a write probe: it works again
    assert sqlite.write_failure is None
    await asyncio.wait_for(insert(sqlite, 100), WITHIN_S)
    row = await sqlite.fetch_one("SELECT COUNT(*) AS n FROM server_settings WHERE name = 'k100'")
    assert row == {"n": 1}
