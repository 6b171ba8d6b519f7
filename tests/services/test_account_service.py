"""Accounts, sessions and one-time links on SQLite and PostgreSQL."""

import asyncio

import pytest

from helpers import FakeClock
from salon.accounts.model import (
    INVITE_TTL_MS,
    SESSION_TTL_MS,
    SETUP_LINK_TTL_MS,
    AccountRole,
    LinkKind,
)
from salon.accounts.service import SIGN_IN_REFUSED, AccountService, LinkUnusable
from salon.accounts.throttle import PER_PAIR, SLOWDOWN_AFTER
from salon.clock import MS_PER_HOUR
from salon.errors import Conflict, InvalidInput, NotFound, RateLimited, Unauthorized
from salon.ids import OrgId
from salon.orgs.service import OrgService
from salon.storage.db import Database

PASSWORD = "correct horse battery"
OWNER, MEMBER = AccountRole.OWNER, AccountRole.MEMBER


async def _orgs(database: Database, clock: FakeClock) -> tuple[OrgId, OrgId]:
    orgs = OrgService(database, clock)
    first, _ = await orgs.ensure_default()
    second = await orgs.create("other")
    return first.org_id, second.org_id


async def test_accounts_sign_in_and_out(database: Database, clock: FakeClock) -> None:
    org, _ = await _orgs(database, clock)
    accounts = AccountService(database, clock)
    ada = await accounts.create_account(org, " Ada@Example.com", OWNER, PASSWORD)
    assert (ada.email, ada.role, ada.org_id) == ("ada@example.com", OWNER, org)
    with pytest.raises(Conflict, match="exists already"):
        await accounts.create_account(org, "ada@example.com", MEMBER, PASSWORD)

    account, token = await accounts.sign_in("ADA@example.com", PASSWORD, "1.2.3.4")
    assert account == ada
    assert await accounts.session_account(token) == ada
    with pytest.raises(Unauthorized) as refused:
        await accounts.sign_in("ada@example.com", "wrong password!", "1.2.3.4")
    assert refused.value.message == SIGN_IN_REFUSED
    with pytest.raises(Unauthorized):
        await accounts.sign_in("nobody@example.com", PASSWORD, "1.2.3.4")

    await accounts.sign_out(token)
    assert await accounts.session_account(token) is None


async def test_sessions_expire_and_end_everywhere(database: Database, clock: FakeClock) -> None:
    org, _ = await _orgs(database, clock)
    accounts = AccountService(database, clock)
    ada = await accounts.create_account(org, "ada@example.com", OWNER, PASSWORD)
    first = await accounts.open_session(ada.account_id)
    second = await accounts.open_session(ada.account_id)
    assert await accounts.sign_out_everywhere(ada.account_id) == 2
    assert await accounts.session_account(first) is None
    assert await accounts.session_account(second) is None

    third = await accounts.open_session(ada.account_id)
    clock.advance(SESSION_TTL_MS)
    assert await accounts.session_account(third) is None


async def test_a_new_password_ends_every_session(database: Database, clock: FakeClock) -> None:
    org, other = await _orgs(database, clock)
    accounts = AccountService(database, clock)
    ada = await accounts.create_account(org, "ada@example.com", OWNER, PASSWORD)
    token = await accounts.open_session(ada.account_id)
    with pytest.raises(NotFound):
        await accounts.reset_password(other, "ada@example.com", "another long password")
    with pytest.raises(InvalidInput, match="at least"):
        await accounts.reset_password(org, "ada@example.com", "short")
    await accounts.reset_password(org, "ada@example.com", "another long password")
    assert await accounts.session_account(token) is None
    with pytest.raises(Unauthorized):
        await accounts.sign_in("ada@example.com", PASSWORD, "1.2.3.4")
    await accounts.sign_in("ada@example.com", "another long password", "1.2.3.4")


