"""Session tokens, one-time link tokens and CSRF tokens. Pure.

Session and link tokens are 256 random bits; only their SHA-256 digest is stored (a slow hash
buys nothing at that entropy), so a copy of the database opens no session. A CSRF token is an
HMAC of the browser's session (or, before sign-in, of a pre-session cookie) under a server
secret: a page of another site can neither read nor compute it.
"""

import hashlib
import hmac
import secrets

TOKEN_BYTES = 32


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def csrf_token(server_secret: bytes, binding: str) -> str:
    """The token every form of this browser carries, bound to its session or pre-session."""
    mac = hmac.new(server_secret, b"csrf:" + binding.encode("utf-8", "surrogatepass"), "sha256")
    return mac.hexdigest()


def csrf_matches(server_secret: bytes, binding: str, presented: str | None) -> bool:
    if not presented or not binding:
        return False
    return hmac.compare_digest(csrf_token(server_secret, binding), presented)
