"""One signed POST of a delivery, and what it gave: the dispatcher's HTTP side.

aiohttp rather than httpx: on this machine kind httpx tops out below 1,000 requests/s from one
process, aiohttp sends several thousand (bench/webhooks.py prints both clients' rates).
"""

import asyncio
import time

import aiohttp

from salon.webhooks.model import Outcome
from salon.webhooks.signing import HEADER, sign

RESPONSE_KEPT = 500
USER_AGENT = "Salon-Webhooks/1"


class Sender:
    """A connection pool for webhook POSTs, opened by the first one (inside the running loop,
    where aiohttp wants it); `close()` when done."""

    def __init__(self, *, max_connections: int = 256, per_host: int = 64) -> None:
        self._limits = (max_connections, per_host)
        self._pool: aiohttp.ClientSession | None = None

    def _session(self) -> aiohttp.ClientSession:
        if self._pool is None:
            total, per_host = self._limits
            self._pool = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=total, limit_per_host=per_host),
                # A receiver's cookies must never travel with another endpoint's deliveries.
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=False,
                skip_auto_headers=("Accept-Encoding",),
            )
        return self._pool

    async def post(self, url: str, body: bytes, secret: str, timeout_s: float) -> Outcome:
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
            async with self._session().post(
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
            return Outcome(None, _elapsed_ms(loop, started), _describe(error))
        # Kept for the delivery log: printable text only (PostgreSQL refuses NUL in text).
        text = kept.decode("utf-8", "replace").replace("\x00", "\ufffd")[:RESPONSE_KEPT] or None
        failure = None if 200 <= status < 300 else f"HTTP {status}"
        return Outcome(status, _elapsed_ms(loop, started), failure, text)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None


async def _head_of_body(response: aiohttp.ClientResponse) -> bytes:
    """The first bytes of the answer, enough for the log; the rest is not read (a receiver
    answering with megabytes costs nothing: the connection is dropped instead of reused)."""
    wanted = RESPONSE_KEPT * 4  # UTF-8: up to four bytes a character
    kept = b""
    while len(kept) < wanted and (chunk := await response.content.read(wanted - len(kept))):
        kept += chunk
    return kept


def _describe(error: BaseException) -> str:
    reason = str(error) or "no answer"
    return f"{type(error).__name__}: {reason}"[:500]


def _elapsed_ms(loop: asyncio.AbstractEventLoop, started: float) -> int:
    return round((loop.time() - started) * 1000)
