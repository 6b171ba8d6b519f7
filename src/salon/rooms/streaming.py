"""Live streaming in a room: who may start and stop it (hosts, checked here on the server), the
meeting's start trigger (`automatic` when the first participant is in, `prompt` asks each host
who enters), the indicator everyone sees, and the `streamer` that webhooks report joining and
leaving while the stream runs. The stream stops when the room empties.

`StreamControl` is what the room needs of live streaming; `salon.recording.streamer` implements
it (it checks the destination and asks the group media server to push the room to RTMP).
"""

import dataclasses
import logging
import uuid
from typing import Protocol

from salon.ids import ParticipantId, RoomName
from salon.meetings.model import Meeting, RoomRole
from salon.recording.streaming import StreamTrigger, streaming_options
from salon.rooms.commands import StartStreaming, StreamingCommand
from salon.rooms.context import RoomContext
from salon.rooms.errors import Refused, RoomErrorCode
from salon.rooms.events import LeaveReason, RoomEventType
from salon.rooms.notices import StreamingPrompt, StreamingStatus
from salon.rooms.room import Room, Seat
from salon.rooms.state import HOST_ROLES, Participant

log = logging.getLogger(__name__)

STREAMER_NAME = "Streamer"


class StreamControl(Protocol):
    async def start(self, meeting: Meeting) -> str | None:
        """Start streaming the meeting's room; why not, when it cannot."""
        ...

    async def stop(self, meeting: Meeting) -> None: ...


@dataclasses.dataclass
class _Stream:
    id: str
    started_ms: int = 0
    ready: bool = False
    """False while it is starting: a second trigger meanwhile does nothing."""


class RoomStreaming:
    def __init__(self, ctx: RoomContext, control: StreamControl | None) -> None:
        self._ctx = ctx
        self._control = control
        self._streams: dict[RoomName, _Stream] = {}

    def streaming(self, room_name: RoomName) -> bool:
        current = self._streams.get(room_name)
        return current is not None and current.ready

    async def handle(self, seat: Seat, command: StreamingCommand) -> None:
        room = seat.room
        starting = isinstance(command, StartStreaming)
        room.state.require_host(seat.role, "start-streaming" if starting else "stop-streaming")
        if self._control is None or streaming_options(room.meeting.options).target is None:
            raise Refused(RoomErrorCode.NOT_ALLOWED, "this meeting is not set up for streaming")
        if not starting:
            await self.stop(room)
            return
        problem = await self._start(room)
        if problem is not None:
            raise Refused(RoomErrorCode.NOT_ALLOWED, problem)

    async def entered(self, room: Room, seat: Seat) -> None:
        """A participant is in: show them the indicator, and start when the trigger says so."""
        current = self._streams.get(room.state.name)
        if current is not None and current.ready:
            self._ctx.send(room, seat.participant_id, StreamingStatus(True, current.started_ms))
        if self._control is None or current is not None:
            return
        options = streaming_options(room.meeting.options)
        if options.target is None:
            return
        if options.trigger is StreamTrigger.AUTOMATIC and room.state.participants:
            try:
                problem = await self._start(room)
            except Exception:  # the join stands; a host can start it by hand
                log.exception("streaming: the trigger could not start %s", room.state.name)
            else:
                if problem is not None:
                    log.warning("streaming: the trigger could not start %s", room.state.name)
        elif options.trigger is StreamTrigger.PROMPT and seat.role in HOST_ROLES:
            self._ctx.send(room, seat.participant_id, StreamingPrompt())

    async def departed(self, room: Room) -> None:
        if not room.state.participants:
            await self.stop(room)

    async def _start(self, room: Room) -> str | None:
        name = room.state.name
        if self._control is None or name in self._streams:
            return None
        current = self._streams[name] = _Stream(str(uuid.uuid4()))
        try:
            problem = await self._control.start(room.meeting)
        except BaseException:
            self._streams.pop(name, None)
            raise
        if problem is not None:
            self._streams.pop(name, None)
            return problem
        current.started_ms, current.ready = self._ctx.clock(), True
        self._ctx.broadcast(room, StreamingStatus(True, current.started_ms))
        await self._streamer_event(room, current, RoomEventType.CLIENT_JOINED)
        return None

    async def stop(self, room: Room) -> None:
        current = self._streams.get(room.state.name)
        if self._control is None or current is None or not current.ready:
            return
        del self._streams[room.state.name]
        await self._control.stop(room.meeting)
        self._ctx.broadcast(room, StreamingStatus(False, None))
        await self._streamer_event(room, current, RoomEventType.CLIENT_LEFT)

    async def _streamer_event(self, room: Room, current: _Stream, kind: RoomEventType) -> None:
        """Webhooks see the stream as a participant with the role `streamer`."""
        streamer = Participant(
            id=ParticipantId(current.id),
            display_name=STREAMER_NAME,
            role=RoomRole.STREAMER,
            joined_ms=current.started_ms,
        )
        counts = room.state.count_by_role()
        if kind is RoomEventType.CLIENT_JOINED:
            counts[RoomRole.STREAMER.value] = 1
        reason = LeaveReason.LEFT if kind is RoomEventType.CLIENT_LEFT else None
        event = self._ctx.event(room, kind, participant=streamer, reason=reason)
        await self._ctx.record(dataclasses.replace(event, count_by_role=counts))
