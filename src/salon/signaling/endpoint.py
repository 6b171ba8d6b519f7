"""The signaling WebSocket: pumps frames between one socket and `RoomService`. No room rules here.

socket ──receive──► flood check ──► protocol.parse ──► rooms.join | rooms.handle
rooms ──notice──► messages.encode (once) ──► Connection.send (bounded queue, never waits)
      ──► pump task ──► socket

A `join` first places its room (`cluster.placement`): served here when this node holds the room
(always, with one process), else the socket is relayed to the node that does (`cluster.relay`),
where `serve_relayed` runs the same loop over the relayed socket. Rooms never know.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from starlette.websockets import WebSocket, WebSocketDisconnect

from salon import log_context
from salon.clock import Clock
from salon.cluster.model import (
    Closed,
    PlacementUnavailable,
    RelayHello,
    RemoteSocket,
    RoomPlacement,
    SocketRelay,
)
from salon.errors import SalonError
from salon.ids import OrgId, RoomName
from salon.meetings.model import RoomRole
from salon.metrics import events as metrics
from salon.rooms.errors import Refused, RoomErrorCode
from salon.rooms.notices import Closing, Frame, Pong
from salon.rooms.room import Seat, SeatStatus
from salon.rooms.service import RoomService
from salon.rooms.state import NoSuchParticipant, NotAllowed, SignedInMember
from salon.services import MemberResolver, Services, StatsSink, services_of
from salon.signaling import protocol as p
from salon.signaling.flood import LogBudget, TokenBucket
from salon.signaling.messages import ErrorMessage, ServerMessage, close_code, encode
from salon.signaling.protocol import CloseCode
from salon.signaling.stats_messages import Stats

log = logging.getLogger(__name__)

OUTGOING_QUEUE = 256
SIGNAL_PATH = "/_salon/signal"
_CLOSE_DRAIN_S = 5.0
_UNPLACED_WARN_EVERY_S = 60.0
_STOP = object()
_HAND_OVER = object()


class SignalSocket(Protocol):
    """A WebSocket (Starlette's), or a socket relayed from another node (`RemoteSocket`)."""

    async def receive(self) -> Mapping[str, Any]: ...

    async def send_text(self, data: str) -> None: ...

    async def close(self, code: int = 1000, reason: str | None = None) -> None: ...


class Connection:
    """One participant's socket as a `Client`: a bounded queue drained by its own task."""

    def __init__(self, websocket: SignalSocket) -> None:
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

    def hand_over(self) -> None:
        """Stop after the frames already queued and leave the socket open (it is relayed)."""
        if self._close is None:
            self._close = (CloseCode.NORMAL, "")
            self._queue.put_nowait(_HAND_OVER)

    def _clear(self) -> None:
        while not self._queue.empty():
            self._queue.get_nowait()

    async def pump(self) -> None:
        """Send queued frames in order; close the socket once asked to."""
        with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
            while (item := await self._queue.get()) is not _STOP:
                if item is _HAND_OVER:
                    return
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


@dataclass(frozen=True, slots=True)
class _HandOver:
    """The socket's room is served by `owner`: relay it there, starting with `hello`."""

    owner: str
    hello: RelayHello


class _Unplaced:
    """Joins refused while Redis cannot say where rooms are: one warning a minute."""

    warned_at = float("-inf")

    @classmethod
    def warn(cls) -> None:
        now = time.monotonic()
        if now - cls.warned_at >= _UNPLACED_WARN_EVERY_S:
            cls.warned_at = now
            log.warning(
                "joins are refused: Redis is unreachable, so rooms cannot be placed on a node "
                "(pages retry; this warning repeats at most once a minute)"
            )


def _joining(frame: str) -> RoomName | None:
    """The room a `join` frame asks for (None for any other frame, or a bad one)."""
    try:
        message = p.parse(frame)
    except p.ProtocolError:
        return None
    return message.room if isinstance(message, p.Join) else None


async def _place(
    placement: RoomPlacement, room: RoomName, connection: Connection
) -> tuple[str, bool] | None:
    """(owner node, here?), or None once the join is refused because nobody can tell."""
    try:
        where = await placement.place(room)
    except PlacementUnavailable:
        _Unplaced.warn()
        connection.say(
            ErrorMessage(
                RoomErrorCode.NOT_ALLOWED,
                "the server cannot reach the room right now; try again in a moment",
                "join",
            )
        )
        connection.shut(CloseCode.SERVICE_RESTART, "room placement unavailable")
        return None
    return where.node, where.here


def _member_pair(member: SignedInMember | None) -> tuple[str, str] | None:
    return None if member is None else (str(member.org_id), member.role.value)


async def _serve(
    services: Services,
    socket: SignalSocket,
    peer: _Peer,
    agent: str,
    *,
    first: str | None = None,
    relayed: bool = False,
) -> _HandOver | None:
    """Serve the socket here until it ends; or, when its `join` is for a room another node
    serves, stop (the socket left open) and say where to relay it."""
    rooms: RoomService = services.rooms
    placement: RoomPlacement = services.cluster.placement
    sink: StatsSink | None = services.stats_sink
    stats = None if sink is None else lambda seat, sample: sink(seat, agent, sample)
    clock = peer.clock
    connection = Connection(socket)
    pump = asyncio.create_task(connection.pump())
    flood = TokenBucket()
    seat: Seat | None = None
    placed: RoomName | None = None
    handover: _HandOver | None = None
    try:
        while not connection.closing:
            if first is not None:  # checked for floods where the socket is
                frame, first = first, None
            else:
                received = await socket.receive()
                if received["type"] == "websocket.disconnect":
                    break
                text = received.get("text")
                if text is None:
                    connection.say(
                        ErrorMessage(RoomErrorCode.BAD_FRAME, "frames must be text (JSON)")
                    )
                    continue
                frame = text
                if not flood.take(clock()):
                    if flood.refused_in_a_row == 1:  # once per streak: replies must not flood
                        connection.say(
                            ErrorMessage(RoomErrorCode.SLOW_DOWN, "too many messages; slow down")
                        )
                    if flood.flooding:
                        connection.shut(CloseCode.FLOODING, "flooding")
                    continue
            if seat is None and (room := _joining(frame)) is not None and room != placed:
                where = await _place(placement, room, connection)
                if where is None:
                    continue
                owner, here = where
                if not here:
                    if relayed or services.cluster.relay is None:
                        # Placed here by the node that relayed it, elsewhere now: start over.
                        connection.say(
                            ErrorMessage(
                                RoomErrorCode.NOT_ALLOWED, "the room moved; reconnecting", "join"
                            )
                        )
                        connection.shut(CloseCode.SERVICE_RESTART, "the room moved")
                        continue
                    member = _member_pair(peer.member)
                    hello = RelayHello(room, frame, peer.address, agent, member)
                    handover = _HandOver(owner, hello)
                    break
                if placed is not None:
                    placement.let_go(placed)
                placed = room
            before, seat = seat, await _dispatch(rooms, connection, seat, frame, peer, stats)
            if seat is not None and seat is not before:  # log lines name the room from now on
                log_context.bind(room=seat.room.state.name, participant_id=seat.participant_id)
    except WebSocketDisconnect:
        pass
    finally:
        if seat is not None:
            await rooms.disconnected(seat, connection)
        if handover is not None:
            connection.hand_over()
        else:
            connection.shut(CloseCode.NORMAL, "")
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(pump, _CLOSE_DRAIN_S)
        if placed is not None:
            placement.let_go(placed)
    return handover


async def _relay(websocket: WebSocket, relay: SocketRelay, handover: _HandOver) -> None:
    """Pump frames between the client's socket and the room's owner until either ends."""
    connection = relay.open(handover.owner, handover.hello)

    async def downstream() -> None:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
            while True:
                item = await connection.receive()
                if isinstance(item, Closed):
                    await websocket.close(code=item.code, reason=item.reason[:120])
                    return
                await websocket.send_text(item)

    down = asyncio.create_task(downstream())
    try:
        while True:
            received = await websocket.receive()
            if received["type"] == "websocket.disconnect":
                break
            text = received.get("text")
            if text is None:
                connection.send_binary()
            else:
                connection.send(text)
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        connection.close()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(asyncio.shield(down), 0.5)  # the owner's last frames
        down.cancel()
        await asyncio.gather(down, return_exceptions=True)


async def signal_endpoint(websocket: WebSocket) -> None:
    services = services_of(websocket)
    member_of: MemberResolver | None = services.signed_in_member
    agent = websocket.headers.get("user-agent", "")
    member = None
    if member_of is not None:
        headers = websocket.headers
        member = await member_of(websocket.cookies, headers.get("origin"), headers.get("host"))
    await websocket.accept()
    client = websocket.client
    peer = _Peer(client.host if client else None, member, LogBudget(), services.clock)
    handover = await _serve(services, websocket, peer, agent)
    if handover is not None and services.cluster.relay is not None:
        await _relay(websocket, services.cluster.relay, handover)


async def serve_relayed(services: Services, socket: RemoteSocket, hello: RelayHello) -> None:
    """On the room's owner: a socket another node relays here, served as if it were local."""
    member = None
    if hello.member is not None:
        org_id, role = hello.member
        member = SignedInMember(OrgId(int(org_id)), RoomRole(role))
    peer = _Peer(hello.address, member, LogBudget(), services.clock)
    await _serve(services, socket, peer, hello.agent, first=hello.first_frame, relayed=True)
