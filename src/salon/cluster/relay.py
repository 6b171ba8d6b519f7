"""Relaying a room's socket from the node it landed on to the node that serves the room, over
Redis pub/sub: each node listens on its own channel (`salon:node:<node>`).

    client ─► node B (socket) ──"open" + join, then frames──► salon:node:A ─► node A (the room)
    client ◄─ node B (socket) ◄──frames, then "close"──────── salon:node:B ◄─ node A

A message on a channel is a JSON list of envelopes `{"o": kind, "c": connection, …}`: everything
queued for one node since the last publish goes in one PUBLISH (a chat to four people relayed
through one node costs one round trip, not four), by one task per destination node, so each
connection's frames keep their order. On the owner, a relayed socket is a `RemoteSocket` that the
signaling endpoint serves like any WebSocket; rooms never know.

Either end may die: PUBLISH answers how many listened (0: the other node is gone), and every
second each node writes `salon:node-alive:<node>` (its listener's session, expiring after 5 s)
and reads the sessions of the nodes it relays with. A node gone or restarted (a new session: it
may have missed messages) ends their connections: the client's socket is closed with 1012 (the
page reconnects), the owner's participant is disconnected (it may resume)."""

import asyncio
import contextlib
import itertools
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import orjson
from redis.asyncio import Redis

from salon.cluster.guard import FAILURES, RedisGuard
from salon.cluster.model import Closed, RelayHello, RemoteHandler
from salon.ids import RoomName

log = logging.getLogger("salon.cluster")

CHANNEL_PREFIX = "salon:node:"
ALIVE_PREFIX = "salon:node-alive:"
ALIVE_TTL_MS = 5000
WATCH_EVERY_S = 1.0
RECONNECT_S = 1.0
INBOUND_LIMIT = 1024
"""Frames waiting for one connection's reader; past it, the connection is closed (a client too
slow to read, or one flooding the owner)."""
ANSWER_WITHIN_S = 5.0
"""An owner that has not accepted a relayed socket by then is taken for gone."""
SERVICE_RESTART = 1012
TOO_SLOW = 4008
_GONE = None


def channel(node: str) -> str:
    return CHANNEL_PREFIX + node


def alive_key(node: str) -> str:
    return ALIVE_PREFIX + node


class Side(Enum):
    RELAYING = "relaying"
    """This node has the client's socket."""
    SERVING = "serving"
    """This node serves the room."""


@dataclass(eq=False)
class _Link:
    cid: str
    side: Side
    peer: str
    peer_session: str | None
    opened_at: float
    inbound: "asyncio.Queue[Any]" = field(default_factory=asyncio.Queue)
    open: bool = True


@dataclass
class _Outbox:
    items: list[dict[str, Any]] = field(default_factory=list)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    task: "asyncio.Task[None] | None" = None


class _Relayed:
    """The client's end (`RelayedConnection`), on the node that has its socket."""

    def __init__(self, relay: "RedisRelay", link: _Link) -> None:
        self._relay = relay
        self._link = link

    def send(self, text: str) -> None:
        if self._link.open:
            self._relay._post(self._link.peer, {"o": "f", "c": self._link.cid, "t": text})

    def send_binary(self) -> None:
        if self._link.open:
            self._relay._post(self._link.peer, {"o": "b", "c": self._link.cid})

    async def receive(self) -> str | Closed:
        item = await self._link.inbound.get()
        assert isinstance(item, str | Closed)
        return item

    def close(self) -> None:
        if self._relay._forget(self._link):
            self._relay._post(self._link.peer, {"o": "x", "c": self._link.cid, "code": 1000})


class _Remote:
    """The owner's end (`RemoteSocket`): what the signaling endpoint reads and writes."""

    def __init__(self, relay: "RedisRelay", link: _Link) -> None:
        self._relay = relay
        self._link = link

    async def receive(self) -> dict[str, object]:
        item = await self._link.inbound.get()
        if item is _GONE:
            return {"type": "websocket.disconnect", "code": 1001}
        if isinstance(item, bytes):
            return {"type": "websocket.receive", "bytes": item}
        return {"type": "websocket.receive", "text": item}

    async def send_text(self, data: str) -> None:
        if self._link.open:
            self._relay._post(self._link.peer, {"o": "f", "c": self._link.cid, "t": data})

    async def close(self, code: int = 1000, reason: str | None = None) -> None:
        if self._relay._forget(self._link):
            envelope = {"o": "x", "c": self._link.cid, "code": code, "r": reason or ""}
            self._relay._post(self._link.peer, envelope)
        self._link.inbound.put_nowait(_GONE)


