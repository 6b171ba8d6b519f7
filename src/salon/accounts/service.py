"""Accounts, sessions and one-time links: signing in and out, the first owner's set-up link,
invitations, roles. Every query is scoped to one organization except the two that must not be
(an e-mail address and a session token each name one account across the server)."""

import asyncio
import secrets

from salon.accounts.model import (
    LINK_TTL_MS,
    SESSION_TTL_MS,
    Account,
    AccountId,
    AccountRole,
    LinkKind,
    OneTimeLink,
    check_email,
)
from salon.accounts.passwords import check_password, hash_password, password_matches
from salon.accounts.throttle import SignInThrottle
from salon.accounts.tokens import new_token, token_digest
from salon.clock import Clock
from salon.cluster.local import LocalSignInLimiter
from salon.cluster.model import Reservation, SignInLimiter
from salon.errors import Conflict, InvalidInput, NotFound, RateLimited, Unauthorized
from salon.ids import OrgId
from salon.storage import accounts as rows
from salon.storage.db import Database, UniqueViolation
from salon.storage.settings import get_or_insert_setting

DASHBOARD_SECRET_SETTING = "dashboard_secret"  # noqa: S105 - the name, not the secret
SIGN_IN_REFUSED = "that e-mail address and password do not match an account"
WRONG_PASSWORD = "that is not your current password"  # noqa: S105 - a message


