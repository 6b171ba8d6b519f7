"""`salon users …`: dashboard accounts from the shell (create, reset a password, list)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TextIO

from salon.accounts.model import check_role
from salon.ids import OrgId

if TYPE_CHECKING:  # argon2 and the accounts service load only when a `users` command runs
    from salon.accounts.service import AccountService


def add_commands(
    commands: Any, storage: argparse.ArgumentParser, org: argparse.ArgumentParser
) -> None:
    actions = commands.add_parser("users", help="dashboard accounts").add_subparsers(
        dest="action", required=True
    )
    password = argparse.ArgumentParser(add_help=False)
    password.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help="read the password from standard input (its first line)",
    )
    create = actions.add_parser("create", parents=[storage, org, password], help="add a person")
    create.add_argument("email")
    create.add_argument("--role", choices=["owner", "member"], required=True)
    reset = actions.add_parser(
        "reset-password", parents=[storage, org, password], help="set a new password"
    )
    reset.add_argument("email")
    listing = actions.add_parser("list", parents=[storage, org], help="list the people")
    listing.add_argument("--json", action="store_true", help="print JSON")


def _password(stream: TextIO) -> str:
    """The first line of standard input, without its line ending (a password may hold spaces)."""
    return stream.readline().rstrip("\r\n")


def _when(epoch_ms: int) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


async def run(
    accounts: AccountService, org_id: OrgId, args: argparse.Namespace, stdin: TextIO = sys.stdin
) -> int:
    if args.action == "create":
        account = await accounts.create_account(
            org_id, args.email, check_role(args.role), _password(stdin)
        )
        print(f"Created {account.role.value} {account.email}; they can sign in at /dashboard.")
    elif args.action == "reset-password":
        account = await accounts.reset_password(org_id, args.email, _password(stdin))
        print(f"New password set for {account.email}; their sessions have ended.")
    else:
        people = await accounts.list_accounts(org_id)
        if args.json:
            print(
                json.dumps(
                    [
                        {"email": a.email, "role": a.role.value, "createdAt": _when(a.created_ms)}
                        for a in people
                    ]
                )
            )
        elif not people:
            print("No accounts. Create one with:")
            print("  salon users create EMAIL --role owner --password-stdin")
        for account in [] if args.json else people:
            print(f"{account.email}  {account.role.value}  created {_when(account.created_ms)}")
    return 0
