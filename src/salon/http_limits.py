"""Time and connection limits on the HTTP server's sockets, which uvicorn does not have.

uvicorn times out an idle keep-alive connection, but a client that sends its request headers, or
its body, a byte at a time holds its connection (and its task) for ever; enough of them hold every
file descriptor. This protocol, uvicorn's own httptools one with three additions, closes:

- a connection whose request headers are not complete `headers_s` after it opened, or after the
  request's first byte (on a kept-alive connection): `408`, then closed;
- a request whose body is not complete `body_s` after its headers: `408`, then closed (the
  application, waiting on the body, sees the client disconnect);
- a request on a connection past `max_connections` open ones (WebSockets included): uvicorn's
  `limit_concurrency` answers `503`, and this closes the connection after it (uvicorn would keep
  it alive).

WebSockets leave this protocol at their upgrade, and with it these timers.
"""

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

_TIMEOUT = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: 16\r\nconnection: close\r\n\r\nrequest too slow"
)


def limited_protocol(
    *, headers_s: float, body_s: float, max_connections: int
) -> type[asyncio.Protocol]:
    """uvicorn's `http=` protocol class, with these limits (0 turns one off)."""

    class LimitedHttpProtocol(HttpToolsProtocol):
        _timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm(headers_s)

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def on_message_begin(self) -> None:
            super().on_message_begin()
            if self._timer is None:
                self._arm(headers_s)

        def on_headers_complete(self) -> None:
            self._disarm()
            super().on_headers_complete()
            if max_connections and len(self.connections) >= max_connections and self.cycle:
                self.cycle.keep_alive = False  # refused (uvicorn's check): free the socket
            if not (self.parser.should_upgrade() and self._should_upgrade()):
                self._arm(body_s)

        def on_message_complete(self) -> None:
            self._disarm()
            super().on_message_complete()

        def handle_websocket_upgrade(self) -> None:
            self._disarm()
            super().handle_websocket_upgrade()

        def _arm(self, seconds: float) -> None:
            self._disarm()
            if seconds > 0:
                self._timer = self.loop.call_later(seconds, self._too_slow)

        def _disarm(self) -> None:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

        def _too_slow(self) -> None:
            self._timer = None
            if self.transport.is_closing():
                return
            cycle: Any = self.cycle
            if cycle is None or not cycle.response_started:
                self.transport.write(_TIMEOUT)
            self.transport.close()

    return LimitedHttpProtocol