def _try_again_in(wait_ms: int) -> str:
    if wait_ms < 60_000:
        return "too many sign-in attempts; try again in a few seconds"
    minutes = -(-wait_ms // 60_000)
    return f"too many sign-in attempts; try again in {minutes} minute" + (
        "s" if minutes != 1 else ""
    )


class LinkUnusable(InvalidInput):
    """A one-time link that is unknown, used already or expired."""


class AccountService:
    def __init__(self, db: Database, clock: Clock, throttle: SignInLimiter | None = None) -> None:
        self._db = db
        self._clock = clock
        self.throttle = throttle or LocalSignInLimiter(SignInThrottle(clock))

    @staticmethod
    async def load_secret(db: Database) -> bytes:
        """The key CSRF tokens are made with, shared by every node through the database."""
        value = await get_or_insert_setting(db, DASHBOARD_SECRET_SETTING, secrets.token_hex(32))
        return bytes.fromhex(value)

    # --- accounts ---------------------------------------------------------------------------

    async def create_account(
        self, org_id: OrgId, email: str, role: AccountRole, password: str
    ) -> Account:
        checked = check_email(email)
        check_password(password, checked)
        hashed = await asyncio.to_thread(hash_password, password)
        try:
            async with self._db.transaction() as tx:
                return await rows.insert_account(tx, org_id, checked, role, hashed, self._clock())
        except UniqueViolation:
            raise Conflict(f"an account with e-mail {checked} exists already") from None

    async def reset_password(self, org_id: OrgId, email: str, password: str) -> Account:
        """Set a new password and sign the account out everywhere."""
        checked = check_email(email)
        found = await rows.get_account_by_email(self._db, checked)
        if found is None or found[0].org_id != org_id:
            raise NotFound(f"no account with e-mail {checked} in this organization")
        check_password(password, checked)
        hashed = await asyncio.to_thread(hash_password, password)
        async with self._db.transaction() as tx:
            await rows.set_password(tx, found[0].account_id, hashed)
            await rows.delete_sessions_of(tx, found[0].account_id)
        return found[0]

    async def change_password(
        self, account: Account, current: str, new: str, keep_session: str, client: str
    ) -> int:
        """Set a new password once the current one is proven; end the account's other sessions
        (how many). Wrong guesses count against the sign-in limit, as they would there."""
        attempt = await self._reserve(account.email, client)
        matches = False
        try:
            found = await rows.get_account_by_email(self._db, account.email)
            stored = None if found is None else found[1]
            matches = await asyncio.to_thread(password_matches, current, stored)
        finally:
            if not matches:
                await attempt.failed()
        if not matches:
            raise Unauthorized(WRONG_PASSWORD)
        await attempt.succeeded()
        check_password(new, account.email)
        hashed = await asyncio.to_thread(hash_password, new)
        async with self._db.transaction() as tx:
            await rows.set_password(tx, account.account_id, hashed)
            return await rows.delete_other_sessions(
                tx, account.account_id, token_digest(keep_session)
            )

    async def list_accounts(self, org_id: OrgId) -> list[Account]:
        return await rows.list_accounts(self._db, org_id)

    async def change_role(self, org_id: OrgId, account_id: AccountId, role: AccountRole) -> Account:
        async with self._db.transaction() as tx:
            current = await rows.get_account(tx, org_id, account_id)
            if current is None:
                raise NotFound("no such person in this organization")
            demoted = current.role is AccountRole.OWNER and role is not AccountRole.OWNER
            if demoted and await rows.count_owners(tx, org_id) <= 1:
                raise InvalidInput("the organization needs at least one owner")
            await rows.set_role(tx, org_id, account_id, role)
        return Account(current.account_id, org_id, current.email, role, current.created_ms)

    async def remove(self, org_id: OrgId, account_id: AccountId) -> Account:
        async with self._db.transaction() as tx:
            current = await rows.get_account(tx, org_id, account_id)
            if current is None:
                raise NotFound("no such person in this organization")
            if current.role is AccountRole.OWNER and await rows.count_owners(tx, org_id) <= 1:
                raise InvalidInput("the organization needs at least one owner")
            await rows.delete_account(tx, org_id, account_id)
        return current

    # --- signing in and out -------------------------------------------------------------------

    async def sign_in(self, email: str, password: str, client: str) -> tuple[Account, str]:
        """The account and a new session token; `RateLimited` after too many failures."""
        email = email.strip().lower()
        attempt = await self._reserve(email, client)
        matches = False
        try:
            found = await rows.get_account_by_email(self._db, email) if email else None
            stored = None if found is None else found[1]
            matches = await asyncio.to_thread(password_matches, password, stored)
        finally:
            if not matches:
                await attempt.failed()
        if not matches or found is None:
            raise Unauthorized(SIGN_IN_REFUSED)
        await attempt.succeeded()
        return found[0], await self.open_session(found[0].account_id)

    async def _reserve(self, email: str, client: str) -> Reservation:
        """An attempt reserved before the password is checked, or `RateLimited`."""
        attempt = await self.throttle.reserve(email, client)
        if attempt.wait_ms > 0:
            raise RateLimited(_try_again_in(attempt.wait_ms), attempt.wait_ms)
        return attempt

    async def open_session(self, account_id: AccountId) -> str:
        token = new_token()
        now = self._clock()
        async with self._db.transaction() as tx:
            # Expired sessions are never read again; each new one sweeps them away.
            await rows.delete_expired_sessions(tx, now)
            await rows.insert_session(
                tx, token_digest(token), account_id, now, now + SESSION_TTL_MS
            )
        return token

    async def session_account(self, token: str | None) -> Account | None:
        if not token:
            return None
        return await rows.get_session_account(self._db, token_digest(token), self._clock())

    async def sign_out(self, token: str) -> None:
        async with self._db.transaction() as tx:
            await rows.delete_session(tx, token_digest(token))

    async def sign_out_everywhere(self, account_id: AccountId) -> int:
        async with self._db.transaction() as tx:
            return await rows.delete_sessions_of(tx, account_id)

    # --- one-time links -----------------------------------------------------------------------

    async def needs_first_owner(self, org_id: OrgId) -> bool:
        return await rows.count_owners(self._db, org_id) == 0

    async def create_setup_link(self, org_id: OrgId) -> str:
        """A token for the first owner; a fresh one on each start until an owner exists."""
        return await self._new_link(org_id, LinkKind.SETUP, None, AccountRole.OWNER)

    async def invite(self, org_id: OrgId, email: str, role: AccountRole) -> str:
        checked = check_email(email)
        if await rows.get_account_by_email(self._db, checked) is not None:
            raise Conflict(f"{checked} has an account already")
        return await self._new_link(org_id, LinkKind.INVITE, checked, role)

    async def reset_link(self, org_id: OrgId, account_id: AccountId) -> tuple[Account, str]:
        """A one-time link that sets a new password for this person of the organization."""
        account = await rows.get_account(self._db, org_id, account_id)
        if account is None:
            raise NotFound("no such person in this organization")
        return account, await self._new_link(org_id, LinkKind.RESET, account.email, account.role)

    async def _new_link(
        self, org_id: OrgId, kind: LinkKind, email: str | None, role: AccountRole
    ) -> str:
        token = new_token()
        now = self._clock()
        expires = now + LINK_TTL_MS[kind]
        link = OneTimeLink(token_digest(token), org_id, kind, email, role, now, expires, None)
        async with self._db.transaction() as tx:
            await rows.insert_link(tx, link)
        return token

    async def link(self, token: str, kind: LinkKind) -> OneTimeLink:
        """A usable link of this kind, or `LinkUnusable` saying why not."""
        found = await rows.get_link(self._db, token_digest(token))
        if found is None or found.kind is not kind:
            raise LinkUnusable("this link is not valid; ask for a new one")
        if found.used_ms is not None:
            raise LinkUnusable("this link has been used already; ask for a new one")
        if not found.usable(self._clock()):
            raise LinkUnusable("this link has expired; ask for a new one")
        if kind is LinkKind.SETUP and not await self.needs_first_owner(found.org_id):
            raise LinkUnusable("this organization has an owner already; sign in instead")
        return found

    async def accept_link(
        self, token: str, kind: LinkKind, email: str | None, password: str
    ) -> tuple[Account, str]:
        """Create the account a link stands for (once) and sign it in."""
        link = await self.link(token, kind)
        address = check_email(link.email if link.email is not None else email or "")
        check_password(password, address)
        hashed = await asyncio.to_thread(hash_password, password)
        now = self._clock()
        try:
            async with self._db.transaction() as tx:
                if not await rows.use_link(tx, link.token_digest, now):
                    raise LinkUnusable("this link has been used already; ask for a new one")
                account = await rows.insert_account(
                    tx, link.org_id, address, link.role, hashed, now
                )
        except UniqueViolation:
            raise Conflict(f"an account with e-mail {address} exists already") from None
        return account, await self.open_session(account.account_id)

    async def accept_reset(self, token: str, password: str) -> tuple[Account, str]:
        """Set the password a reset link stands for (once), end every session of the account,
        and sign it in afresh."""
        link = await self.link(token, LinkKind.RESET)
        email = link.email or ""
        check_password(password, email)
        hashed = await asyncio.to_thread(hash_password, password)
        async with self._db.transaction() as tx:
            if not await rows.use_link(tx, link.token_digest, self._clock()):
                raise LinkUnusable("this link has been used already; ask for a new one")
            found = await rows.get_account_by_email(tx, email)
            if found is None or found[0].org_id != link.org_id:
                raise LinkUnusable("this account no longer exists")
            await rows.set_password(tx, found[0].account_id, hashed)
            await rows.delete_sessions_of(tx, found[0].account_id)
        return found[0], await self.open_session(found[0].account_id)

    async def open_invites(self, org_id: OrgId) -> list[OneTimeLink]:
        return await rows.list_open_invites(self._db, org_id, self._clock())

    async def revoke_invite(self, org_id: OrgId, digest: str) -> None:
        async with self._db.transaction() as tx:
            if not await rows.delete_link(tx, org_id, digest):
                raise NotFound("no such invitation")
