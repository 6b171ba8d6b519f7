"""API keys: how they look, how they are stored, how they are checked. Pure.

A key reads `salon_<id>_<secret>`: the id is public (it names the key in listings and logs), the
secret is 256 random bits. Only a SHA-256 digest of the secret is stored; a slow password hash
buys nothing for a secret with that much entropy. The check compares digests in constant time.
"""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from salon.errors import InvalidInput
from salon.ids import ApiKeyId, OrgId

KEY_PREFIX = "salon_"
ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
ID_LENGTH = 12
NAME_MAX = 100

_KEY_RE = re.compile(rf"{KEY_PREFIX}([a-z0-9]{{{ID_LENGTH}}})_([A-Za-z0-9_-]{{43}})")


@dataclass(frozen=True, slots=True)
class NewKey:
    key_id: ApiKeyId
    secret_digest: str
    plaintext: str
    """Shown once, to whoever created the key; never stored."""

    @property
    def display_prefix(self) -> str:
        return f"{KEY_PREFIX}{self.key_id}"


@dataclass(frozen=True, slots=True)
class ApiKey:
    key_id: ApiKeyId
    org_id: OrgId
    name: str
    created_ms: int
    last_used_ms: int | None

    @property
    def display_prefix(self) -> str:
        return f"{KEY_PREFIX}{self.key_id}"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def generate_key() -> NewKey:
    key_id = ApiKeyId("".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH)))
    secret = secrets.token_urlsafe(32)
    return NewKey(key_id, digest(secret), f"{KEY_PREFIX}{key_id}_{secret}")


def split_key(presented: str) -> tuple[ApiKeyId, str] | None:
    """The id and secret of a well-formed key, or None."""
    match = _KEY_RE.fullmatch(presented)
    if match is None:
        return None
    return ApiKeyId(match.group(1)), match.group(2)


def secret_matches(secret: str, stored_digest: str) -> bool:
    return hmac.compare_digest(digest(secret), stored_digest)


def check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise InvalidInput("name must not be empty")
    if len(name) > NAME_MAX:
        raise InvalidInput(f"name must be at most {NAME_MAX} characters")
    return name
