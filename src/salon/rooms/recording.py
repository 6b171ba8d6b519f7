"""Cloud recording in a room: who may start and stop it (hosts, checked here on the server), the
meeting's start trigger, the indicator everyone sees, and the `recorder` that webhooks report
joining and leaving.

`CloudRecording` is what the room needs of recording; `salon.recording.service` implements it
(it makes the recording's row and asks the group media server to record), picked in `app.py`.
"""

import dataclasses
import logging
from typing import Protocol

from salon.ids import ParticipantId, RoomName, RoomSessionId
from salon.meetings.model import Meeting, RoomRole
from salon.recording.options import (
    RecordingOptions,
    RecordingType,
    StartTrigger,
    recording_options,
)
from salon.rooms.commands import RecordingCommand, StartRecording
from salon.rooms.context import RoomContext
from salon.rooms.errors import Refused, RoomErrorCode
from salon.rooms.events import LeaveReason, RoomEventType
from salon.rooms.notices import RecordingPrompt, RecordingStatus
from salon.rooms.room import Room, Seat
from salon.rooms.state import HOST_ROLES, Participant

log = logging.getLogger(__name__)

RECORDER_NAME = "Recorder"


class CloudRecording(Protocol):
    def options(self, meeting: Meeting) -> RecordingOptions: ...

    async def start(self, meeting: Meeting, session_id: RoomSessionId | None) -> str:
        """Start recording the meeting's room; the recording's id."""
        ...

    async def stop(self, recording_id: str, meeting: Meeting) -> None: ...


@dataclasses.dataclass
class _Recording:
    id: str = ""
    started_ms: int = 0
    ready: bool = False
    """False while it is starting: a second trigger meanwhile does nothing."""


class RoomRecording:
    def __init__(self, ctx: RoomContext, cloud: CloudRecording | None) -> None:
        self._ctx = ctx
        self._cloud = cloud
        self._recordings: dict[RoomName, _Recording] = {}

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
        room.state.require_host(seat.role, "start-recording" if starting else "stop-recording")
        if self._cloud is None or self._cloud.options(room.meeting).cloud is False:
            raise Refused(
                RoomErrorCode.NOT_ALLOWED, "this meeting is not set up for cloud recording"
            )
        if self._allowed(room) is None:
            raise Refused(
                RoomErrorCode.NOT_ALLOWED, "cloud recording needs the room's media on the SFU"
            )
        if starting:
            await self._start(room)
        else:
            await self.stop(room)

    async def entered(self, room: Room, seat: Seat) -> None:
        """A participant is in: show them the indicator, and start when the trigger says so."""
        current = self._recordings.get(room.state.name)
        if current is not None and current.ready:
            self._ctx.send(room, seat.participant_id, RecordingStatus(True, current.started_ms))
        options = self._allowed(room)
        if options is None or current is not None:
            return
        people = len(room.state.participants)
        if (options.trigger is StartTrigger.AUTOMATIC and people >= 1) or (
            options.trigger is StartTrigger.AUTOMATIC_2ND and people >= 2
        ):
            try:
                await self._start(room)
            except Exception:  # the join stands; a host can start it by hand
                log.exception("recording: the trigger could not start %s", room.state.name)
        elif options.trigger is StartTrigger.PROMPT and seat.role in HOST_ROLES:
            self._ctx.send(room, seat.participant_id, RecordingPrompt())

    async def departed(self, room: Room) -> None:
        """The recording stops when the room empties."""
        if not room.state.participants and room.state.name in self._recordings:
            await self.stop(room)

    async def _start(self, room: Room) -> None:
        name = room.state.name
        if self._cloud is None or name in self._recordings:
            return
        current = self._recordings[name] = _Recording()
        try:
            current.id = await self._cloud.start(room.meeting, room.session_id)
        except BaseException:
            self._recordings.pop(name, None)
            raise
        current.started_ms, current.ready = self._ctx.clock(), True
        self._ctx.broadcast(room, RecordingStatus(True, current.started_ms))
        await self._recorder_event(room, current, RoomEventType.CLIENT_JOINED)

    async def stop(self, room: Room) -> None:
        current = self._recordings.get(room.state.name)
        if self._cloud is None or current is None or not current.ready:
            return
        del self._recordings[room.state.name]
        await self._cloud.stop(current.id, room.meeting)
        self._ctx.broadcast(room, RecordingStatus(False, None))
        await self._recorder_event(room, current, RoomEventType.CLIENT_LEFT)

    async def _recorder_event(self, room: Room, current: _Recording, kind: RoomEventType) -> None:
        """Webhooks see the recording as a participant with the role `recorder`."""
        recorder = Participant(
            id=ParticipantId(current.id),
            display_name=RECORDER_NAME,
            role=RoomRole.RECORDER,
            joined_ms=current.started_ms,
        )
        counts = room.state.count_by_role()
        if kind is RoomEventType.CLIENT_JOINED:
            counts[RoomRole.RECORDER.value] = 1
        reason = LeaveReason.LEFT if kind is RoomEventType.CLIENT_LEFT else None
        event = self._ctx.event(room, kind, participant=recorder, reason=reason)
        await self._ctx.record(dataclasses.replace(event, count_by_role=counts))
