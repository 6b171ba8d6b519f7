"""Cloud recording in a room: who may start and stop it (hosts, checked here on the server), the
meeting's start trigger, the indicator everyone sees, and the `recorder` that webhooks report
joining and leaving. What it shares with live streaming (one capture per room, the indicator, the
webhooks' participant) is `salon.rooms.capture`'s; this keeps what differs.

`CloudRecording` is what the room needs of recording; `salon.recording.service` implements it
(it makes the recording's row and asks the group media server to record), picked in `app.py`.
"""

from typing import Protocol

from salon.ids import RoomSessionId
from salon.meetings.model import Meeting, RoomRole
from salon.recording.options import (
    RecordingOptions,
    RecordingType,
    StartTrigger,
    recording_options,
)
from salon.rooms.capture import CaptureKind, RoomCapture, TriggerWish
from salon.rooms.commands import RecordingCommand, StartRecording
from salon.rooms.context import RoomContext
from salon.rooms.errors import Refused, RoomErrorCode
from salon.rooms.notices import RecordingPrompt, RecordingStatus
from salon.rooms.room import Room, Seat

RECORDER_NAME = "Recorder"
RECORDING = CaptureKind(
    name="recording",
    role=RoomRole.RECORDER,
    display_name=RECORDER_NAME,
    status=RecordingStatus,
    prompt=RecordingPrompt,
)


class CloudRecording(Protocol):
    def options(self, meeting: Meeting) -> RecordingOptions: ...

    async def start(self, meeting: Meeting, session_id: RoomSessionId | None) -> str:
        """Start recording the meeting's room; the recording's id."""
        ...

    async def stop(self, recording_id: str, meeting: Meeting) -> None: ...


class RoomRecording:
    def __init__(self, ctx: RoomContext, cloud: CloudRecording | None) -> None:
        self._cloud = cloud
        self._capture = RoomCapture(ctx, RECORDING, self)

    def offered(self, meeting: Meeting) -> RecordingType:
        """What the meeting's hosts may record: in the cloud only when this server can (the
        room's media then goes through the SFU, whatever its mode); in their own browser
        (`local`) anywhere."""
        kind = recording_options(meeting.options).type
        if kind is RecordingType.CLOUD and (
            self._cloud is None or not self._cloud.options(meeting).cloud
        ):
            return RecordingType.NONE
        return kind

    def _allowed(self, room: Room) -> RecordingOptions | None:
        if self._cloud is None or not room.state.uses_sfu:
            return None
        options = self._cloud.options(room.meeting)
        return options if options.cloud else None

    async def handle(self, seat: Seat, command: RecordingCommand) -> None:
        room = seat.room
        starting = isinstance(command, StartRecording)
        self._capture.require_host(seat, starting)
        if self._cloud is None or self._cloud.options(room.meeting).cloud is False:
            raise Refused(
                RoomErrorCode.NOT_ALLOWED, "this meeting is not set up for cloud recording"
            )
        if self._allowed(room) is None:
            raise Refused(
                RoomErrorCode.NOT_ALLOWED, "cloud recording needs the room's media on the SFU"
            )
        if starting:
            await self._capture.start(room)
        else:
            await self._capture.stop(room)

    async def entered(self, room: Room, seat: Seat) -> None:
        """A participant is in: show them the indicator, and start when the trigger says so."""
        await self._capture.entered(room, seat, self._wish(room))

    def _wish(self, room: Room) -> TriggerWish:
        options = self._allowed(room)
        if options is None:
            return TriggerWish.NOTHING
        people = len(room.state.participants)
        if (options.trigger is StartTrigger.AUTOMATIC and people >= 1) or (
            options.trigger is StartTrigger.AUTOMATIC_2ND and people >= 2
        ):
            return TriggerWish.START
        if options.trigger is StartTrigger.PROMPT:
            return TriggerWish.PROMPT_HOSTS
        return TriggerWish.NOTHING

    async def departed(self, room: Room) -> None:
        """The recording stops when the room empties."""
        await self._capture.departed(room)

    async def stop(self, room: Room) -> None:
        await self._capture.stop(room)

    # --- Medium (for RoomCapture) -------------------------------------------------------------

    async def begin(self, room: Room) -> str:
        if self._cloud is None:
            raise Refused(RoomErrorCode.NOT_ALLOWED, "this server does not record in the cloud")
        return await self._cloud.start(room.meeting, room.session_id)

    async def end(self, room: Room, capture_id: str) -> None:
        if self._cloud is not None:
            await self._cloud.stop(capture_id, room.meeting)
