"""The signaling WebSocket: pumps frames between one socket and `RoomService`. No room rules here.

socket ──receive──► flood check ──► protocol.parse ──► rooms.join | rooms.handle
rooms ──Connection.send (bounded queue, never waits)──► pump task ──► socket
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from salon import log_context
from salon.clock import Clock
from salon.errors import SalonError
from salon.metrics import events as metrics
from salon.rooms.live import Refused, Seat, SeatStatus
from salon.rooms.service import RoomService
from salon.rooms.state import NoSuchParticipant, NotAllowed, SignedInMember
from salon.services import services_of
from salon.signaling import protocol as p
from salon.signaling.flood import LogBudget, TokenBucket
from salon.signaling.protocol import CloseCode, ErrorCode
from salon.signaling.stats_messages import Stats

log = logging.getLogger(__name__)

StatsSink = Callable[[Seat, str, Stats], None]
"""(seat, User-Agent, sample): where a participant's quality samples go (insights)."""

MemberResolver = Callable[
    [dict[str, str], str | None, str | None], Awaitable[SignedInMember | None]
]
"""(cookies, Origin, Host) → the organization account signed in in this browser, if any."""

OUTGOING_QUEUE = 256
SIGNAL_PATH = "/_salon/signal"
_CLOSE_DRAIN_S = 5.0
_STOP = object()


class Connection:
    """One participant's socket as a `Client`: a bounded queue drained by its own task."""

    def __init__(self, websocket: WebSocket) -> None:
        self._websocket = websocket
        self._queue: asyncio.Queue[object] = asyncio.Queue(maxsize=OUTGOING_QUEUE)
        self._close: tuple[CloseCode, str] | None = None

    @property
    def closing(self) -> bool:
        return self._close is not None

    def send(self, message: dict[str, Any]) -> None:
        if self._close is not None:
            return
        try:
            self._queue.put_nowait(p.encode(message))
            metrics.signal_sent(message.get("type"))
        except asyncio.QueueFull:
            metrics.slow_reader_dropped()
            log.warning("closing a connection that cannot keep up with its room")
            self._clear()
            self.close(CloseCode.TOO_SLOW, "too slow to keep up")

    def close(self, code: CloseCode, reason: str) -> None:
        if self._close is not None:
            return
        self._close = (code, reason)
        if self._queue.full():
            self._clear()
        self._queue.put_nowait(_STOP)

    def _clear(self) -> None:
        while not self._queue.empty():
            self._queue.get_nowait()

    async def pump(self) -> None:
        """Send queued frames in order; close the socket once asked to."""
        with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
            while (item := await self._queue.get()) is not _STOP:
                assert isinstance(item, str)
                await self._websocket.send_text(item)
            code, reason = self._close or (CloseCode.NORMAL, "")
            await self._websocket.close(code=int(code), reason=reason[:120])


def _error(exc: Exception, about: str | None) -> tuple[dict[str, Any], CloseCode | None]:
    """The `error` message for an exception, and the close code when it also ends the socket."""
    if isinstance(exc, p.ProtocolError):
        close = CloseCode.PROTOCOL if exc.code is ErrorCode.UNSUPPORTED_VERSION else None
        return p.error(exc.code, exc.message, exc.about or about), close
    if isinstance(exc, Refused):
        return exc.answer or p.error(exc.code, exc.message, about), exc.close
    if isinstance(exc, NotAllowed):
        return p.error(ErrorCode.NOT_ALLOWED, exc.message, about), None
    if isinstance(exc, NoSuchParticipant):
        return p.error(ErrorCode.NO_SUCH_PARTICIPANT, exc.message, about), None
    assert isinstance(exc, SalonError)
    return p.error(ErrorCode.BAD_FIELD, exc.message, about), None


@dataclass(slots=True)
class _Peer:
    """What the endpoint knows of the connection's other end, for the room and for logs."""

    address: str | None
    member: SignedInMember | None
    logs: LogBudget
    clock: Clock

    def log_allowed(self) -> bool:
        return self.logs.allow(self.clock())


async def _dispatch(
    rooms: RoomService,
    connection: Connection,
    seat: Seat | None,
    frame: str,
    peer: _Peer,
    stats: Callable[[Seat, Stats], None] | None = None,
) -> Seat | None:
    """Handle one frame; the seat the connection holds afterwards."""
    about: str | None = None
    started = time.perf_counter()
    try:
        message = p.parse(frame)
        about = p.wire_type(message)
        if isinstance(message, Stats) and seat is not None:
            if stats is not None and seat.status is SeatStatus.IN_ROOM:
                stats(seat, message)
        elif seat is not None:
            await rooms.handle(seat, message)
        elif isinstance(message, p.Join):
            seat = await rooms.join(connection, message, peer.member, peer.address)
            metrics.join_answered(time.perf_counter() - started)
        elif isinstance(message, p.Ping):
            connection.send({"type": "pong", "id": message.id})
        else:
            raise p.ProtocolError(ErrorCode.NOT_JOINED, "send join first", about)
    except (p.ProtocolError, Refused, SalonError) as refused:
        body, close = _error(refused, about)
        if body.get("code") == ErrorCode.BAD_FRAME and peer.log_allowed():
            log.warning("refused a bad signaling frame from %s: %s", peer.address, body["message"])
        connection.send(body)
        if close is not None:
            connection.close(close, str(body.get("message", body["type"])))
    except Exception:
        # A fault of ours must not take the room down: this connection hears of it, others don't.
        if peer.log_allowed():
            log.exception("signaling message failed")
        connection.send(p.error(ErrorCode.BAD_FRAME, "the server could not handle that message"))
    metrics.signal_received(about)
    return seat


async def signal_endpoint(websocket: WebSocket) -> None:
    services = services_of(websocket)
    rooms: RoomService = services.rooms
    clock: Clock = services.clock
    member_of: MemberResolver | None = services.signed_in_member
    sink: StatsSink | None = services.stats_sink
    agent = websocket.headers.get("user-agent", "")
    stats = None if sink is None else lambda seat, sample: sink(seat, agent, sample)
    member = None
    if member_of is not None:
        headers = websocket.headers
        member = await member_of(websocket.cookies, headers.get("origin"), headers.get("host"))
    await websocket.accept()
    connection = Connection(websocket)
    pump = asyncio.create_task(connection.pump())
    flood = TokenBucket()
    client = websocket.client
    peer = _Peer(client.host if client else None, member, LogBudget(), clock)
    seat: Seat | None = None
    try:
        while not connection.closing:
            received = await websocket.receive()
            if received["type"] == "websocket.disconnect":
                break
            frame = received.get("text")
            if frame is None:
                connection.send(p.error(ErrorCode.BAD_FRAME, "frames must be text (JSON)"))
                continue
            if not flood.take(clock()):
                if flood.refused_in_a_row == 1:  # once per streak: replies must not flood back
                    connection.send(p.error(ErrorCode.SLOW_DOWN, "too many messages; slow down"))
                if flood.flooding:
                    connection.close(CloseCode.FLOODING, "flooding")
                continue
            before, seat = seat, await _dispatch(rooms, connection, seat, frame, peer, stats)
            if seat is not None and seat is not before:  # log lines name the room from now on
                log_context.bind(room=seat.room.state.name, participant_id=seat.participant_id)
    except WebSocketDisconnect:
        pass
    finally:
        if seat is not None:
            await rooms.disconnected(seat, connection)
        connection.close(CloseCode.NORMAL, "")
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(pump, _CLOSE_DRAIN_S)
