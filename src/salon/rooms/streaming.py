"""Live streaming in a room: who may start and stop it (hosts, checked here on the server), the
meeting's start trigger (`automatic` when the first participant is in, `prompt` asks each host
who enters), the indicator everyone sees, and the `streamer` that webhooks report joining and
leaving while the stream runs. The stream stops when the room empties. What it shares with
cloud recording is `salon.rooms.capture`'s; this keeps what differs.

`StreamControl` is what the room needs of live streaming; `salon.recording.streamer` implements
it (it checks the destination and asks the group media server to push the room to RTMP).
"""

import uuid
from typing import Protocol

from salon.ids import RoomName
from salon.meetings.model import Meeting, RoomMode, RoomRole
from salon.recording.streaming import StreamTrigger, streaming_options
from salon.rooms.capture import CaptureKind, RoomCapture, TriggerWish
from salon.rooms.commands import StartStreaming, StreamingCommand
from salon.rooms.context import RoomContext
from salon.rooms.errors import Refused, RoomErrorCode
from salon.rooms.notices import StreamingPrompt, StreamingStatus
from salon.rooms.room import Room, Seat

STREAMER_NAME = "Streamer"
STREAMING = CaptureKind(
    name="streaming",
    role=RoomRole.STREAMER,
    display_name=STREAMER_NAME,
    status=StreamingStatus,
    prompt=StreamingPrompt,
)


class StreamControl(Protocol):
    async def start(self, meeting: Meeting) -> str | None:
        """Start streaming the meeting's room; why not, when it cannot."""
        ...

    async def stop(self, meeting: Meeting) -> None: ...


class RoomStreaming:
    def __init__(self, ctx: RoomContext, control: StreamControl | None) -> None:
        self._control = control
        self._capture = RoomCapture(ctx, STREAMING, self)

    def offered(self, meeting: Meeting) -> bool:
        """May the meeting's hosts go live: this server streams, the meeting has a destination,
        and its room is a group room (as `StreamControl.start` requires)."""
        return (
            self._control is not None
            and streaming_options(meeting.options).target is not None
            and meeting.room_mode is RoomMode.GROUP
        )

    def streaming(self, room_name: RoomName) -> bool:
        return self._capture.running(room_name)

    async def handle(self, seat: Seat, command: StreamingCommand) -> None:
        room = seat.room
        starting = isinstance(command, StartStreaming)
        self._capture.require_host(seat, starting)
        if self._control is None or streaming_options(room.meeting.options).target is None:
            raise Refused(RoomErrorCode.NOT_ALLOWED, "this meeting is not set up for streaming")
        if starting:
            await self._capture.start(room)
        else:
            await self._capture.stop(room)

    async def entered(self, room: Room, seat: Seat) -> None:
        """A participant is in: show them the indicator, and start when the trigger says so."""
        await self._capture.entered(room, seat, self._wish(room))

    def _wish(self, room: Room) -> TriggerWish:
        options = streaming_options(room.meeting.options)
        if self._control is None or options.target is None:
            return TriggerWish.NOTHING
        if options.trigger is StreamTrigger.AUTOMATIC and room.state.participants:
            return TriggerWish.START
        if options.trigger is StreamTrigger.PROMPT:
            return TriggerWish.PROMPT_HOSTS
        return TriggerWish.NOTHING

    async def departed(self, room: Room) -> None:
        await self._capture.departed(room)

    async def stop(self, room: Room) -> None:
        await self._capture.stop(room)

    # --- Medium (for RoomCapture) -------------------------------------------------------------

    async def begin(self, room: Room) -> str:
        """The stream's id is fresh for each stream (webhooks' `streamer` participant)."""
        if self._control is None:
            raise Refused(RoomErrorCode.NOT_ALLOWED, "this server does not stream")
        problem = await self._control.start(room.meeting)
        if problem is not None:
            raise Refused(RoomErrorCode.NOT_ALLOWED, problem)
        return str(uuid.uuid4())

    async def end(self, room: Room, capture_id: str) -> None:
        if self._control is not None:
            await self._control.stop(room.meeting)
