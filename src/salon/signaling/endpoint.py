"""The signaling WebSocket: pumps frames between one socket and `RoomService`. No room rules here.

socket ──receive──► flood check ──► protocol.parse ──► rooms.join | rooms.handle
rooms ──notice──► messages.encode (once) ──► Connection.send (bounded queue, never waits)
      ──► pump task ──► socket
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.websockets import WebSocket, WebSocketDisconnect

from salon import log_context
from salon.clock import Clock
from salon.errors import SalonError
from salon.metrics import events as metrics
from salon.rooms.errors import Refused, RoomErrorCode
from salon.rooms.notices import Closing, Frame, Pong
from salon.rooms.room import Seat, SeatStatus
from salon.rooms.service import RoomService
from salon.rooms.state import NoSuchParticipant, NotAllowed, SignedInMember
from salon.services import MemberResolver, StatsSink, services_of
from salon.signaling import protocol as p
from salon.signaling.flood import LogBudget, TokenBucket
from salon.signaling.messages import ErrorMessage, ServerMessage, close_code, encode
from salon.signaling.protocol import CloseCode
from salon.signaling.stats_messages import Stats

log = logging.getLogger(__name__)

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

    def send(self, frame: Frame) -> None:
        if self._close is not None:
            return
        try:
            self._queue.put_nowait(frame.text)
            metrics.signal_sent(frame.type)
        except asyncio.QueueFull:
            metrics.slow_reader_dropped()
            log.warning("closing a connection that cannot keep up with its room")
            self._clear()
            self.shut(CloseCode.TOO_SLOW, "too slow to keep up")

    def say(self, message: ServerMessage) -> None:
        self.send(encode(message))

    def close(self, closing: Closing, reason: str) -> None:
        self.shut(close_code(closing), reason)

    def shut(self, code: CloseCode, reason: str) -> None:
        """Close with this code after the frames already queued."""
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


def _error(exc: Exception, about: str | None) -> tuple[ServerMessage, CloseCode | None]:
    """The `error` message for an exception, and the close code when it also ends the socket."""
    if isinstance(exc, p.ProtocolError):
        close = CloseCode.PROTOCOL if exc.code is RoomErrorCode.UNSUPPORTED_VERSION else None
        return ErrorMessage(exc.code, exc.message, exc.about or about), close
    if isinstance(exc, Refused):
        close = None if exc.closing is None else close_code(exc.closing)
        return exc.answer or ErrorMessage(exc.code, exc.message, about), close
    if isinstance(exc, NotAllowed):
        return ErrorMessage(RoomErrorCode.NOT_ALLOWED, exc.message, about), None
    if isinstance(exc, NoSuchParticipant):
        return ErrorMessage(RoomErrorCode.NO_SUCH_PARTICIPANT, exc.message, about), None
    assert isinstance(exc, SalonError)
    return ErrorMessage(RoomErrorCode.BAD_FIELD, exc.message, about), None


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
        if isinstance(message, Stats):
            if seat is None:
                raise p.ProtocolError(RoomErrorCode.NOT_JOINED, "send join first", about)
            if stats is not None and seat.status is SeatStatus.IN_ROOM:
                stats(seat, message)
        elif seat is not None:
            await rooms.handle(seat, message)
        elif isinstance(message, p.Join):
            seat = await rooms.join(connection, message, peer.member, peer.address)
            metrics.join_answered(time.perf_counter() - started)
        elif isinstance(message, p.Ping):
            connection.say(Pong(message.id))
        else:
            raise p.ProtocolError(RoomErrorCode.NOT_JOINED, "send join first", about)
    except (p.ProtocolError, Refused, SalonError) as refused:
        answer, close = _error(refused, about)
        if (
            isinstance(answer, ErrorMessage)
            and answer.code is RoomErrorCode.BAD_FRAME
            and peer.log_allowed()
        ):
            log.warning("refused a bad signaling frame from %s: %s", peer.address, answer.message)
        encoded = encode(answer)
        connection.send(encoded)
        if close is not None:
            reason = answer.message if isinstance(answer, ErrorMessage) else encoded.type
            connection.shut(close, reason)
    except Exception:
        # A fault of ours must not take the room down: this connection hears of it, others don't.
        if peer.log_allowed():
            log.exception("signaling message failed")
        connection.say(
            ErrorMessage(RoomErrorCode.BAD_FRAME, "the server could not handle that message")
        )
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
                connection.say(ErrorMessage(RoomErrorCode.BAD_FRAME, "frames must be text (JSON)"))
                continue
            if not flood.take(clock()):
                if flood.refused_in_a_row == 1:  # once per streak: replies must not flood back
                    connection.say(
                        ErrorMessage(RoomErrorCode.SLOW_DOWN, "too many messages; slow down")
                    )
                if flood.flooding:
                    connection.shut(CloseCode.FLOODING, "flooding")
                continue
            before, seat = seat, await _dispatch(rooms, connection, seat, frame, peer, stats)
            if seat is not None and seat is not before:  # log lines name the room from now on
                log_context.bind(room=seat.room.state.name, participant_id=seat.participant_id)
    except WebSocketDisconnect:
        pass
    finally:
        if seat is not None:
            await rooms.disconnected(seat, connection)
        connection.shut(CloseCode.NORMAL, "")
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(pump, _CLOSE_DRAIN_S)
