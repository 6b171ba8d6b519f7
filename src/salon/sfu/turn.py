"""The ICE servers a participant gets in its join answer, with time-limited TURN credentials in
the TURN REST scheme (what coturn's `use-auth-secret` checks). Pure.

    username   = "<expiry, epoch seconds>:<participant id>"
    credential = base64(HMAC-SHA1(secret, username))
"""

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

DEFAULT_TTL_S = 12 * 3600
"""Long enough for a long meeting; a resumed or new join gets fresh credentials."""


def turn_credentials(secret: str, participant_id: str, now_s: int, ttl_s: int) -> tuple[str, str]:
    """(username, credential) valid until now + ttl."""
    username = f"{now_s + ttl_s}:{participant_id}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


def split_urls(spec: str | None) -> list[str]:
    return [url.strip() for url in (spec or "").split(",") if url.strip()]


@dataclass(frozen=True, slots=True)
class IceServers:
    stun_urls: tuple[str, ...] = ()
    turn_urls: tuple[str, ...] = ()
    turn_secret: str | None = None
    ttl_s: int = DEFAULT_TTL_S

    def __post_init__(self) -> None:
        if self.turn_urls and not self.turn_secret:
            raise ValueError("TURN URLs need a TURN secret (--turn-secret)")
        for url in self.turn_urls:
            if not url.startswith(("turn:", "turns:")):
                raise ValueError(f"a TURN URL starts with turn: or turns:, not {url!r}")

    def for_participant(self, participant_id: str, now_ms: int) -> list[dict[str, Any]]:
        """What `RTCPeerConnection({iceServers})` takes, for this participant, now."""
        servers: list[dict[str, Any]] = []
        if self.stun_urls:
            servers.append({"urls": list(self.stun_urls)})
        if self.turn_urls and self.turn_secret:
            username, credential = turn_credentials(
                self.turn_secret, participant_id, now_ms // 1000, self.ttl_s
            )
            servers.append(
                {"urls": list(self.turn_urls), "username": username, "credential": credential}
            )
        return servers
