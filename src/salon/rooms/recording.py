"""Cloud recording in a room (part of `RoomService`): who may start and stop it (hosts, checked
here on the server), the meeting's start trigger, the indicator everyone sees, and the
`recorder` that webhooks report joining and leaving.

`CloudRecording` is what the room needs of recording; `salon.recording.service` implements it
(it makes the recording's row and asks the SFU to record), picked in `app.py`.
"""

import dataclasses
import logging
from typing import Any, Protocol

from salon.ids import ParticipantId, RoomName, RoomSessionId
from salon.meetings.model import Meeting, RoomMode
from salon.recording.options import RecordingOptions, StartTrigger
from salon.recording.streaming import RoomStreaming
from salon.rooms.events import LeaveReason, RoomEvent, RoomEventType
from salon.rooms.live import LiveRoom, Refused, Seat
from salon.rooms.state import HOST_ROLES, Participant, Role
from salon.signaling.protocol import ErrorCode
from salon.signaling.recording_messages import (
    RecordingMessage,
    StartRecording,
    recording_status,
)

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


class RecordingRules:
    """Mixed into `RoomService`, which sets `_cloud` and `_recordings` and provides the rest."""

    _cloud: CloudRecording | None
    _streaming: RoomStreaming | None
    _recordings: dict[RoomName, _Recording]
    _clock: Any

    def _event(self, live: LiveRoom, kind: RoomEventType, **fields: Any) -> RoomEvent:
        raise NotImplementedError

    async def record(self, event: RoomEvent) -> None:
        raise NotImplementedError

    def _recording_allowed(self, live: LiveRoom) -> RecordingOptions | None:
        if self._cloud is None or live.state.mode is not RoomMode.GROUP:
            return None
        options = self._cloud.options(live.meeting)
        return options if options.cloud else None

    async def recording_message(self, seat: Seat, message: RecordingMessage) -> None:
        live = seat.room
        starting = isinstance(message, StartRecording)
        live.state.require_host(seat.role, "start-recording" if starting else "stop-recording")
        if self._cloud is None or self._cloud.options(live.meeting).cloud is False:
            raise Refused(ErrorCode.NOT_ALLOWED, "this meeting is not set up for cloud recording")
        if self._recording_allowed(live) is None:
            raise Refused(ErrorCode.NOT_ALLOWED, "cloud recording works in group rooms only")
        if starting:
            await self._start_recording(live)
        else:
            await self.stop_recording(live)

    async def recording_entered(self, live: LiveRoom, seat: Seat) -> None:
        """A participant is in: show them the indicator, and start when the trigger says so."""
        if self._streaming is not None:  # live streaming's trigger, too
            await self._streaming.entered(live.meeting, len(live.state.participants))
        current = self._recordings.get(live.state.name)
        if current is not None and current.ready:
            live.send(seat.participant_id, recording_status(True, current.started_ms))
        options = self._recording_allowed(live)
        if options is None or current is not None:
            return
        people = len(live.state.participants)
        if (options.trigger is StartTrigger.AUTOMATIC and people >= 1) or (
            options.trigger is StartTrigger.AUTOMATIC_2ND and people >= 2
        ):
            try:
                await self._start_recording(live)
            except Exception:  # the join stands; a host can start it by hand
                log.exception("recording: the trigger could not start %s", live.state.name)
        elif options.trigger is StartTrigger.PROMPT and seat.role in HOST_ROLES:
            live.send(seat.participant_id, {"type": "recording-prompt"})

    async def recording_departed(self, live: LiveRoom) -> None:
        """The recording stops when the room empties (and so does live streaming)."""
        if self._streaming is not None:
            await self._streaming.departed(live.meeting, len(live.state.participants))
        if not live.state.participants and live.state.name in self._recordings:
            await self.stop_recording(live)

    async def _start_recording(self, live: LiveRoom) -> None:
        name = live.state.name
        if self._cloud is None or name in self._recordings:
            return
        current = self._recordings[name] = _Recording()
        try:
            current.id = await self._cloud.start(live.meeting, live.session_id)
        except BaseException:
            self._recordings.pop(name, None)
            raise
        current.started_ms, current.ready = self._clock(), True
        live.broadcast(recording_status(True, current.started_ms))
        await self._recorder_event(live, current, RoomEventType.CLIENT_JOINED)

    async def stop_recording(self, live: LiveRoom) -> None:
        current = self._recordings.get(live.state.name)
        if self._cloud is None or current is None or not current.ready:
            return
        del self._recordings[live.state.name]
        await self._cloud.stop(current.id, live.meeting)
        live.broadcast(recording_status(False, None))
        await self._recorder_event(live, current, RoomEventType.CLIENT_LEFT)

    async def _recorder_event(
        self, live: LiveRoom, current: _Recording, kind: RoomEventType
    ) -> None:
        """Webhooks see the recording as a participant with the role `recorder`."""
        recorder = Participant(
            id=ParticipantId(current.id),
            display_name=RECORDER_NAME,
            role=Role.RECORDER,
            joined_ms=current.started_ms,
        )
        counts = live.state.count_by_role()
        if kind is RoomEventType.CLIENT_JOINED:
            counts[Role.RECORDER.value] = 1
        reason = LeaveReason.LEFT if kind is RoomEventType.CLIENT_LEFT else None
        event = self._event(live, kind, participant=recorder, reason=reason)
        await self.record(dataclasses.replace(event, count_by_role=counts))