class RedisRelay:
    def __init__(
        self,
        client: Redis,
        guard: RedisGuard,
        node_id: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._guard = guard
        self._node = node_id
        self._clock = clock
        self._session = secrets.token_hex(6)
        self._numbers = itertools.count(1)
        self._links: dict[str, _Link] = {}
        self._outboxes: dict[str, _Outbox] = {}
        self._handler: RemoteHandler | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._listener: asyncio.Task[None] | None = None
        self._watcher: asyncio.Task[None] | None = None
        self.subscribed = asyncio.Event()
        """Set while this node hears its channel (tests wait on it)."""
        self.publishes = 0
        """PUBLISH calls made (Redis round trips for relayed frames)."""
        self.envelopes = 0
        """Frames, opens and closes those calls carried."""

    # --- the two ends -----------------------------------------------------------------------------

    def serve_remote_with(self, handler: RemoteHandler) -> None:
        self._handler = handler

    def open(self, owner: str, hello: RelayHello) -> _Relayed:
        cid = f"{self._node}/{self._session}/{next(self._numbers)}"
        link = self._links[cid] = _Link(cid, Side.RELAYING, owner, None, self._clock())
        self._post(
            owner,
            {
                "o": "open",
                "c": cid,
                "n": self._node,
                "s": self._session,
                "room": hello.room,
                "t": hello.first_frame,
                "a": hello.address,
                "ua": hello.agent,
                "m": list(hello.member) if hello.member else None,
            },
        )
        return _Relayed(self, link)

    @property
    def connections(self) -> int:
        return len(self._links)

    def _forget(self, link: _Link) -> bool:
        """True the first time: the link was open."""
        if not link.open:
            return False
        link.open = False
        self._links.pop(link.cid, None)
        return True

    def _fail(self, link: _Link, code: int = SERVICE_RESTART, reason: str = "") -> None:
        """End a link without telling its other end (gone, or to be told by the caller)."""
        if self._forget(link):
            if link.side is Side.RELAYING:
                link.inbound.put_nowait(Closed(code, reason or "the room's server is gone"))
            else:
                link.inbound.put_nowait(_GONE)

    def _peer_gone(self, node: str, why: str) -> None:
        links = [link for link in self._links.values() if link.peer == node]
        if links:
            log.warning("node %s is gone (%s): ending %d relayed sockets", node, why, len(links))
        for link in links:
            self._fail(link)

    # --- sending: one publish per destination node at a time --------------------------------------

    def _post(self, node: str, envelope: dict[str, Any]) -> None:
        box = self._outboxes.get(node)
        if box is None:
            box = self._outboxes[node] = _Outbox()
        box.items.append(envelope)
        box.ready.set()
        if box.task is None or box.task.done():
            box.task = asyncio.create_task(self._flush(node, box))

    async def _flush(self, node: str, box: _Outbox) -> None:
        while True:
            await box.ready.wait()
            box.ready.clear()
            batch, box.items = box.items, []
            if not batch:
                continue
            self.publishes += 1
            self.envelopes += len(batch)
            try:
                listeners = await self._client.publish(channel(node), orjson.dumps(batch))
            except FAILURES as error:
                self._guard.failed("relaying sockets", error)
                listeners = 0
            if listeners == 0:
                self._peer_gone(node, "nobody listens on its channel")

    # --- receiving -------------------------------------------------------------------------------

    def _heard(self, envelope: dict[str, Any]) -> None:
        kind, cid = envelope["o"], str(envelope["c"])
        if kind == "open":
            self._opened(cid, envelope)
            return
        link = self._links.get(cid)
        if link is None:
            return  # a connection ended here already
        if kind == "x":
            if self._forget(link):
                if link.side is Side.RELAYING:
                    code = int(envelope.get("code") or 1000)
                    link.inbound.put_nowait(Closed(code, str(envelope.get("r") or "")))
                else:
                    link.inbound.put_nowait(_GONE)
        elif kind == "a":
            link.peer_session = str(envelope["s"])
        elif link.inbound.qsize() >= INBOUND_LIMIT:
            reason = "too slow to keep up" if link.side is Side.RELAYING else "flooding"
            self._fail(link, TOO_SLOW, reason)
            self._post(link.peer, {"o": "x", "c": cid, "code": TOO_SLOW, "r": reason})
        elif kind == "f":
            link.inbound.put_nowait(str(envelope["t"]))
        elif kind == "b":
            link.inbound.put_nowait(b"")

    def _opened(self, cid: str, envelope: dict[str, Any]) -> None:
        peer = str(envelope["n"])
        if self._handler is None:
            self._post(peer, {"o": "x", "c": cid, "code": SERVICE_RESTART, "r": "not ready"})
            return
        link = self._links[cid] = _Link(cid, Side.SERVING, peer, str(envelope["s"]), self._clock())
        self._post(peer, {"o": "a", "c": cid, "s": self._session})
        member = envelope.get("m")
        hello = RelayHello(
            RoomName(str(envelope["room"])),
            str(envelope["t"]),
            envelope.get("a"),
            str(envelope.get("ua") or ""),
            (str(member[0]), str(member[1])) if member else None,
        )
        task = asyncio.create_task(self._serve(_Remote(self, link), hello, link))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _serve(self, remote: _Remote, hello: RelayHello, link: _Link) -> None:
        assert self._handler is not None
        try:
            await self._handler(remote, hello)
        except Exception:
            log.exception("serving a relayed socket failed")
        finally:
            await remote.close(SERVICE_RESTART, "")

    # --- background: the channel's listener, and the other nodes' sessions ------------------------

    def start(self) -> None:
        self._listener = asyncio.create_task(self._listen())
        self._watcher = asyncio.create_task(self._watch())

    async def stop(self) -> None:
        for link in list(self._links.values()):
            if link.side is Side.SERVING:
                self._post(link.peer, {"o": "x", "c": link.cid, "code": SERVICE_RESTART, "r": ""})
            self._fail(link)
        with contextlib.suppress(asyncio.TimeoutError, *FAILURES):  # what is queued goes out
            await asyncio.wait_for(self._flush_now(), 2.0)
        tasks = [t for t in (self._listener, self._watcher) if t is not None]
        tasks += [box.task for box in self._outboxes.values() if box.task is not None]
        tasks += list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        with contextlib.suppress(*FAILURES):
            await self._client.delete(alive_key(self._node))

    async def _flush_now(self) -> None:
        for node, box in self._outboxes.items():
            if box.items:
                batch, box.items = box.items, []
                await self._client.publish(channel(node), orjson.dumps(batch))

    async def _listen(self) -> None:
        while True:
            pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(channel(self._node))
                await self._client.set(alive_key(self._node), self._session, px=ALIVE_TTL_MS)
                self.subscribed.set()
                while True:
                    message = await pubsub.get_message(timeout=1.0)
                    if message is not None:
                        self._heard_message(message.get("data"))
            except FAILURES as error:
                self._guard.failed("listening for relayed sockets", error)
            finally:
                self.subscribed.clear()
                with contextlib.suppress(*FAILURES):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
            # Messages may have been missed: every relayed socket ends, and the new session
            # tells the other nodes to end theirs.
            self._session = secrets.token_hex(6)
            for link in list(self._links.values()):
                self._fail(link)
            await asyncio.sleep(RECONNECT_S)

    def _heard_message(self, data: object) -> None:
        try:
            envelopes = orjson.loads(data)  # type: ignore[arg-type]
            for envelope in envelopes:
                self._heard(envelope)
        except (ValueError, TypeError, KeyError, IndexError):
            log.warning("ignored a malformed message on %s", channel(self._node))

    async def watch(self) -> None:
        """Say this node is alive; end the links of nodes gone or restarted (one round trip)."""
        peers = sorted({link.peer for link in self._links.values()})
        pipe = self._client.pipeline(transaction=False)
        if self.subscribed.is_set():
            pipe.set(alive_key(self._node), self._session, px=ALIVE_TTL_MS)
        if peers:
            pipe.mget([alive_key(peer) for peer in peers])
        answers = await pipe.execute()
        if not peers:
            return
        sessions = {
            peer: (value.decode() if isinstance(value, bytes) else value)
            for peer, value in zip(peers, answers[-1], strict=True)
        }
        now = self._clock()
        for link in list(self._links.values()):
            session = sessions.get(link.peer)
            if link.peer_session is None:
                if now - link.opened_at > ANSWER_WITHIN_S:
                    self._fail(link)
            elif session != link.peer_session:
                if session is None:
                    self._peer_gone(link.peer, "its heartbeat expired")
                else:
                    self._fail(link)

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(WATCH_EVERY_S)
            if self._guard.available:
                try:
                    await self.watch()
                except FAILURES as error:
                    self._guard.failed("watching the other nodes", error)
