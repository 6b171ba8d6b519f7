"""`salon users …` and the first owner's set-up link in the banner of `salon serve`, against real
processes."""

import re
from pathlib import Path

import httpx

from e2e.salon_process import SalonServer, run_cli

PASSWORD = "correct horse battery"
SETUP_LINK = re.compile(r"^\s+(http://\S+/dashboard/setup/[\w-]+)\s*$", re.MULTILINE)


def users(data_dir: Path, *args: str, password: str | None = None) -> tuple[int, str, str]:
    ran = run_cli("users", *args, data_dir=data_dir, input_text=password)
    assert "Traceback" not in ran.stderr
    return ran.returncode, ran.stdout, ran.stderr


def test_serve_prints_a_setup_link_until_there_is_an_owner(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with SalonServer.on(log_dir=tmp_path / "logs", data_dir=data) as first:
        link = SETUP_LINK.search(first.stdout)
        assert link, first.stdout
        page = httpx.get(link.group(1))
        assert page.status_code == 200
        assert "Set up your dashboard" in page.text
    with SalonServer.on(log_dir=tmp_path / "logs2", data_dir=data) as second:
        again = SETUP_LINK.search(second.stdout)
        assert again, second.stdout  # no owner yet: a fresh link on each start
        assert again.group(1) != link.group(1)
    assert (
        users(
            data,
            "create",
            "ada@example.com",
            "--role",
            "owner",
            "--password-stdin",
            password=PASSWORD,
        )[0]
        == 0
    )
    with SalonServer.on(log_dir=tmp_path / "logs3", data_dir=data) as third:
        assert SETUP_LINK.search(third.stdout) is None
        assert f"  Dashboard:  {third.base_url}/dashboard\n" in third.stdout
        # The links printed before stop working once an owner exists.
        assert httpx.get(link.group(1).replace(first.base_url, third.base_url)).status_code == 410


def test_users_create_list_and_reset_password(tmp_path: Path) -> None:
    data = tmp_path / "data"
    code, out, _ = users(
        data,
        "create",
        "Ada@Example.com",
        "--role",
        "owner",
        "--password-stdin",
        password=PASSWORD + "\n",
    )
    assert code == 0
    assert out == "Created owner ada@example.com; they can sign in at /dashboard.\n"
    assert (
        users(
            data,
            "create",
            "bob@example.com",
            "--role",
            "member",
            "--password-stdin",
            password="another long password",
        )[0]
        == 0
    )
    code, out, _ = users(data, "list")
    assert code == 0
    assert [line.split()[:2] for line in out.splitlines()] == [
        ["ada@example.com", "owner"],
        ["bob@example.com", "member"],
    ]
    code, out, _ = users(
        data,
        "reset-password",
        "bob@example.com",
        "--password-stdin",
        password="a brand new password",
    )
    assert code == 0
    assert out == "New password set for bob@example.com; their sessions have ended.\n"


def test_users_commands_refuse_clearly(tmp_path: Path) -> None:
    data = tmp_path / "data"
    code, _, err = users(
        data, "create", "ada@example.com", "--role", "owner", "--password-stdin", password="short"
    )
    assert (code, err) == (1, "salon: use at least 10 characters\n")
    users(
        data, "create", "ada@example.com", "--role", "owner", "--password-stdin", password=PASSWORD
    )
    code, _, err = users(
        data, "create", "ada@example.com", "--role", "member", "--password-stdin", password=PASSWORD
    )
    assert (code, err) == (1, "salon: an account with e-mail ada@example.com exists already\n")
    code, _, err = users(
        data, "reset-password", "nobody@example.com", "--password-stdin", password=PASSWORD
    )
    assert (code, err) == (
        1,
        "salon: no account with e-mail nobody@example.com in this organization\n",
    )
    code, _, err = users(data, "list", "--org", "elsewhere")
    assert (code, err) == (1, "salon: no organization with subdomain 'elsewhere'\n")
    code, _, err = users(data, "create", "x@example.com", "--role", "admin", "--password-stdin")
    assert code == 2
    assert "invalid choice: 'admin'" in err
    code, _, err = users(data, "create", "x@example.com", "--role", "owner")
    assert code == 2
    assert "--password-stdin" in err
