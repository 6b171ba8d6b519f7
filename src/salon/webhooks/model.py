"""Webhook endpoints, deliveries and the retry policy: the rules, without I/O."""

import ipaddress
import random
import secrets
import socket
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from salon.errors import InvalidInput
from salon.ids import OrgId
from salon.webhooks.destinations import Address, carried, parse_address

URL_MAX = 2000


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Endpoint:
    id: str
    org_id: OrgId
    url: str
    events: tuple[str, ...]
    secret: str
    enabled: bool
    created_ms: int
    updated_ms: int


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """A `5xx`, a timeout or a connection error is retried `retries` times, after
    `base_delay_ms`, then twice that, and so on, each with up to `jitter` of random spread."""

    retries: int = 2
    base_delay_ms: int = 1000
    factor: float = 2.0
    jitter: float = 0.2
    timeout_s: float = 5.0

    def delay_ms(self, failed_attempts: int) -> int:
        base = self.base_delay_ms * self.factor ** max(failed_attempts - 1, 0)
        return int(base * (1 + random.uniform(-self.jitter, self.jitter)))

    def retries_left(self, attempts: int) -> bool:
        return attempts <= self.retries


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one attempt gave: the HTTP status (None when no answer came) and an error."""

    status: int | None
    latency_ms: int
    error: str | None = None
    response: str | None = None
    refused: bool = False
    """The destination policy refused the address: final, never retried."""

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def retryable(self) -> bool:
        """A server error, a timeout or a broken connection; a 3xx or 4xx answer is final, and so
        is a refused address."""
        return not self.refused and (self.status is None or self.status >= 500)


def new_endpoint_id() -> str:
    return "wh_" + secrets.token_hex(8)


def new_delivery_id() -> str:
    return "dl_" + secrets.token_hex(10)


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def check_url(url: str, own_origins: frozenset[str]) -> str:
    """An absolute http(s) URL with a host, that does not point at this server."""
    url = url.strip()
    if len(url) > URL_MAX:
        raise InvalidInput(f"url must be at most {URL_MAX} characters")
    try:
        parts = urlsplit(url)
    except ValueError:
        raise InvalidInput("url is not a valid URL") from None
    if parts.scheme not in ("http", "https"):
        raise InvalidInput("url must start with http:// or https://")
    if not parts.hostname or any(ch.isspace() for ch in url):
        raise InvalidInput("url is not a valid URL")
    try:
        origin = origin_of(url)  # reads the port: out of range or not a number is a ValueError
    except ValueError:
        raise InvalidInput("url is not a valid URL") from None
    if origin in own_origins:
        raise InvalidInput("url must not point at this Salon server")
    return url


def origin_of(url: str) -> str:
    """`scheme://host:port`, the form `check_url` compares: the host without a trailing dot,
    and any loopback or unspecified address written as 127.0.0.1 (`127.1`, `0.0.0.0`, `::1`,
    `::ffff:127.0.0.1`)."""
    parts = urlsplit(url)
    default = 443 if parts.scheme == "https" else 80
    host = (parts.hostname or "").lower().rstrip(".")
    address: Address | None
    try:
        address = ipaddress.ip_address(socket.inet_ntoa(socket.inet_aton(host)))
    except OSError:
        address = parse_address(host)
    if address is not None:
        address = carried(address)
    local = address is not None and (address.is_loopback or address.is_unspecified)
    if local or host == "localhost":
        host = "127.0.0.1"
    return f"{parts.scheme}://{host}:{parts.port or default}"
