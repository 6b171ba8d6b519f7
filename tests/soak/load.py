"""The soak's load: signaling clients that join, chat, leave and rejoin their room for ever, and
an API client that creates, reads and deletes meetings. Every failure is recorded with its time,
so that the run can tell failures inside an injected outage from real ones."""

import asyncio
import contextlib
import json
import random
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException

WITHIN_S = 10.0
STAY_S = (30.0, 90.0)
CHAT_EVERY_S = (8.0, 20.0)
PAUSE_S = (1.0, 6.0)
RETRY_AFTER_FAILURE_S = (0.5, 2.0)
FUTURE = "2099-01-01T00:00:00Z"
NOISE = frozenset(
    {"participant-joined", "participant-left", "participant-updated", "chat", "room-updated"}
)


@dataclass
class Failure:
    at: float
    """Seconds since the load started."""
    kind: str
    detail: str


@dataclass
class Stats:
    started: float = field(default_factory=time.monotonic)
    joins: list[tuple[float, float]] = field(default_factory=list)
    """(seconds since start, join latency in seconds)."""
    failures: list[Failure] = field(default_factory=list)
    chats_sent: int = 0
    api_calls: int = 0
    connected: int = 0

    def now(self) -> float:
        return time.monotonic() - self.started

    def fail(self, kind: str, detail: str) -> None:
        self.failures.append(Failure(self.now(), kind, detail[:200]))


@dataclass
class Meetings:
    """Meetings whose creation was acknowledged (201) and not deleted since: none may be lost."""

    acknowledged: dict[str, str] = field(default_factory=dict)
    """meetingId → roomName."""
    deleted: set[str] = field(default_factory=set)


class Load:
    def __init__(self, base_url: str, api_key: str, stats: Stats) -> None:
        self.base_url = base_url
        self.ws_url = "ws://" + base_url.removeprefix("http://") + "/_salon/signal"
        self.api_key = api_key
        self.stats = stats
        self.meetings = Meetings()
        self.stopping = asyncio.Event()

    def http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {self.api_key}"},
            timeout=WITHIN_S,
        )

    async def create_rooms(self, count: int, group_rooms: int) -> list[str]:
        names = []
        async with self.http() as http:
            for n in range(count):
                body: dict[str, Any] = {"endDate": FUTURE}
                if n < group_rooms:
                    body["roomMode"] = "group"
                created = await http.post("/v1/meetings", json=body)
                created.raise_for_status()
                meeting = created.json()
                self.meetings.acknowledged[meeting["meetingId"]] = meeting["roomName"]
                names.append(meeting["roomName"])
        return names

    # --- signaling clients ----------------------------------------------------------------

    async def client(self, room: str, start_after_s: float) -> None:
        await self._pause(start_after_s)
        while not self.stopping.is_set():
            try:
                await self._visit(room)
                await self._pause(random.uniform(*PAUSE_S))
            except (OSError, TimeoutError, WebSocketException, _Refused) as error:
                self.stats.fail("signaling", f"{type(error).__name__}: {error}")
                await self._pause(random.uniform(*RETRY_AFTER_FAILURE_S))

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stopping.wait(), seconds)

    async def _visit(self, room: str) -> None:
        async with connect(self.ws_url, open_timeout=WITHIN_S, close_timeout=2) as ws:
            sent = time.perf_counter()
            await ws.send(json.dumps({"type": "join", "v": 1, "room": room, "displayName": "s"}))
            await _answer(ws, "joined", WITHIN_S)
            self.stats.joins.append((self.stats.now(), time.perf_counter() - sent))
            self.stats.connected += 1
            try:
                leave_at = time.monotonic() + random.uniform(*STAY_S)
                while not self.stopping.is_set() and time.monotonic() < leave_at:
                    next_chat = min(leave_at, time.monotonic() + random.uniform(*CHAT_EVERY_S))
                    await _drain_until(ws, next_chat, self.stopping)
                    if time.monotonic() < leave_at and not self.stopping.is_set():
                        await ws.send(json.dumps({"type": "chat", "text": "soak"}))
                        self.stats.chats_sent += 1
                await ws.send(json.dumps({"type": "leave"}))
            finally:
                self.stats.connected -= 1

    # --- the API --------------------------------------------------------------------------

    async def api_churn(self, every_s: float = 1.0) -> None:
        """Create a meeting, read one, delete the oldest of its own once it holds 20."""
        own: list[str] = []
        async with self.http() as http:
            while not self.stopping.is_set():
                try:
                    created = await http.post("/v1/meetings", json={"endDate": FUTURE})
                    self.stats.api_calls += 1
                    if created.status_code != 201:
                        raise _Refused(f"POST /v1/meetings: {created.status_code}")
                    meeting = created.json()
                    self.meetings.acknowledged[meeting["meetingId"]] = meeting["roomName"]
                    own.append(meeting["meetingId"])
                    read = await http.get(f"/v1/meetings/{random.choice(own)}")
                    self.stats.api_calls += 1
                    if read.status_code != 200:
                        raise _Refused(f"GET /v1/meetings/id: {read.status_code}")
                    if len(own) > 20:
                        gone = own.pop(0)
                        # Its fate is unknown until the answer comes (a kill may cut it off).
                        self.meetings.acknowledged.pop(gone, None)
                        deleted = await http.delete(f"/v1/meetings/{gone}")
                        self.stats.api_calls += 1
                        if deleted.status_code != 204:
                            raise _Refused(f"DELETE /v1/meetings/id: {deleted.status_code}")
                        self.meetings.deleted.add(gone)
                except (httpx.HTTPError, _Refused) as error:
                    self.stats.fail("api", f"{type(error).__name__}: {error}")
                await self._pause(every_s)


class _Refused(Exception):
    """An answer other than the one expected."""


async def _answer(ws: ClientConnection, kind: str, within_s: float) -> dict[str, Any]:
    deadline = time.monotonic() + within_s
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"no {kind} within {within_s} s")
        message = json.loads(await asyncio.wait_for(ws.recv(), left))
        if message["type"] == kind:
            return dict(message)
        if message["type"] not in NOISE and not message["type"].startswith("sfu-"):
            raise _Refused(f"waiting for {kind}: {message}")


async def _drain_until(ws: ClientConnection, until: float, stopping: asyncio.Event) -> None:
    """Read (and check) what the room sends until `until`."""
    while not stopping.is_set():
        left = until - time.monotonic()
        if left <= 0:
            return
        try:
            raw = await asyncio.wait_for(ws.recv(), min(left, 1.0))
        except TimeoutError:
            continue
        except ConnectionClosed as closed:
            raise _Refused(f"closed by the server: {closed.rcvd}") from None
        message = json.loads(raw)
        if message["type"] == "error":
            raise _Refused(f"error from the server: {message}")
