"""`/readyz` and `salon_ready` on SQLite follow the free space of the database's file system: a
full disk is "not ready" even while reads and some writes still succeed (SQLite writes into space
its WAL already holds). The free-space reader is handed in, so no disk is filled here."""

import shutil
from pathlib import Path

from helpers import FakeClock, make_api
from salon.storage.free_space import MIB, FreeSpace, read_free_space
from salon.storage.sqlite import SqliteDatabase

SIZE = 10 * 1024 * MIB


async def test_readyz_is_503_while_the_disk_is_below_its_floor(
    sqlite_template: Path, tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "salon.db"
    shutil.copyfile(sqlite_template, path)
    space = FreeSpace(SIZE, SIZE)
    database = SqliteDatabase(str(path), min_free_bytes=64 * MIB, free_space=lambda: space)
    api = await make_api(database, clock, data_dir=str(tmp_path))
    try:
        assert (await api.client.get("/readyz")).status_code == 200

        space = FreeSpace(63 * MIB, SIZE)
        answer = await api.client.get("/readyz")
        assert answer.status_code == 503
        assert answer.json() == {"status": "unavailable", "error": "database disk nearly full"}
        scrape, _ = await api.app.state.metrics.render()
        assert b"\nsalon_ready 0.0\n" in scrape  # the metric says the same
        # The API still answers what it can: reads work on a full disk.
        assert (await api.client.get("/v1/meetings", headers=api.auth)).status_code == 200

        space = FreeSpace(65 * MIB, SIZE)
        assert (await api.client.get("/readyz")).status_code == 200
    finally:
        await api.client.aclose()
        await database.close()


def test_the_reader_measures_the_database_folder(tmp_path: Path) -> None:
    usage = shutil.disk_usage(tmp_path)
    space = read_free_space(str(tmp_path))()
    assert space.size_bytes == usage.total
    assert 0 <= space.free_bytes <= usage.free  # f_bavail: root's reserve left out
