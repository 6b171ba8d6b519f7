"""What cloud recording and live streaming share in a room: a capture of the room's media that a
host (checked here, on the server) or the meeting's start trigger starts, at most one per room,
that stops when the room empties, whose indicator everyone sees (newcomers on entering), and that
webhooks see as a participant of its own role while it runs.

`RoomRecording` and `RoomStreaming` each own a `RoomCapture` (composition) and keep only what
differs: whether the meeting may be captured, how the capture starts and stops (`Medium`), and
what the start trigger asks for (`TriggerWish`).
"""

import dataclasses
import enum
import logging
from collections.abc import Callable
from typing import Protocol

from salon.ids import ParticipantId, RoomName
from salon.meetings.model import RoomRole
from salon.rooms.context import RoomContext
from salon.rooms.errors import Refused
from salon.rooms.events import LeaveReason, RoomEventType
from salon.rooms.notices import Notice
from salon.rooms.room import Room, Seat
from salon.rooms.state import HOST_ROLES, Participant

log = logging.getLogger(__name__)


class Medium(Protocol):
    async def begin(self, room: Room) -> str:
        """Start capturing the room; the capture's id. Raises `Refused` with the reason when it
        cannot."""
        ...

    async def end(self, room: Room, capture_id: str) -> None: ...


@dataclasses.dataclass(frozen=True, slots=True)
class CaptureKind:
    """How one kind of capture shows itself."""

    name: str
    """In the commands (`start-<name>`) and the log."""
    role: RoomRole
    """The webhooks' participant for it."""
    display_name: str
    status: Callable[[bool, int | None], Notice]
    """The indicator: running or not, since when (ms)."""
    prompt: Callable[[], Notice]
    """To a host who enters: the meeting asks whether to start it."""


class TriggerWish(enum.Enum):
    """What the meeting's start trigger asks for when someone enters and nothing runs."""

    NOTHING = "nothing"
    START = "start"
    PROMPT_HOSTS = "prompt-hosts"


@dataclasses.dataclass
class _Capture:
    id: str = ""
    started_ms: int = 0
    ready: bool = False
    """False while it is starting: a second trigger meanwhile does nothing."""


class RoomCapture:
    def __init__(self, ctx: RoomContext, kind: CaptureKind, medium: Medium) -> None:
        self._ctx = ctx
        self._kind = kind
        self._medium = medium
        self._captures: dict[RoomName, _Capture] = {}

    def running(self, room_name: RoomName) -> bool:
        current = self._captures.get(room_name)
        return current is not None and current.ready

    def require_host(self, seat: Seat, starting: bool) -> None:
        verb = "start" if starting else "stop"
        seat.room.state.require_host(seat.role, f"{verb}-{self._kind.name}")

    async def entered(self, room: Room, seat: Seat, wish: TriggerWish) -> None:
        """A participant is in: show them the indicator, and do what the trigger asks while
        nothing runs or starts."""
        current = self._captures.get(room.state.name)
        if current is not None and current.ready:
            self._ctx.send(room, seat.participant_id, self._kind.status(True, current.started_ms))
        if current is not None:
            return
        if wish is TriggerWish.START:
            try:
                await self.start(room)
            except Refused as refusal:  # the join stands; a host can start it by hand
                log.warning(
                    "%s: the trigger could not start %s: %s",
                    self._kind.name,
                    room.state.name,
                    refusal.message,
                )
            except Exception:
                name = room.state.name
                log.exception("%s: the trigger could not start %s", self._kind.name, name)
        elif wish is TriggerWish.PROMPT_HOSTS and seat.role in HOST_ROLES:
            self._ctx.send(room, seat.participant_id, self._kind.prompt())

    async def departed(self, room: Room) -> None:
        """The capture stops when the room empties."""
        if not room.state.participants:
            await self.stop(room)

    async def start(self, room: Room) -> None:
        name = room.state.name
        if name in self._captures:
            return
        current = self._captures[name] = _Capture()
        try:
            current.id = await self._medium.begin(room)
        except BaseException:
            self._captures.pop(name, None)
            raise
        current.started_ms, current.ready = self._ctx.clock(), True
        self._ctx.broadcast(room, self._kind.status(True, current.started_ms))
        await self._participant_event(room, current, RoomEventType.CLIENT_JOINED)

    async def stop(self, room: Room) -> None:
        current = self._captures.get(room.state.name)
        if current is None or not current.ready:
            return
        del self._captures[room.state.name]
        await self._medium.end(room, current.id)
        self._ctx.broadcast(room, self._kind.status(False, None))
        await self._participant_event(room, current, RoomEventType.CLIENT_LEFT)

    async def _participant_event(self, room: Room, current: _Capture, kind: RoomEventType) -> None:
        """Webhooks see the capture as a participant with its own role, counted while it runs."""
        role = self._kind.role
        participant = Participant(
            id=ParticipantId(current.id),
            display_name=self._kind.display_name,
            role=role,
            joined_ms=current.started_ms,
        )
        counts = room.state.count_by_role()
        if kind is RoomEventType.CLIENT_JOINED:
            counts[role.value] = 1
        reason = LeaveReason.LEFT if kind is RoomEventType.CLIENT_LEFT else None
        event = self._ctx.event(room, kind, participant=participant, reason=reason)
        await self._ctx.record(dataclasses.replace(event, count_by_role=counts))
