"""Passwords: the policy, and argon2id hashing. Pure (CPU only; callers run it off the loop).

The policy is NIST SP 800-63B's: a length floor, a generous ceiling, no composition rules; plus
the two checks that stop the commonest weak choices (the address itself, one repeated character).
"""

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from argon2.low_level import Type

from salon.errors import InvalidInput

MIN_LENGTH = 10
MAX_LENGTH = 256

# argon2-cffi's defaults follow RFC 9106's second recommended option (64 MiB, 3 passes).
_HASHER = PasswordHasher(type=Type.ID)


@functools.cache
def _unknown_account_hash() -> str:
    """Made on first use, not at import: one hash costs most of a second on a busy machine, and
    every command that imports this module (`salon users list`) would pay it."""
    return _HASHER.hash("a password nobody has; verified to keep timing level")


def check_password(password: str, email: str | None = None) -> str:
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"use at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"use at most {MAX_LENGTH} characters")
    if len(set(password)) == 1:
        raise InvalidInput("use more than one distinct character")
    if email is not None and password.strip().lower() == email.strip().lower():
        raise InvalidInput("the password must not be your e-mail address")
    return password


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def password_matches(password: str, stored_hash: str | None) -> bool:
    """Constant work whether or not the account exists: an unknown one verifies a dummy hash."""
    try:
        return _HASHER.verify(stored_hash or _unknown_account_hash(), password) and (
            stored_hash is not None
        )
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def is_argon2id(stored_hash: str) -> bool:
    return stored_hash.startswith("$argon2id$")
