"""Allowed domains: which sites may frame an organization's rooms (docs/whereby-compatibility.md,
"Allowed domains"; docs/embedding.md). Pure.

An entry is `https://host`, `https://*.host`, `https://host:port` or `http://localhost:port`,
with no path. Room pages send `Content-Security-Policy: frame-ancestors 'self' <entries>`; with no
entries, only Salon's own pages may frame a room.
"""

import re

from salon.errors import InvalidInput

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST = rf"(?:\*\.)?{_LABEL}(?:\.{_LABEL})*"
_HTTPS_RE = re.compile(rf"https://({_HOST})(?::([0-9]{{1,5}}))?")
_LOCALHOST_RE = re.compile(r"http://localhost:([0-9]{1,5})")
MAX_DOMAINS = 100


def check_origin(value: str) -> str:
    """The normalised entry, or `InvalidInput` saying which form it must take."""
    origin = value.strip().lower().rstrip("/")
    https = _HTTPS_RE.fullmatch(origin)
    localhost = _LOCALHOST_RE.fullmatch(origin)
    port = https.group(2) if https else (localhost.group(1) if localhost else None)
    if (https is None and localhost is None) or (port is not None and not 0 < int(port) < 65536):
        raise InvalidInput(
            "an allowed domain reads https://host, https://*.host, https://host:port or "
            "http://localhost:port, with no path"
        )
    if https is not None and "." not in https.group(1) and https.group(1) != "localhost":
        raise InvalidInput("an allowed domain needs a full host name, such as https://example.com")
    return origin


def frame_ancestors(origins: list[str]) -> str:
    """The `Content-Security-Policy` value for a room page."""
    return " ".join(["frame-ancestors", "'self'", *origins])
