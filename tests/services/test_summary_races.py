"""One live summary per transcript, even when creates race: the service's check answers most,
and the database's unique index of live summaries (migration 0012) answers the create that
passed the check meanwhile, with the same 409 and message. On SQLite and PostgreSQL; and on
PostgreSQL with two nodes, whose transactions cannot see each other's insert."""

import asyncio
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import asyncpg
import pytest

from helpers import Api, FakeClock, make_api
from salon.app import open_database
from salon.storage import migrate
from salon.storage import summaries as summary_rows
from salon.storage.db import Database, Transaction, async_postgres_url

if TYPE_CHECKING:
    from sqlalchemy import Connection
from services.test_summaries import create, transcript

WITHIN_S = 20.0
MIGRATIONS = Path(migrate.__file__).parent / "migrations"


def conflict_for(transcription_id: str, summary_id: str) -> str:
    return (
        f"transcription {transcription_id!r} has a summary already ({summary_id});"
        " delete it to make another"
    )


async def live_summaries(api: Api, transcription_id: str) -> list[str]:
    found = await api.database.fetch_all(
        "SELECT id FROM summaries WHERE transcription_id = :id AND deleted_ms IS NULL",
        {"id": transcription_id},
    )
    return [str(row["id"]) for row in found]


async def test_concurrent_creates_make_one_summary(api: Api, tmp_path: Path) -> None:
    transcription_id = await transcript(api, tmp_path, "tr-1")
    answers = await asyncio.gather(
        *(create(api, {"transcriptionId": transcription_id}) for _ in range(6))
    )
    created = [answer for answer in answers if answer.status_code == 201]
    assert len(created) == 1, [answer.text for answer in answers]
    winner = created[0].json()["summaryId"]
    for answer in answers:
        if answer is not created[0]:
            assert answer.status_code == 409
            assert answer.json()["error"] == conflict_for(transcription_id, winner)
    assert await live_summaries(api, transcription_id) == [winner]


