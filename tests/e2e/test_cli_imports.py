"""Management commands import only what they use: `salon keys list` (and its siblings over an
up-to-date SQLite database) must not load the web stack, Alembic, SQLAlchemy, argon2, aiohttp or
prometheus_client, which cost about a second together (`bench/cli_startup.py` times it). Checked
by module names in a fresh interpreter, which load on a busy machine cannot make flaky."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from e2e.salon_process import clean_env, run_cli

HEAVY = (
    "fastapi",
    "starlette",
    "uvicorn",
    "sqlalchemy",
    "alembic",
    "argon2",
    "aiohttp",
    "prometheus_client",
    "websockets",
    "pydantic",
)
PROBE = """
import json, sys
from salon.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def loaded_by(*args: str) -> set[str]:
    ran = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=60,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    report = json.loads(ran.stdout.splitlines()[-1])
    assert report["code"] == 0, ran.stdout
    return {name.split(".")[0] for name in report["modules"]}


@pytest.mark.parametrize(
    ("command", "needs"),
    [
        (("keys", "list"), set()),
        (("keys", "create", "--name", "ci"), set()),
        (("orgs", "list"), set()),
        (("domains", "list"), set()),
        (("webhooks", "list"), set()),
        # The accounts service hashes passwords; importing argon2 costs ~20 ms (its one slow
        # part, a hash made at import, is now made on first use).
        (("users", "list"), {"argon2"}),
    ],
)
def test_management_commands_do_not_load_the_web_stack(
    tmp_path: Path, command: tuple[str, ...], needs: set[str]
) -> None:
    assert run_cli("migrate", data_dir=tmp_path).returncode == 0
    heavy = loaded_by(*command, "--data-dir", str(tmp_path)) & set(HEAVY)
    assert heavy == needs


def test_a_fresh_database_is_still_migrated_by_a_management_command(tmp_path: Path) -> None:
    ran = run_cli("keys", "list", data_dir=tmp_path / "new")
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == "No API keys. Create one with: salon keys create --name NAME\n"
    again = loaded_by("keys", "list", "--data-dir", str(tmp_path / "new"))
    assert "alembic" not in again
