"""A small async client for the Janus gateway's WebSocket API (subprotocol `janus-protocol`).

    JanusSession.open(url) ──create──► session ──attach──► JanusHandle ──message──► (data, jsep)
    reader task: frames ──transaction──► the waiting request
                        └─sender─────► the handle's event callback (webrtcup, media, hangup, …)
    keepalive task: every KEEPALIVE_S, or the session is declared lost

One WebSocket carries one Janus session. Every request has a deadline; when the socket closes or
a keepalive goes unanswered, every waiting request fails with `JanusGone` and `on_lost` runs once,
so the owner can rebuild on another (or a restarted) instance.
"""

import asyncio
import contextlib
import itertools
import json
import logging
import secrets
from collections.abc import Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

log = logging.getLogger(__name__)

SUBPROTOCOL = Subprotocol("janus-protocol")
VIDEOROOM = "janus.plugin.videoroom"
REQUEST_TIMEOUT_S = 10.0
CONNECT_TIMEOUT_S = 5.0
CLOSE_TIMEOUT_S = 2.0
KEEPALIVE_S = 25.0
"""Below Janus's default session timeout (60 s), with room for one lost keepalive."""

Event = dict[str, Any]
EventHandler = Callable[[Event], None]


class JanusError(Exception):
    """Janus refused a request (a gateway error, or a plugin's `error_code`)."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"janus error {code}: {reason}")
        self.code = code
        self.reason = reason


class JanusGone(JanusError):
    """The connection to Janus is lost (closed, or a request or keepalive timed out)."""

    def __init__(self, reason: str) -> None:
        Exception.__init__(self, reason)
        self.code = 0
        self.reason = reason


class JanusHandle:
    """One plugin handle; `on_event` receives its unsolicited events."""

    def __init__(self, session: "JanusSession", handle_id: int) -> None:
        self.session = session
        self.id = handle_id
        self.on_event: EventHandler = lambda _event: None

    async def request(
        self, body: dict[str, Any], jsep: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """A plugin request; its answer's data and JSEP (synchronous or asynchronous)."""
        payload: dict[str, Any] = {"janus": "message", "handle_id": self.id, "body": body}
        if jsep is not None:
            payload["jsep"] = jsep
        reply = await self.session.call(payload)
        data = reply.get("plugindata", {}).get("data", {})
        if "error_code" in data:
            raise JanusError(int(data["error_code"]), str(data.get("error", "")))
        return data, reply.get("jsep")

    async def trickle(self, candidate: dict[str, Any] | None) -> None:
        """One ICE candidate of the browser's, or None once it has gathered all of them."""
        await self.session.call(
            {
                "janus": "trickle",
                "handle_id": self.id,
                "candidate": candidate if candidate is not None else {"completed": True},
            },
            ack_only=True,
        )

    async def detach(self) -> None:
        self.session.handles.pop(self.id, None)
        with contextlib.suppress(JanusError):
            await self.session.call({"janus": "detach", "handle_id": self.id})