async def test_a_create_whose_check_missed_the_other_is_refused_by_the_index(
    api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check of a transaction that began before the other committed sees nothing: the
    insert is what must fail."""
    transcription_id = await transcript(api, tmp_path, "tr-1")
    first = await create(api, {"transcriptionId": transcription_id})
    assert first.status_code == 201
    real = summary_rows.live_for
    stale = [True]

    async def missed(db: Database | Transaction, transcription: str) -> str | None:
        if stale.pop() if stale else False:
            return None
        return await real(db, transcription)

    monkeypatch.setattr(summary_rows, "live_for", missed)
    second = await create(api, {"transcriptionId": transcription_id, "template": "SOAP"})
    assert second.status_code == 409, second.text
    assert second.json()["error"] == conflict_for(transcription_id, first.json()["summaryId"])
    assert await live_summaries(api, transcription_id) == [first.json()["summaryId"]]
    jobs = await api.database.fetch_all("SELECT kind FROM jobs")
    assert len(jobs) == 1  # the refused create's job went with its insert


@pytest.fixture
async def two_nodes(
    postgres_url: str, clock: FakeClock, tmp_path: Path
) -> AsyncIterator[tuple[Api, Api]]:
    """Two apps on one PostgreSQL database, each with its own engine (its own writer)."""

    async def empty() -> None:
        connection = await asyncpg.connect(postgres_url, timeout=10)
        try:
            await connection.execute("TRUNCATE orgs, jobs RESTART IDENTITY CASCADE")
        finally:
            await connection.close()

    await empty()
    databases = [open_database(postgres_url), open_database(postgres_url)]
    apis = [await make_api(db, clock, data_dir=str(tmp_path)) for db in databases]
    try:
        yield apis[0], apis[1]
    finally:
        for made in apis:
            await made.client.aclose()
        for db in databases:
            await db.close()
        await empty()


async def test_two_nodes_creating_at_once_make_one_summary_on_postgresql(
    two_nodes: tuple[Api, Api], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both creates pass the check before either inserts (held there until both have): the
    index lets one insert through and refuses the other once the first commits."""
    one, other = two_nodes
    transcription_id = await transcript(one, tmp_path, "tr-1")
    real = summary_rows.live_for
    checked: list[str | None] = []
    both_checked = asyncio.Event()

    async def racing(db: Database | Transaction, transcription: str) -> str | None:
        found = await real(db, transcription)
        if len(checked) < 2:
            checked.append(found)
            if len(checked) == 2:
                both_checked.set()
            await asyncio.wait_for(both_checked.wait(), WITHIN_S)
        return found

    monkeypatch.setattr(summary_rows, "live_for", racing)
    answers = await asyncio.gather(
        create(one, {"transcriptionId": transcription_id}),
        create(other, {"transcriptionId": transcription_id, "template": "SOAP"}),
    )
    assert checked == [None, None]  # the race happened: neither saw the other's summary
    assert sorted(answer.status_code for answer in answers) == [201, 409], [
        answer.text for answer in answers
    ]
    winner = next(answer for answer in answers if answer.status_code == 201).json()["summaryId"]
    loser = next(answer for answer in answers if answer.status_code == 409)
    assert loser.json()["error"] == conflict_for(transcription_id, winner)
    assert await live_summaries(one, transcription_id) == [winner]


ROWS = [  # id, transcription, created, deleted
    ("s-old", "t-1", 1, None), ("s-new", "t-1", 2, None), ("s-same", "t-1", 2, None),
    ("s-gone", "t-1", 0, 5), ("s-only", "t-2", 3, None),
]  # fmt: skip


def _duplicates_through_0012(connection: "Connection") -> dict[str, int | None]:
    """Migrate to 0011, write summaries as a race left them, migrate to 0012: their states."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "0011")
    connection.execute(text("INSERT INTO orgs (id, subdomain, created_ms) VALUES (7, 'o', 0)"))
    for summary_id, transcription_id, created, deleted in ROWS:
        connection.execute(
            text(
                "INSERT INTO summaries (id, org_id, transcription_id, template, state, summary,"
                " created_ms, modified_ms, summariser, deleted_ms) VALUES"
                " (:id, 7, :t, 'SOAP', 'ready', '{}', :c, :c, 'x', :d)"
            ),
            {"id": summary_id, "t": transcription_id, "c": created, "d": deleted},
        )
    command.upgrade(config, "0012")
    found = connection.execute(text("SELECT id, deleted_ms FROM summaries"))
    return {row[0]: row[1] for row in found}


async def test_migration_0012_keeps_the_oldest_of_duplicates_a_race_left(
    database_url: str,
) -> None:
    """Summaries written before the index: the oldest live one of a transcript stays, later
    ones are marked deleted; deleted ones and other transcripts' are left as they were."""
    from sqlalchemy import create_engine
    from sqlalchemy.ext.asyncio import create_async_engine

    if database_url.startswith("sqlite"):
        engine = create_engine(database_url.replace("salon.db", "before-0012.db"))

        def run() -> dict[str, int | None]:
            with engine.begin() as connection:
                return _duplicates_through_0012(connection)

        try:
            state = await asyncio.to_thread(run)
        finally:
            engine.dispose()
    else:
        name = f"salon_0012_{secrets.token_hex(4)}"
        admin = await asyncpg.connect(database_url, timeout=10)
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
            engine_async = create_async_engine(
                async_postgres_url(database_url.rsplit("/", 1)[0] + f"/{name}")
            )
            try:
                async with engine_async.begin() as connection:
                    state = await connection.run_sync(_duplicates_through_0012)
            finally:
                await engine_async.dispose()
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()
    assert state["s-old"] is None
    assert state["s-only"] is None
    assert state["s-gone"] == 5
    assert state["s-new"] is not None
    assert state["s-same"] is not None
