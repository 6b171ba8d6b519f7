"""One signed POST of a delivery, and what it gave: the dispatcher's HTTP side.

aiohttp rather than httpx: on this machine kind httpx tops out below 1,000 requests/s from one
process, aiohttp sends several thousand (bench/webhooks.py prints both clients' rates).

Each organization has a connection pool of its own, so endpoints of one tenant that hang cannot
hold the connections another tenant's deliveries need. Every socket is checked against the
destination policy just before it connects, on the address it is about to connect to: what a
name resolved to at registration does not matter, and neither does a name that resolves
somewhere else now (DNS rebinding). A refused delivery never opens a connection.

The error text kept for an attempt is one of a few fixed phrases: an exception's own text names
the address and port, and a tenant reading "connection refused" against "timed out" for each
port would have a port scanner.
"""

import asyncio
import socket
import time
from collections.abc import Callable

import aiohttp
from aiohttp.abc import AbstractResolver

from salon.webhooks.destinations import NOT_ALLOWED, DestinationPolicy, parse_address
from salon.webhooks.model import Outcome
from salon.webhooks.signing import HEADER, sign

RESPONSE_KEPT = 500
USER_AGENT = "Salon-Webhooks/1"
POOL_CONNECTIONS = 64
"""Connections of one organization's pool (the dispatcher keeps as many in flight at most)."""


class AddressNotAllowed(OSError):
    """A socket was about to connect to an address the policy refuses."""

    def __init__(self) -> None:
        super().__init__(NOT_ALLOWED)


class Sender:
    """Connection pools for webhook POSTs, one per pool key (the organization), each opened by
    its first POST (inside the running loop, where aiohttp wants it); `close()` when done.

    `resolver` replaces the system's name resolution (tests)."""

    def __init__(
        self,
        policy: DestinationPolicy | None = None,
        *,
        connections: int = POOL_CONNECTIONS,
        resolver: Callable[[], AbstractResolver] | None = None,
    ) -> None:
        self.policy = policy or DestinationPolicy()
        self._connections = connections
        self._resolver = resolver
        self._pools: dict[object, aiohttp.ClientSession] = {}

    def _session(self, key: object) -> aiohttp.ClientSession:
        pool = self._pools.get(key)
        if pool is None:
            connector = aiohttp.TCPConnector(
                limit=self._connections,
                limit_per_host=0,
                socket_factory=self._socket,
                resolver=None if self._resolver is None else self._resolver(),
            )
            pool = self._pools[key] = aiohttp.ClientSession(
                connector=connector,
                # A receiver's cookies must never travel with another endpoint's deliveries.
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=False,
                skip_auto_headers=("Accept-Encoding",),
            )
        return pool

    def _socket(self, addr_info: tuple[object, ...]) -> socket.socket:
        """aiohttp's socket factory: the last step before `connect()`, on the very address."""
        family, kind, proto, _, address = addr_info
        assert isinstance(address, tuple)
        found = parse_address(str(address[0]))
        if found is None or not self.policy.permits(found):
            raise AddressNotAllowed()
        return socket.socket(family, kind, proto)  # type: ignore[arg-type]

    async def post(
        self, url: str, body: bytes, secret: str, timeout_s: float, pool: object = None
    ) -> Outcome:
        headers = {
            "Content-Type": "application/json",
            HEADER: sign(body, secret, int(time.time())),
            "User-Agent": USER_AGENT,
        }
        # The loop's clock, the one the timeout is set on: a timed-out attempt never reads as
        # shorter than its timeout.
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            # `total` bounds the whole exchange, so a receiver that trickles its answer is cut off.
            async with self._session(pool).post(
                url,
                data=body,
                headers=headers,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=timeout_s),
            ) as response:
                kept = await _head_of_body(response)
                status = response.status
        except TimeoutError:
            return Outcome(None, _elapsed_ms(loop, started), "timed out")
        except (aiohttp.ClientError, OSError, ValueError) as error:
            if _refused(error):
                return Outcome(None, _elapsed_ms(loop, started), NOT_ALLOWED, refused=True)
            return Outcome(None, _elapsed_ms(loop, started), describe(error))
        # Kept for the delivery log: printable text only (PostgreSQL refuses NUL in text).
        text = kept.decode("utf-8", "replace").replace("\x00", "\ufffd")[:RESPONSE_KEPT] or None
        failure = None if 200 <= status < 300 else f"HTTP {status}"
        return Outcome(status, _elapsed_ms(loop, started), failure, text)

    async def close(self) -> None:
        pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            await pool.close()


async def _head_of_body(response: aiohttp.ClientResponse) -> bytes:
    """The first bytes of the answer, enough for the log; the rest is not read (a receiver
    answering with megabytes costs nothing: the connection is dropped instead of reused)."""
    wanted = RESPONSE_KEPT * 4  # UTF-8: up to four bytes a character
    kept = b""
    while len(kept) < wanted and (chunk := await response.content.read(wanted - len(kept))):
        kept += chunk
    return kept


def _refused(error: BaseException) -> bool:
    """Whether the policy refused the connection, however deep aiohttp wrapped it."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, AddressNotAllowed):
            return True
        seen.add(id(current))
        wrapped = getattr(current, "os_error", None)
        current = wrapped if isinstance(wrapped, BaseException) else current.__cause__
    return False


def describe(error: BaseException) -> str:
    """A fixed phrase per kind of failure: never an address, a port or a library's own text."""
    if isinstance(error, aiohttp.ClientConnectorDNSError):
        return "could not resolve the host name"
    if isinstance(error, aiohttp.ClientConnectorCertificateError):
        return "the TLS certificate was not accepted"
    if isinstance(error, aiohttp.ClientConnectorSSLError | aiohttp.ClientSSLError):
        return "the TLS handshake failed"
    if isinstance(error, aiohttp.ClientConnectorError):
        return "could not connect"
    if isinstance(error, aiohttp.ServerDisconnectedError):
        return "the connection closed without an answer"
    if isinstance(error, aiohttp.ClientResponseError):
        return "the answer was not valid HTTP"
    if isinstance(error, aiohttp.ClientPayloadError):
        return "the answer's body was cut short"
    if isinstance(error, aiohttp.InvalidURL | ValueError):
        return "the URL is not valid"
    return "the connection failed"


def _elapsed_ms(loop: asyncio.AbstractEventLoop, started: float) -> int:
    return round((loop.time() - started) * 1000)
