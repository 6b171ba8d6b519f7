"""HTTP metrics by route template, and the `/metrics` page itself.

`HttpMetrics` is a pure ASGI middleware outside every other one: after the app answers it reads
the route the router matched (`/v1/meetings/{meetingId}`, never the path itself, so room names
and ids stay out of labels) and the status it sent. WebSockets are counted by the signaling
metrics instead.
"""

import hmac
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from salon.metrics.events import HTTP_REQUESTS, HTTP_SECONDS, RATE_LIMITED
from salon.metrics.exposition import Exposition

UNMATCHED = "<unmatched>"
METRICS_PATH = "/metrics"
RATE_LIMITED_STATUS = 429
_AREAS = (("/v1", "api"), ("/dashboard", "dashboard"))


def route_of(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else UNMATCHED


def area_of(path: str) -> str:
    for prefix, area in _AREAS:
        if path == prefix or path.startswith(prefix + "/"):
            return area
    return "other"


class HttpMetrics:
    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the server answers if the app raises before starting a response

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self._app(scope, receive, send_and_note)
        finally:
            route, method = route_of(scope), str(scope.get("method", ""))
            HTTP_REQUESTS.labels(route, method, str(status)).inc()
            HTTP_SECONDS.labels(route, method).observe(time.perf_counter() - started)
            if status == RATE_LIMITED_STATUS:
                RATE_LIMITED.labels(area_of(str(scope.get("path", "")))).inc()


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization" and value[:7].lower() == b"bearer ":
            token: str = value[7:].strip().decode("latin-1")
            return token
    return None


async def _answer(send: Send, status: int, body: bytes, content_type: str) -> None:
    headers = [
        (b"content-type", content_type.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    if status == 401:
        headers.append((b"www-authenticate", b'Bearer realm="metrics"'))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class MetricsEndpoint:
    """`GET /metrics` in front of `app` (or alone, with `app` None, on the metrics port).

    With a `token`, the request must carry `Authorization: Bearer <token>` (compared in constant
    time), else 401 with a JSON error like the API's."""

    def __init__(self, app: ASGIApp | None, exposition: Exposition, token: str | None) -> None:
        self._app = app
        self._exposition = exposition
        self._token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path") == METRICS_PATH:
            await self._serve(scope, send)
        elif self._app is not None:
            await self._app(scope, receive, send)
        elif scope["type"] == "http":
            await _answer(
                send,
                404,
                b'{"error":"only /metrics is served here","code":"not_found"}',
                "application/json",
            )
        elif scope["type"] == "lifespan":
            message = await receive()
            while message["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
                message = await receive()
            await send({"type": "lifespan.shutdown.complete"})

    async def _serve(self, scope: Scope, send: Send) -> None:
        if self._token is not None:
            given = _bearer(scope)
            if given is None or not hmac.compare_digest(given.encode(), self._token.encode()):
                await _answer(
                    send,
                    401,
                    b'{"error":"a valid metrics bearer token is required","code":"unauthorized"}',
                    "application/json",
                )
                return
        if scope.get("method") not in ("GET", "HEAD"):
            await _answer(
                send,
                405,
                b'{"error":"use GET","code":"method_not_allowed"}',
                "application/json",
            )
            return
        body, content_type = await self._exposition.render()
        await _answer(send, 200, body, content_type)
