"""The `salon` command line against real processes: `serve`, `keys`, `orgs`, `migrate`, on SQLite
and PostgreSQL, with flags and with `SALON_*` environment variables."""

import asyncio
import json
import os
import re
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from e2e.salon_process import HOST, SalonServer, free_port, run_cli

POSTGRES_ADMIN_URL = os.environ.get(
    "SALON_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
FUTURE = "2099-01-01T00:00:00Z"
ANY_KEY = re.compile(r"salon_[a-z0-9]{12}_\S+")


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def hello(server: SalonServer, key: str) -> httpx.Response:
    return httpx.get(f"{server.base_url}/v1/hello", headers=bearer(key))


def create_meeting(server: SalonServer, key: str) -> dict[str, Any]:
    created = httpx.post(
        f"{server.base_url}/v1/meetings", headers=bearer(key), json={"endDate": FUTURE}
    )
    assert created.status_code == 201, created.text
    meeting: dict[str, Any] = created.json()
    return meeting


def meeting_ids(server: SalonServer, key: str) -> set[str]:
    listed = httpx.get(f"{server.base_url}/v1/meetings", headers=bearer(key))
    assert listed.status_code == 200, listed.text
    return {m["meetingId"] for m in listed.json()["results"]}


def ok_json(server: SalonServer, *args: str) -> Any:
    """`salon ARGS… --json` on the server's database: exit 0, nothing on stderr but logs."""
    ran = server.cli(*args, "--json")
    assert ran.returncode == 0, ran.stderr
    return json.loads(ran.stdout)


def assert_refused(ran: subprocess.CompletedProcess[str], *words: str) -> None:
    """A non-zero exit, one clear `salon: …` line on stderr naming the problem, no traceback."""
    assert ran.returncode != 0
    assert "Traceback" not in ran.stderr
    message = [line for line in ran.stderr.splitlines() if line.startswith("salon: ")]
    assert len(message) == 1, ran.stderr
    for word in words:
        assert word in message[0], message[0]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SalonServer]:
    """One running server over SQLite for the management commands' tests."""
    root = tmp_path_factory.mktemp("cli")
    with SalonServer.on(log_dir=root / "logs", data_dir=root / "data") as running:
        yield running


# --- serve ---------------------------------------------------------------------------------------


