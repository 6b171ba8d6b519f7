"""The `accounts`, `account_sessions` and `account_links` tables."""

from salon.accounts.model import Account, AccountId, AccountRole, LinkKind, OneTimeLink
from salon.ids import OrgId
from salon.storage.db import Database, Row, Transaction

_ACCOUNT_COLUMNS = "id, org_id, email, role, created_ms"
_LINK_COLUMNS = "token_digest, org_id, kind, email, role, created_ms, expires_ms, used_ms"


def _account(row: Row) -> Account:
    return Account(
        AccountId(int(row["id"])),
        OrgId(int(row["org_id"])),
        row["email"],
        AccountRole(row["role"]),
        int(row["created_ms"]),
    )


def _link(row: Row) -> OneTimeLink:
    used = row["used_ms"]
    return OneTimeLink(
        token_digest=row["token_digest"],
        org_id=OrgId(int(row["org_id"])),
        kind=LinkKind(row["kind"]),
        email=row["email"],
        role=AccountRole(row["role"]),
        created_ms=int(row["created_ms"]),
        expires_ms=int(row["expires_ms"]),
        used_ms=None if used is None else int(used),
    )


# --- accounts ----------------------------------------------------------------------------------


async def insert_account(
    tx: Transaction, org_id: OrgId, email: str, role: AccountRole, password_hash: str, now_ms: int
) -> Account:
    row = await tx.fetch_one(
        "INSERT INTO accounts (org_id, email, role, password_hash, created_ms)"
        f" VALUES (:org_id, :email, :role, :hash, :now) RETURNING {_ACCOUNT_COLUMNS}",
        {
            "org_id": org_id,
            "email": email,
            "role": role.value,
            "hash": password_hash,
            "now": now_ms,
        },
    )
    assert row is not None
    return _account(row)


async def get_account_by_email(
    db: Database | Transaction, email: str
) -> tuple[Account, str] | None:
    """The account and its password hash: what signing in needs."""
    row = await db.fetch_one(
        f"SELECT {_ACCOUNT_COLUMNS}, password_hash FROM accounts WHERE email = :email",
        {"email": email},
    )
    return None if row is None else (_account(row), str(row["password_hash"]))


async def get_account(
    db: Database | Transaction, org_id: OrgId, account_id: AccountId
) -> Account | None:
    row = await db.fetch_one(
        f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE id = :id AND org_id = :org_id",
        {"id": account_id, "org_id": org_id},
    )
    return None if row is None else _account(row)


async def list_accounts(db: Database | Transaction, org_id: OrgId) -> list[Account]:
    rows = await db.fetch_all(
        f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE org_id = :org_id ORDER BY email",
        {"org_id": org_id},
    )
    return [_account(row) for row in rows]


async def count_owners(db: Database | Transaction, org_id: OrgId) -> int:
    row = await db.fetch_one(
        "SELECT COUNT(*) AS n FROM accounts WHERE org_id = :org_id AND role = :owner",
        {"org_id": org_id, "owner": AccountRole.OWNER.value},
    )
    return 0 if row is None else int(row["n"])


async def set_password(tx: Transaction, account_id: AccountId, password_hash: str) -> None:
    await tx.execute(
        "UPDATE accounts SET password_hash = :hash WHERE id = :id",
        {"hash": password_hash, "id": account_id},
    )


async def set_role(
    tx: Transaction, org_id: OrgId, account_id: AccountId, role: AccountRole
) -> bool:
    changed = await tx.execute(
        "UPDATE accounts SET role = :role WHERE id = :id AND org_id = :org_id",
        {"role": role.value, "id": account_id, "org_id": org_id},
    )
    return changed > 0


async def delete_account(tx: Transaction, org_id: OrgId, account_id: AccountId) -> bool:
    await tx.execute("DELETE FROM account_sessions WHERE account_id = :id", {"id": account_id})
    changed = await tx.execute(
        "DELETE FROM accounts WHERE id = :id AND org_id = :org_id",
        {"id": account_id, "org_id": org_id},
    )
    return changed > 0