async def test_sign_in_is_rate_limited(database: Database, clock: FakeClock) -> None:
    org, _ = await _orgs(database, clock)
    accounts = AccountService(database, clock)
    await accounts.create_account(org, "ada@example.com", OWNER, PASSWORD)
    for _ in range(PER_PAIR):
        with pytest.raises(Unauthorized):
            await accounts.sign_in("ada@example.com", "not the password", "1.2.3.4")
    with pytest.raises(RateLimited, match="too many sign-in attempts; try again in 15 minutes"):
        await accounts.sign_in("ada@example.com", PASSWORD, "1.2.3.4")
    clock.advance(15 * 60_000)
    await accounts.sign_in("ada@example.com", PASSWORD, "1.2.3.4")


async def test_parallel_guesses_are_checked_only_up_to_the_limit(
    database: Database, clock: FakeClock
) -> None:
    """The attempt is reserved before the (awaited) password check, not counted after it."""
    org, _ = await _orgs(database, clock)
    accounts = AccountService(database, clock)
    await accounts.create_account(org, "ada@example.com", OWNER, PASSWORD)
    results = await asyncio.gather(
        *(accounts.sign_in("ada@example.com", f"guess {n}", "1.2.3.4") for n in range(30)),
        return_exceptions=True,
    )
    assert sum(isinstance(result, Unauthorized) for result in results) == PER_PAIR
    assert sum(isinstance(result, RateLimited) for result in results) == 30 - PER_PAIR


async def test_strangers_failing_do_not_lock_the_owner_out(
    database: Database, clock: FakeClock
) -> None:
    org, _ = await _orgs(database, clock)
    accounts = AccountService(database, clock)
    await accounts.create_account(org, "ada@example.com", OWNER, PASSWORD)
    for n in range(PER_PAIR):  # five failures from five addresses
        with pytest.raises(Unauthorized):
            await accounts.sign_in("ada@example.com", "not the password", f"10.0.0.{n}")
    await accounts.sign_in("ada@example.com", PASSWORD, "192.0.2.1")
    # Many more, until the account is paced: still no lockout for a client with no failures.
    for n in range(SLOWDOWN_AFTER + PER_PAIR):
        for _ in range(PER_PAIR):
            with pytest.raises((Unauthorized, RateLimited)):
                await accounts.sign_in("ada@example.com", "not the password", f"10.0.1.{n}")
    await accounts.sign_in("ada@example.com", PASSWORD, "192.0.2.2")


async def test_one_clients_failures_do_not_lock_its_other_accounts(
    database: Database, clock: FakeClock
) -> None:
    """Everyone behind one proxy shares an address: one person's guesses lock only them, and
    even four people locked out of their own accounts there leave a fifth free to sign in."""
    org, _ = await _orgs(database, clock)
    accounts = AccountService(database, clock)
    await accounts.create_account(org, "ada@example.com", OWNER, PASSWORD)
    await accounts.create_account(org, "bob@example.com", MEMBER, PASSWORD)
    for email in ("ada@example.com", "cy@example.com", "di@example.com", "ed@example.com"):
        for _ in range(PER_PAIR):
            with pytest.raises(Unauthorized):
                await accounts.sign_in(email, "not the password", "1.2.3.4")
        with pytest.raises(RateLimited):
            await accounts.sign_in(email, "not the password", "1.2.3.4")
    await accounts.sign_in("bob@example.com", PASSWORD, "1.2.3.4")


