"""The ids a log line is about (request, room, participant), carried by a context variable so
that every record logged while handling one request or one signaling connection knows them.

`RequestIds` gives each HTTP request an id (the caller's `X-Request-Id` when it is a sane token,
else a fresh one) and echoes it in the response; the signaling endpoint binds the room and the
participant once a socket has joined. The JSON log format prints them (`logs.JsonFormatter`)."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # logs.py imports this module, and the CLI must not load the web stack
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = b"x-request-id"
_SANE_ID = re.compile(rb"[A-Za-z0-9._-]{1,64}")

_ids: ContextVar[dict[str, str] | None] = ContextVar("salon_log_ids", default=None)


def current_ids() -> dict[str, str]:
    return _ids.get() or {}


def bind(**ids: str) -> None:
    """Add ids for the rest of this task (a request, a connection)."""
    _ids.set({**current_ids(), **ids})


class RequestIds:
    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self._app(scope, receive, send)
            return
        given = next((v for n, v in scope["headers"] if n == REQUEST_ID_HEADER), b"")
        request_id = given if _SANE_ID.fullmatch(given) else uuid.uuid4().hex.encode()
        token = _ids.set({"request_id": request_id.decode()})

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (REQUEST_ID_HEADER, request_id)]
            await send(message)

        try:
            await self._app(scope, receive, send_with_id)
        finally:
            _ids.reset(token)