class JanusSession:
    def __init__(self, url: str, socket: ClientConnection, *, timeout_s: float) -> None:
        self.url = url
        self._socket = socket
        self._timeout_s = timeout_s
        self._waiting: dict[str, asyncio.Future[Event]] = {}
        self._acks: set[str] = set()
        self.handles: dict[int, JanusHandle] = {}
        self.session_id = 0
        self.on_lost: Callable[[str], None] = lambda _reason: None
        self.lost: str | None = None
        self._counter = itertools.count(1)
        self._prefix = secrets.token_hex(4)
        self._tasks: list[asyncio.Task[None]] = []

    @classmethod
    async def open(
        cls,
        url: str,
        *,
        timeout_s: float = REQUEST_TIMEOUT_S,
        keepalive_s: float = KEEPALIVE_S,
    ) -> "JanusSession":
        """Connect, create a Janus session, and keep it alive."""
        try:
            socket = await asyncio.wait_for(
                connect(
                    url,
                    subprotocols=[SUBPROTOCOL],
                    open_timeout=CONNECT_TIMEOUT_S,
                    max_size=2**22,
                    ping_interval=None,  # Janus keepalives do this job
                ),
                CONNECT_TIMEOUT_S,
            )
        except (OSError, TimeoutError, ConnectionClosed, Exception) as error:
            raise JanusGone(f"cannot connect to {url}: {error}") from error
        if socket.subprotocol != SUBPROTOCOL:
            await socket.close()
            raise JanusGone(f"{url} did not accept the {SUBPROTOCOL} subprotocol")
        session = cls(url, socket, timeout_s=timeout_s)
        session._tasks.append(asyncio.create_task(session._read()))
        try:
            created = await session.call({"janus": "create"})
        except JanusError:
            await session.close()
            raise
        session.session_id = int(created["data"]["id"])
        session._tasks.append(asyncio.create_task(session._keepalive(keepalive_s)))
        return session

    async def info(self) -> Event:
        return await self.call({"janus": "info"})

    async def attach(self, plugin: str = VIDEOROOM) -> JanusHandle:
        reply = await self.call({"janus": "attach", "plugin": plugin})
        handle = JanusHandle(self, int(reply["data"]["id"]))
        self.handles[handle.id] = handle
        return handle

    async def call(self, payload: dict[str, Any], *, ack_only: bool = False) -> Event:
        """Send one request and wait for its answer (an `ack` is an answer only if `ack_only`)."""
        if self.lost is not None:
            raise JanusGone(self.lost)
        transaction = f"{self._prefix}-{next(self._counter)}"
        message = {**payload, "transaction": transaction}
        if self.session_id and payload["janus"] not in ("create", "info"):
            message["session_id"] = self.session_id
        future: asyncio.Future[Event] = asyncio.get_running_loop().create_future()
        self._waiting[transaction] = future
        if ack_only:
            self._acks.add(transaction)
        try:
            await self._socket.send(json.dumps(message))
            reply = await asyncio.wait_for(future, self._timeout_s)
        except TimeoutError:
            self._lose(f"no answer to {payload['janus']} within {self._timeout_s} s")
            raise JanusGone(f"{self.url}: request timed out") from None
        except ConnectionClosed:
            self._lose("connection closed")
            raise JanusGone(f"{self.url}: connection closed") from None
        finally:
            self._waiting.pop(transaction, None)
            self._acks.discard(transaction)
        if reply.get("janus") == "error":
            error = reply.get("error", {})
            raise JanusError(int(error.get("code", 0)), str(error.get("reason", "")))
        return reply

    async def _read(self) -> None:
        try:
            async for frame in self._socket:
                try:
                    self._dispatch(json.loads(frame))
                except Exception:
                    log.exception("janus: an event could not be handled")
            reason = "connection closed"
        except ConnectionClosed:
            reason = "connection closed"
        except asyncio.CancelledError:
            raise
        except Exception as error:  # an unreadable frame or a broken socket
            reason = f"read failed: {error}"
        self._lose(reason)

    def _dispatch(self, event: Event) -> None:
        kind = event.get("janus")
        transaction = event.get("transaction")
        future = self._waiting.get(transaction) if isinstance(transaction, str) else None
        if future is not None and not future.done():
            # An `ack` only says "working on it" for asynchronous plugin requests.
            if kind != "ack" or transaction in self._acks:
                future.set_result(event)
                return
            if kind == "ack":
                return
        sender = event.get("sender")
        handle = self.handles.get(sender) if isinstance(sender, int) else None
        if handle is not None:
            handle.on_event(event)
        elif kind == "timeout":
            self._lose("janus timed the session out")

    async def _keepalive(self, every_s: float) -> None:
        while self.lost is None:
            await asyncio.sleep(every_s)
            with contextlib.suppress(JanusError):
                await self.call({"janus": "keepalive"}, ack_only=True)

    def _lose(self, reason: str) -> None:
        if self.lost is not None:
            return
        self.lost = reason
        log.warning("janus %s: session lost (%s)", self.url, reason)
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(JanusGone(reason))
        self._waiting.clear()
        for task in self._tasks:
            if task is not asyncio.current_task():
                task.cancel()
        asyncio.get_running_loop().create_task(self._socket.close())
        self.on_lost(reason)

    async def close(self) -> None:
        """Close on purpose: destroy the session (Janus frees its handles) and the socket."""
        if self.lost is None:
            with contextlib.suppress(JanusError, TimeoutError):
                await asyncio.wait_for(self.call({"janus": "destroy"}), CLOSE_TIMEOUT_S)
        self.lost = self.lost or "closed"
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._socket.close()