def test_first_start_prints_the_base_url_and_a_first_key_and_later_starts_do_not(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    with SalonServer.on(log_dir=tmp_path / "logs", data_dir=data_dir) as first:
        assert f"Base URL:   {first.base_url}" in first.stdout
        key = first.first_key
        assert key is not None, first.stdout
        assert ANY_KEY.fullmatch(key)
        answer = hello(first, key)
        assert answer.status_code == 200
        assert answer.json()["subdomain"] == "default"
    assert (data_dir / "salon.db").is_file()

    with SalonServer.on(log_dir=tmp_path / "logs", data_dir=data_dir) as second:
        assert f"Base URL:   {second.base_url}" in second.stdout
        assert second.first_key is None, second.stdout
        assert not ANY_KEY.search(second.stdout)
        # The first key was stored: it still works after the restart.
        assert hello(second, key).status_code == 200


def test_environment_variables_stand_in_for_port_and_data_dir(tmp_path: Path) -> None:
    data_dir = tmp_path / "from-env"
    port = free_port()
    env = {"SALON_PORT": str(port), "SALON_DATA_DIR": str(data_dir)}
    with SalonServer(["--host", HOST], port=port, log_dir=tmp_path / "logs", env=env) as running:
        assert f"Base URL:   http://{HOST}:{port}" in running.stdout
        assert f"--data-dir {data_dir}" in running.stdout
        assert (data_dir / "salon.db").is_file()
        first = running.first_key
        assert first is not None
        # The management commands read SALON_DATA_DIR too: a key made with no flag works.
        made = run_cli("keys", "create", "--name", "from-env", "--json", env=env)
        assert made.returncode == 0, made.stderr
        assert hello(running, json.loads(made.stdout)["key"]).status_code == 200
        assert hello(running, first).status_code == 200


def test_a_malformed_environment_variable_is_refused_clearly(tmp_path: Path) -> None:
    ran = run_cli("keys", "list", env={"SALON_DATA_DIR": str(tmp_path), "SALON_PORT": "eighty"})
    assert_refused(ran, "SALON_PORT")
    assert not list(tmp_path.iterdir())


# --- keys ----------------------------------------------------------------------------------------


def test_keys_create_json_prints_id_name_and_key_only(server: SalonServer) -> None:
    made = ok_json(server, "keys", "create", "--name", "ci")
    assert set(made) == {"id", "name", "key"}
    assert made["name"] == "ci"
    assert made["key"].startswith(f"salon_{made['id']}_")
    assert ANY_KEY.fullmatch(made["key"])
    # Made by another process while the server runs, it works at once.
    assert hello(server, made["key"]).status_code == 200


def test_keys_list_shows_a_key_but_never_its_secret(server: SalonServer) -> None:
    made = ok_json(server, "keys", "create", "--name", "listed")
    listed = server.cli("keys", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    entries = {k["id"]: k for k in json.loads(listed.stdout)}
    assert entries[made["id"]]["name"] == "listed"
    secret = made["key"].removeprefix(f"salon_{made['id']}_")
    assert secret not in listed.stdout
    assert not ANY_KEY.search(listed.stdout)

    plain = server.cli("keys", "list")
    assert plain.returncode == 0, plain.stderr
    assert made["id"] in plain.stdout
    assert "listed" in plain.stdout
    assert secret not in plain.stdout


def test_keys_rename_shows_in_the_list_and_the_key_keeps_working(server: SalonServer) -> None:
    made = ok_json(server, "keys", "create", "--name", "before")
    renamed = server.cli("keys", "rename", made["id"], "after")
    assert renamed.returncode == 0, renamed.stderr
    entries = {k["id"]: k for k in ok_json(server, "keys", "list")}
    assert entries[made["id"]]["name"] == "after"
    assert hello(server, made["key"]).status_code == 200


def test_a_deleted_key_is_refused_by_the_running_server_at_once(server: SalonServer) -> None:
    doomed = ok_json(server, "keys", "create", "--name", "doomed")
    kept = ok_json(server, "keys", "create", "--name", "kept")
    assert hello(server, doomed["key"]).status_code == 200

    deleted = server.cli("keys", "delete", doomed["id"])
    assert deleted.returncode == 0, deleted.stderr

    refused = hello(server, doomed["key"])
    assert refused.status_code == 401
    assert "error" in refused.json()
    assert hello(server, kept["key"]).status_code == 200
    assert doomed["id"] not in {k["id"] for k in ok_json(server, "keys", "list")}
    assert_refused(server.cli("keys", "delete", doomed["id"]), doomed["id"])


def test_renaming_an_unknown_key_is_refused(server: SalonServer) -> None:
    assert_refused(server.cli("keys", "rename", "nosuchkey000", "x"), "nosuchkey000")


# --- orgs ----------------------------------------------------------------------------------------


def test_an_organization_key_sees_only_its_organizations_meetings(server: SalonServer) -> None:
    org = ok_json(server, "orgs", "create", "acme")
    assert org["subdomain"] == "acme"
    subdomains = {o["subdomain"] for o in ok_json(server, "orgs", "list")}
    assert {"default", "acme"} <= subdomains

    default_key = ok_json(server, "keys", "create", "--name", "home")["key"]
    acme_key = ok_json(server, "keys", "create", "--org", "acme", "--name", "acme")["key"]
    assert hello(server, acme_key).json()["subdomain"] == "acme"
    assert hello(server, default_key).json()["subdomain"] == "default"

    at_home = create_meeting(server, default_key)["meetingId"]
    at_acme = create_meeting(server, acme_key)["meetingId"]

    seen_by_acme = meeting_ids(server, acme_key)
    seen_at_home = meeting_ids(server, default_key)
    assert seen_by_acme == {at_acme}
    assert at_home in seen_at_home
    assert at_acme not in seen_at_home
    other = httpx.get(f"{server.base_url}/v1/meetings/{at_home}", headers=bearer(acme_key))
    assert other.status_code == 404

    acme_keys = ok_json(server, "keys", "list", "--org", "acme")
    assert [k["name"] for k in acme_keys] == ["acme"]


def test_a_bad_subdomain_is_refused_clearly(server: SalonServer) -> None:
    bad = ["Not Valid!", "edge-", "a" * 64]
    for subdomain in bad:
        ran = server.cli("orgs", "create", subdomain)
        assert_refused(ran, "subdomain")
        assert ran.stdout == ""
    subdomains = {o["subdomain"] for o in ok_json(server, "orgs", "list")}
    assert not subdomains & set(bad)


def test_a_duplicate_organization_is_refused_clearly(server: SalonServer) -> None:
    first = server.cli("orgs", "create", "twice")
    assert first.returncode == 0, first.stderr
    assert_refused(server.cli("orgs", "create", "twice"), "twice", "exists")
    assert_refused(server.cli("orgs", "create", "default"), "default", "exists")


def test_a_key_for_an_unknown_organization_is_refused_clearly(server: SalonServer) -> None:
    ran = server.cli("keys", "create", "--org", "nowhere", "--name", "x", "--json")
    assert_refused(ran, "nowhere")
    assert ran.stdout == ""


# --- migrate -------------------------------------------------------------------------------------


def test_migrate_twice_on_a_fresh_data_dir(tmp_path: Path) -> None:
    for _ in range(2):
        ran = run_cli("migrate", data_dir=tmp_path)
        assert ran.returncode == 0, ran.stderr
        assert "up to date" in ran.stdout
    assert (tmp_path / "salon.db").is_file()
    made = run_cli("keys", "create", "--name", "after-migrate", "--json", data_dir=tmp_path)
    assert made.returncode == 0, made.stderr


# --- PostgreSQL ----------------------------------------------------------------------------------


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=10)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """A fresh, empty database of this test's own, dropped at the end."""
    name = f"salon_e2e_{secrets.token_hex(6)}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_the_server_and_the_cli_work_on_postgresql(postgres_database: str, tmp_path: Path) -> None:
    for _ in range(2):
        migrated = run_cli("migrate", database_url=postgres_database)
        assert migrated.returncode == 0, migrated.stderr
        assert "up to date" in migrated.stdout

    with SalonServer.on(log_dir=tmp_path / "logs", database_url=postgres_database) as running:
        assert "Database:   postgresql" in running.stdout
        first = running.first_key
        assert first is not None, running.stdout
        made = ok_json(running, "keys", "create", "--name", "pg")
        assert hello(running, made["key"]).status_code == 200
        meeting = create_meeting(running, first)
        assert meeting_ids(running, made["key"]) == {meeting["meetingId"]}
