"""Webhook test helpers: a real HTTP receiver, the signature check every delivery must pass,
and (for the service tests) a rig that drives rooms and a dispatcher of the test's own.

The receiver is a threaded `http.server` on a free 127.0.0.1 port. It records every request
(path, headers, exact body bytes, arrival time) and answers each path by a plan the test sets: a
status code, a redirect, a hang, bytes that are not HTTP, a body with NUL bytes, or a response
trickled out slowly. The last step of a plan repeats.
"""

import asyncio
import contextlib
import json
import re
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from helpers import LOCAL_RECEIVERS, Api
from salon.ids import ParticipantId
from salon.meetings.model import RoomRole
from salon.rooms.events import RoomEvent, RoomEventType
from salon.rooms.notices import Closing, Frame
from salon.rooms.room import Seat
from salon.rooms.state import Participant
from salon.signaling import protocol as p
from salon.webhooks import HEADER, verify
from salon.webhooks.destinations import DestinationPolicy
from salon.webhooks.dispatcher import Dispatcher
from salon.webhooks.model import RetryPolicy
from salon.webhooks.sender import Sender

ALLOW_LOCAL = ["--webhook-allow-networks", LOCAL_RECEIVERS]
"""`salon serve` and `salon webhooks create|update` flags that let webhooks reach the receivers."""
LOCAL = DestinationPolicy.from_text(LOCAL_RECEIVERS)
FAST = RetryPolicy(retries=2, base_delay_ms=20, jitter=0.0, timeout_s=2.0)
SIGNATURE = re.compile(r"t=(\d+),v1=[0-9a-f]{64}")

HANG = "hang"
"""Never answer (until the receiver closes)."""
GARBAGE = "garbage"
"""Answer bytes that are not HTTP, then close."""
CLOSE = "close"
"""Close the connection without a word."""
SLOW = "slow"
"""200 after `SLOW_S`."""
SLOW_S = 0.4
NUL_BODY = "nul-body"
"""200 with a body holding NUL and non-UTF-8 bytes."""
TRICKLE = "trickle"
"""200 whose body arrives one byte every `TRICKLE_EVERY_S`, for `TRICKLE_FOR_S`."""
TRICKLE_EVERY_S = 0.2
TRICKLE_FOR_S = 3.0
HANG_AT_MOST_S = 60.0

Step = int | str | tuple[int, str]
"""A status, one of the behaviours above, or (3xx status, Location)."""


