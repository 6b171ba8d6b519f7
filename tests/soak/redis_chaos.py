"""The `redis` fault: two cluster nodes behind nginx lose their Redis (`kill -9` of the soak's own
`redis-server`) for 15 s, then get it back, empty. What must hold:

- while Redis is down, no 5xx from either node (limits fail open: `X-RateLimit-Remaining` stays
  at the limit), both nodes' `/readyz` stay 200 (Redis is not part of readiness: Salon fails open
  without it, so taking the nodes out of the balancer would turn a degraded cluster into an
  outage), and people already in a room go on chatting;
- once Redis is back, the nodes come back to it by themselves: the API points are one budget
  again (a call on node b sees what node a spent), a meeting deleted on node a empties its room
  on node b (the closing crosses the bus), and both nodes publish their rooms again;
- at most one "Redis is unreachable" warning a minute per node, not one per request.
"""

import asyncio
import contextlib
import json
import secrets
import time
from dataclasses import dataclass

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException

from cluster.private_redis import RedisServer
from soak.load import FUTURE
from soak.process import SalonProcess, readiness

OUTAGE_S = 15.0
LOOK_EVERY_S = 1.0
BACK_WITHIN_S = 10.0
"""Goal: limits, closing and presence shared again this long after Redis is back."""
WARNING = "Redis is unreachable"
CHAT_WITHIN_S = 3.0


def ws_url(node: SalonProcess) -> str:
    return "ws://" + node.base_url.removeprefix("http://") + "/_salon/signal"


async def _joined(url: str, room: str, name: str) -> ClientConnection:
    ws = await connect(url, open_timeout=5, close_timeout=1)
    await ws.send(json.dumps({"type": "join", "v": 1, "room": room, "displayName": name}))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        message = json.loads(await asyncio.wait_for(ws.recv(), deadline - time.monotonic()))
        if message["type"] == "joined":
            return ws
        if message["type"] == "error":
            break
    await ws.close()
    raise RuntimeError(f"could not join {room} on {url}")


@dataclass
class ChatPair:
    """Two people in one room on one node, joined before the fault."""

    speaker: ClientConnection
    listener: ClientConnection

    @classmethod
    async def open(cls, node: SalonProcess, room: str) -> "ChatPair":
        return cls(await _joined(ws_url(node), room, "speaker"),
                   await _joined(ws_url(node), room, "listener"))  # fmt: skip

    async def passes(self) -> bool:
        """A chat line from one reaches the other."""
        text = secrets.token_hex(6)
        try:
            await self.speaker.send(json.dumps({"type": "chat", "text": text}))
            deadline = time.monotonic() + CHAT_WITHIN_S
            while (left := deadline - time.monotonic()) > 0:
                message = json.loads(await asyncio.wait_for(self.listener.recv(), left))
                if message["type"] == "chat" and message.get("text") == text:
                    return True
        except (OSError, TimeoutError, WebSocketException):
            return False
        return False

    async def close(self) -> None:
        for ws in (self.speaker, self.listener):
            with contextlib.suppress(OSError, WebSocketException):
                await ws.send(json.dumps({"type": "leave"}))
                await ws.close()


@dataclass
class Look:
    """One look at the cluster, at `at` seconds since the fault started."""

    at: float
    api_statuses: list[int | None]
    remaining: list[int | None]
    ready: list[int | None]
    chats: list[bool]


class RedisCheck:
    def __init__(self, nodes: list[SalonProcess], server: RedisServer, api_key: str) -> None:
        self.nodes = nodes
        self.server = server
        self.auth = {"Authorization": f"Bearer {api_key}"}
        self.looks: list[Look] = []
        self.problems: list[str] = []
        self.figures: dict[str, str] = {}

    def http(self, node: SalonProcess) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=node.base_url, headers=self.auth, timeout=10)

    async def _create(self, node: SalonProcess) -> tuple[int | None, dict[str, str], str | None]:
        """POST a meeting, then DELETE it: (worst status, headers of the POST, room name)."""
        try:
            async with self.http(node) as http:
                made = await http.post("/v1/meetings", json={"endDate": FUTURE})
                if made.status_code != 201:
                    return made.status_code, dict(made.headers), None
                gone = await http.delete(f"/v1/meetings/{made.json()['meetingId']}")
                return (
                    max(made.status_code, gone.status_code),
                    dict(made.headers),
                    made.json()["roomName"],
                )
        except httpx.HTTPError:
            return None, {}, None

    async def look(self, since: float, pairs: list[ChatPair]) -> Look:
        made = [await self._create(node) for node in self.nodes]
        remaining = [
            int(headers["x-ratelimit-remaining"]) if "x-ratelimit-remaining" in headers else None
            for _, headers, _ in made
        ]
        return Look(
            time.monotonic() - since,
            [status for status, _, _ in made],
            remaining,
            [await readiness(node.base_url) for node in self.nodes],
            [await pair.passes() for pair in pairs],
        )

    async def points_shared(self) -> bool:
        """A call on node b sees the points a call on node a just spent."""
        remaining = []
        for node in self.nodes:
            try:
                async with self.http(node) as http:
                    answer = await http.get("/v1/meetings", params={"limit": 1})
            except httpx.HTTPError:
                return False
            if "x-ratelimit-remaining" not in answer.headers:
                return False
            remaining.append((int(answer.headers["x-ratelimit-limit"]),
                              int(answer.headers["x-ratelimit-remaining"])))  # fmt: skip
        (limit, first), (_, second) = remaining
        return first < limit and second < first

    async def closing_crosses(self) -> bool:
        """A meeting deleted on node a empties its room on node b."""
        a, b = self.nodes
        async with self.http(a) as http:
            made = await http.post("/v1/meetings", json={"endDate": FUTURE})
            if made.status_code != 201:
                return False
            meeting = made.json()
            try:
                ws = await _joined(ws_url(b), meeting["roomName"], "witness")
            except (RuntimeError, OSError, TimeoutError, WebSocketException):
                await http.delete(f"/v1/meetings/{meeting['meetingId']}")
                return False
            try:
                if (await http.delete(f"/v1/meetings/{meeting['meetingId']}")).status_code != 204:
                    return False
                deadline = time.monotonic() + 3
                while (left := deadline - time.monotonic()) > 0:
                    message = json.loads(await asyncio.wait_for(ws.recv(), left))
                    if message["type"] == "removed":
                        return True
            except ConnectionClosed:
                return True  # closed by node b: the room was emptied
            except (TimeoutError, OSError, WebSocketException):
                return False
            finally:
                with contextlib.suppress(OSError, WebSocketException):
                    await ws.close()
        return False

    def presence_back(self) -> bool:
        try:
            nodes = self.server.keys("salon:presence:nodes")
        except Exception:
            return False
        return bool(nodes)

    async def back_after(self, since: float, check: str) -> float | None:
        deadline = since + BACK_WITHIN_S * 3
        while time.monotonic() < deadline:
            ok = (
                await self.points_shared()
                if check == "points"
                else await self.closing_crosses()
                if check == "closing"
                else self.presence_back()
            )
            if ok:
                return time.monotonic() - since
            await asyncio.sleep(0.25)  # the pause between two tries
        return None

    def warnings(self) -> list[int]:
        return [node.log.count(WARNING) for node in self.nodes]
