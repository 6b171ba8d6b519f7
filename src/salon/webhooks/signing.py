"""The `Whereby-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`. Pure.

Receivers verify with `verify(body, header, secret)`; a team's existing Whereby verification code
works unchanged, because the body is the exact compact JSON that was signed.
"""

import hashlib
import hmac
import time

HEADER = "Whereby-Signature"
DEFAULT_TOLERANCE_S = 300


class InvalidSignature(Exception):
    """The header is missing, malformed, stale, or does not match the body."""


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """The header value for `body` signed at `timestamp` (unix seconds)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(
    body: bytes | str,
    header: str,
    secret: str,
    *,
    tolerance: int = DEFAULT_TOLERANCE_S,
    now: float | None = None,
) -> int:
    """Check a delivery; its timestamp when genuine, else `InvalidSignature` saying why.

    `body` must be the raw request body; `tolerance` is how many seconds old (or early) a
    timestamp may be, against replays (0 turns the check off).
    """
    raw = body.encode() if isinstance(body, str) else body
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    timestamp_text, signature = parts.get("t", ""), parts.get("v1", "")
    if not (timestamp_text.isascii() and timestamp_text.isdigit()) or not signature:
        raise InvalidSignature("the header must read t=<unix seconds>,v1=<hex digest>")
    timestamp = int(timestamp_text)
    expected = sign(raw, secret, timestamp).split("v1=", 1)[1]
    if not hmac.compare_digest(expected, signature):
        raise InvalidSignature("the signature does not match the body")
    current = time.time() if now is None else now
    if tolerance and abs(current - timestamp) > tolerance:
        raise InvalidSignature("the timestamp is outside the tolerance")
    return timestamp
