"""Accounts, their roles and one-time links, as values. Pure.

An account belongs to exactly one organization, as its `owner` or a `member`; an e-mail address
names one account across the whole server, so signing in needs no organization name.
"""

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import NewType

from salon.clock import MS_PER_HOUR
from salon.errors import InvalidInput
from salon.ids import OrgId

AccountId = NewType("AccountId", int)

EMAIL_MAX = 254
_EMAIL_RE = re.compile(
    r"[^@\s]{1,64}@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+"
)

SETUP_LINK_TTL_MS = 24 * MS_PER_HOUR
INVITE_TTL_MS = 7 * 24 * MS_PER_HOUR
RESET_LINK_TTL_MS = 24 * MS_PER_HOUR
SESSION_TTL_MS = 14 * 24 * MS_PER_HOUR


class AccountRole(StrEnum):
    OWNER = "owner"
    MEMBER = "member"


class LinkKind(StrEnum):
    SETUP = "setup"
    """The first owner's link, printed by `salon serve` while the organization has no owner."""
    INVITE = "invite"
    RESET = "reset"
    """A new password for an existing account, made by an owner (Salon sends no e-mail)."""


LINK_TTL_MS = {
    LinkKind.SETUP: SETUP_LINK_TTL_MS,
    LinkKind.INVITE: INVITE_TTL_MS,
    LinkKind.RESET: RESET_LINK_TTL_MS,
}


@dataclass(frozen=True, slots=True)
class Account:
    account_id: AccountId
    org_id: OrgId
    email: str
    role: AccountRole
    created_ms: int


@dataclass(frozen=True, slots=True)
class OneTimeLink:
    """A link's stored facts; its token exists only in the URL handed out once."""

    token_digest: str
    org_id: OrgId
    kind: LinkKind
    email: str | None
    role: AccountRole
    created_ms: int
    expires_ms: int
    used_ms: int | None

    def usable(self, now_ms: int) -> bool:
        return self.used_ms is None and now_ms < self.expires_ms


def check_email(value: str) -> str:
    """The address lower-cased and trimmed, or `InvalidInput`."""
    email = value.strip().lower()
    if not email:
        raise InvalidInput("enter an e-mail address")
    if len(email) > EMAIL_MAX or not _EMAIL_RE.fullmatch(email):
        raise InvalidInput("enter an e-mail address such as ada@example.com")
    return email


def check_role(value: str) -> AccountRole:
    try:
        return AccountRole(value.strip().lower())
    except ValueError:
        raise InvalidInput("the role is owner or member") from None