@dataclass(frozen=True)
class Received:
    path: str
    method: str
    headers: dict[str, str]
    body: bytes
    at: float
    """`time.time()` when the body had arrived."""
    step: "Step"
    """How the receiver answered it."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512
    """socketserver listens with a backlog of 5: dozens of deliveries connecting at once (the
    fairness tests) would overflow it, and the dropped SYNs come back only after 1, 3, 7 s."""


class Receiver:
    def __init__(self) -> None:
        self.requests: list[Received] = []
        self._plans: dict[str, list[Step]] = {}
        self._lock = threading.Lock()
        self._released = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {name.lower(): value for name, value in self.headers.items()}
                step = receiver._next_step(self.path)
                with receiver._lock:
                    receiver.requests.append(
                        Received(self.path, self.command, headers, body, time.time(), step)
                    )
                with contextlib.suppress(OSError):
                    self._answer(step)

            do_GET = do_POST

            def _answer(self, step: Step) -> None:
                if step == HANG:
                    receiver._released.wait(HANG_AT_MOST_S)
                    self.close_connection = True
                elif step == GARBAGE:
                    self.wfile.write(b"\x00\xffthis is not HTTP at all\r\n\r\n")
                    self.close_connection = True
                elif step == CLOSE:
                    self.close_connection = True
                elif step == SLOW:
                    receiver._released.wait(SLOW_S)
                    self._reply(200, b"slow")
                elif step == NUL_BODY:
                    self._reply(200, b"ok\x00\xfe\xff\x00garbage")
                elif step == TRICKLE:
                    self._trickle()
                elif isinstance(step, tuple):
                    self.send_response(step[0])
                    self.send_header("Location", step[1])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                else:
                    assert isinstance(step, int)
                    self._reply(step, b'{"ok":true}' if step < 300 else b"nope")

            def _reply(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _trickle(self) -> None:
                count = int(TRICKLE_FOR_S / TRICKLE_EVERY_S)
                self.send_response(200)
                self.send_header("Content-Length", str(count))
                self.end_headers()
                self.wfile.flush()
                for _ in range(count):
                    if receiver._released.wait(TRICKLE_EVERY_S):
                        break
                    self.wfile.write(b".")
                    self.wfile.flush()
                self.close_connection = True

        self._server = _Server(("127.0.0.1", 0), Handler)
        self.port: int = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def start(self) -> "Receiver":
        self._thread.start()
        return self

    def close(self) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "Receiver":
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- what the test says and reads ----------------------------------------------------------

    def plan(self, path: str, steps: Sequence[Step]) -> str:
        """Answer `path` with `steps` in turn (the last one repeats); its full URL."""
        with self._lock:
            self._plans[path] = list(steps)
        return self.base_url + path

    def url(self, path: str) -> str:
        return self.base_url + path

    def _next_step(self, path: str) -> Step:
        with self._lock:
            steps = self._plans.get(path, [200])
            return steps.pop(0) if len(steps) > 1 else steps[0]

    def at(self, path: str) -> list[Received]:
        with self._lock:
            return [request for request in self.requests if request.path == path]

    def count(self, path: str) -> int:
        return len(self.at(path))

    def event_ids(self, path: str, answered: Step | None = None) -> set[str]:
        """The distinct event ids that reached `path` (and were answered `answered`)."""
        return {
            json.loads(r.body)["id"]
            for r in self.at(path)
            if answered is None or r.step == answered
        }


# --- checking a delivery -----------------------------------------------------------------------


def opened(request: Received, secret: str) -> dict[str, Any]:
    """A delivery's event, once its signature checks out with the endpoint's secret and its body
    is the compact JSON a receiver gets back by re-serialising the parsed body."""
    assert request.method == "POST"
    assert request.headers["content-type"] == "application/json"
    header = request.headers[HEADER.lower()]
    match = SIGNATURE.fullmatch(header)
    assert match, header
    assert abs(int(match[1]) - time.time()) < 60
    verify(request.body, header, secret)
    event: dict[str, Any] = json.loads(request.body)
    assert json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode() == request.body
    return event


# --- the service tests' rig --------------------------------------------------------------------


class FakeClient:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    def send(self, frame: Frame) -> None:
        self.messages.append(json.loads(frame.text))

    def close(self, closing: Closing, reason: str) -> None:
        pass


@dataclass
class Rig:
    api: Api
    receiver: Receiver
    sender: Sender

    def dispatcher(self, policy: RetryPolicy = FAST) -> Dispatcher:
        return Dispatcher(self.api.database, self.sender, self.api.clock, policy)

    async def call(self, method: str, path: str, status: int, **body: Any) -> Any:
        sent = await self.api.client.request(method, path, headers=self.api.auth, json=body or None)
        assert sent.status_code == status, sent.text
        return sent.json() if sent.content else None

    async def endpoint(self, path: str, steps: list[Step], **body: Any) -> dict[str, Any]:
        url = self.receiver.plan(path, steps)
        made: dict[str, Any] = await self.call("POST", "/v1/webhooks", 201, url=url, **body)
        return made

    async def meeting(self, **body: Any) -> dict[str, Any]:
        fields = {"endDate": self.api.future(), "fields": ["hostRoomUrl"], **body}
        made: dict[str, Any] = await self.call("POST", "/v1/meetings", 201, **fields)
        return made

    async def join(self, meeting: dict[str, Any], host: bool = False, **extra: Any) -> Seat:
        frame = {"type": "join", "v": 1, "room": meeting["roomName"], **extra}
        if host:
            [frame["roomKey"]] = parse_qs(urlsplit(meeting["hostRoomUrl"]).query)["roomKey"]
        rooms = self.api.app.state.services.rooms
        seat: Seat = await rooms.join(FakeClient(), p.parse(json.dumps(frame)))
        return seat

    async def send(self, seat: Seat, **frame: Any) -> None:
        await self.api.app.state.services.rooms.handle(seat, p.parse(json.dumps(frame)))

    async def deliveries(self, endpoint: dict[str, Any]) -> list[dict[str, Any]]:
        found = await self.call("GET", f"/v1/webhook-deliveries?webhookId={endpoint['id']}", 200)
        return list(found["results"])


@contextlib.asynccontextmanager
async def open_rig(api: Api) -> AsyncIterator[Rig]:
    """A receiver and a sender of the test's own (allowed to reach loopback), closed after it."""
    with Receiver() as receiver:
        sender = Sender(LOCAL)
        try:
            yield Rig(api, receiver, sender)
        finally:
            await sender.close()


async def pump(dispatcher: Dispatcher) -> None:
    """Send everything due now, and record it."""
    while await dispatcher.claim_and_send():
        await dispatcher.drain()
    await dispatcher.drain()


async def until(condition: Callable[[], bool], within_s: float = 5.0) -> None:
    deadline = time.monotonic() + within_s
    while not condition():
        assert time.monotonic() < deadline, "the condition did not hold in time"
        await asyncio.sleep(0.01)


async def until_count(receiver: Receiver, path: str, count: int, within_s: float) -> None:
    await until(lambda: receiver.count(path) >= count, within_s)
    assert receiver.count(path) == count


async def visitor_joined(rig: Rig, meeting: dict[str, Any]) -> RoomEvent:
    live = await rig.api.app.state.services.meetings.active_meeting(meeting["roomName"])
    someone = Participant(ParticipantId(str(uuid.uuid4())), "V", RoomRole.VISITOR, rig.api.clock())
    return RoomEvent(RoomEventType.CLIENT_JOINED, live, rig.api.clock(), None,
                     participant=someone, count_by_role={"visitor": 1})  # fmt: skip