async def test_the_setup_link_works_once_and_expires(database: Database, clock: FakeClock) -> None:
    org, _ = await _orgs(database, clock)
    accounts = AccountService(database, clock)
    assert await accounts.needs_first_owner(org)
    stale = await accounts.create_setup_link(org)
    clock.advance(SETUP_LINK_TTL_MS)
    with pytest.raises(LinkUnusable, match="expired"):
        await accounts.accept_link(stale, LinkKind.SETUP, "ada@example.com", PASSWORD)

    token = await accounts.create_setup_link(org)
    with pytest.raises(LinkUnusable, match="not valid"):
        await accounts.link(token, LinkKind.INVITE)
    owner, session = await accounts.accept_link(token, LinkKind.SETUP, "ada@example.com", PASSWORD)
    assert owner.role is OWNER
    assert await accounts.session_account(session) == owner
    assert not await accounts.needs_first_owner(org)
    with pytest.raises(LinkUnusable, match="used already"):
        await accounts.accept_link(token, LinkKind.SETUP, "eve@example.com", PASSWORD)
    another = await accounts.create_setup_link(org)
    with pytest.raises(LinkUnusable, match="has an owner already"):
        await accounts.link(another, LinkKind.SETUP)


async def test_invitations(database: Database, clock: FakeClock) -> None:
    org, other = await _orgs(database, clock)
    accounts = AccountService(database, clock)
    await accounts.create_account(org, "ada@example.com", OWNER, PASSWORD)
    with pytest.raises(Conflict, match="has an account already"):
        await accounts.invite(org, "ada@example.com", MEMBER)
    token = await accounts.invite(org, "bob@example.com", MEMBER)
    [pending] = await accounts.open_invites(org)
    assert (pending.email, pending.role) == ("bob@example.com", MEMBER)
    assert await accounts.open_invites(other) == []
    with pytest.raises(NotFound):
        await accounts.revoke_invite(other, pending.token_digest)

    # The invitation fixes the address: what the form says is ignored.
    bob, _ = await accounts.accept_link(token, LinkKind.INVITE, "eve@example.com", PASSWORD)
    assert (bob.email, bob.role, bob.org_id) == ("bob@example.com", MEMBER, org)
    assert await accounts.open_invites(org) == []
    with pytest.raises(LinkUnusable, match="used already"):
        await accounts.accept_link(token, LinkKind.INVITE, None, PASSWORD)

    late = await accounts.invite(org, "cy@example.com", MEMBER)
    clock.advance(INVITE_TTL_MS + MS_PER_HOUR)
    with pytest.raises(LinkUnusable, match="expired"):
        await accounts.link(late, LinkKind.INVITE)

    withdrawn = await accounts.invite(org, "di@example.com", OWNER)
    [open_one] = await accounts.open_invites(org)
    await accounts.revoke_invite(org, open_one.token_digest)
    with pytest.raises(LinkUnusable, match="not valid"):
        await accounts.link(withdrawn, LinkKind.INVITE)


async def test_roles_and_removal_keep_an_owner(database: Database, clock: FakeClock) -> None:
    org, other = await _orgs(database, clock)
    accounts = AccountService(database, clock)
    ada = await accounts.create_account(org, "ada@example.com", OWNER, PASSWORD)
    bob = await accounts.create_account(org, "bob@example.com", MEMBER, PASSWORD)
    eve = await accounts.create_account(other, "eve@example.com", OWNER, PASSWORD)
    with pytest.raises(InvalidInput, match="at least one owner"):
        await accounts.change_role(org, ada.account_id, MEMBER)
    with pytest.raises(InvalidInput, match="at least one owner"):
        await accounts.remove(org, ada.account_id)
    with pytest.raises(NotFound):
        await accounts.change_role(org, eve.account_id, MEMBER)
    with pytest.raises(NotFound):
        await accounts.remove(org, eve.account_id)

    assert (await accounts.change_role(org, bob.account_id, OWNER)).role is OWNER
    await accounts.change_role(org, ada.account_id, MEMBER)
    session = await accounts.open_session(ada.account_id)
    await accounts.remove(org, ada.account_id)
    assert await accounts.session_account(session) is None
    assert [a.email for a in await accounts.list_accounts(org)] == ["bob@example.com"]
    assert [a.email for a in await accounts.list_accounts(other)] == ["eve@example.com"]