# --- sessions ----------------------------------------------------------------------------------


async def insert_session(
    tx: Transaction, digest: str, account_id: AccountId, now_ms: int, expires_ms: int
) -> None:
    await tx.execute(
        "INSERT INTO account_sessions (token_digest, account_id, created_ms, expires_ms)"
        " VALUES (:digest, :account_id, :now, :expires)",
        {"digest": digest, "account_id": account_id, "now": now_ms, "expires": expires_ms},
    )


async def get_session_account(db: Database, digest: str, now_ms: int) -> Account | None:
    """The account a live session belongs to."""
    row = await db.fetch_one(
        "SELECT a.id, a.org_id, a.email, a.role, a.created_ms FROM account_sessions s"
        " JOIN accounts a ON a.id = s.account_id"
        " WHERE s.token_digest = :digest AND s.expires_ms > :now",
        {"digest": digest, "now": now_ms},
    )
    return None if row is None else _account(row)


async def delete_session(tx: Transaction, digest: str) -> None:
    await tx.execute("DELETE FROM account_sessions WHERE token_digest = :d", {"d": digest})


async def delete_sessions_of(tx: Transaction, account_id: AccountId) -> int:
    return await tx.execute(
        "DELETE FROM account_sessions WHERE account_id = :id", {"id": account_id}
    )


async def delete_other_sessions(tx: Transaction, account_id: AccountId, keep_digest: str) -> int:
    return await tx.execute(
        "DELETE FROM account_sessions WHERE account_id = :id AND token_digest <> :keep",
        {"id": account_id, "keep": keep_digest},
    )


async def delete_expired_sessions(tx: Transaction, now_ms: int) -> int:
    return await tx.execute(
        "DELETE FROM account_sessions WHERE expires_ms <= :now", {"now": now_ms}
    )


# --- one-time links ------------------------------------------------------------------------------


async def insert_link(tx: Transaction, link: OneTimeLink) -> None:
    await tx.execute(
        f"INSERT INTO account_links ({_LINK_COLUMNS}) VALUES (:token_digest, :org_id, :kind,"
        " :email, :role, :created_ms, :expires_ms, NULL)",
        {
            "token_digest": link.token_digest,
            "org_id": link.org_id,
            "kind": link.kind.value,
            "email": link.email,
            "role": link.role.value,
            "created_ms": link.created_ms,
            "expires_ms": link.expires_ms,
        },
    )


async def get_link(db: Database | Transaction, digest: str) -> OneTimeLink | None:
    row = await db.fetch_one(
        f"SELECT {_LINK_COLUMNS} FROM account_links WHERE token_digest = :d", {"d": digest}
    )
    return None if row is None else _link(row)


async def use_link(tx: Transaction, digest: str, now_ms: int) -> bool:
    """Mark a link used, only if it is still usable: of two racing uses, one wins."""
    changed = await tx.execute(
        "UPDATE account_links SET used_ms = :now"
        " WHERE token_digest = :d AND used_ms IS NULL AND expires_ms > :now",
        {"d": digest, "now": now_ms},
    )
    return changed > 0


async def list_open_invites(db: Database, org_id: OrgId, now_ms: int) -> list[OneTimeLink]:
    rows = await db.fetch_all(
        f"SELECT {_LINK_COLUMNS} FROM account_links WHERE org_id = :org_id AND kind = :kind"
        " AND used_ms IS NULL AND expires_ms > :now ORDER BY created_ms DESC",
        {"org_id": org_id, "kind": LinkKind.INVITE.value, "now": now_ms},
    )
    return [_link(row) for row in rows]


async def delete_link(tx: Transaction, org_id: OrgId, digest: str) -> bool:
    changed = await tx.execute(
        "DELETE FROM account_links WHERE token_digest = :d AND org_id = :org_id",
        {"d": digest, "org_id": org_id},
    )
    return changed > 0
