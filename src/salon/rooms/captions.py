"""Live transcription in a room: who may start and stop it (hosts, checked here on the server),
the meeting's start trigger (`automatic` when the first participant is in,
`automatic-2nd-participant` when the second is; `none` and `manual` wait for a host or the
embedding page), the status everyone sees, the captions everyone is sent, and the session's
transcript kept when it stops (a host stops it, or the room empties).

`LiveCaptioning` is what the room needs of live transcription;
`salon.transcription.live_service.LiveTranscriber` implements it (it has the SFU forward each
speaker's audio to the speech engine), picked in `app.py`.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from salon.ids import ParticipantId, RoomName, RoomSessionId
from salon.meetings.model import Meeting
from salon.rooms.commands import StartLiveTranscription, TranscriptionCommand
from salon.rooms.context import RoomContext
from salon.rooms.errors import Refused, RoomErrorCode
from salon.rooms.notices import CaptionShown, TranscriptionStatus
from salon.rooms.room import Room, Seat
from salon.transcription.captions import (
    Caption,
    CaptionLog,
    Heard,
    LiveOptions,
    live_options,
    triggered,
)
from salon.transcription.model import Line

log = logging.getLogger(__name__)

UNKNOWN_SPEAKER = "Participant"


class LiveCaptioning(Protocol):
    @property
    def available(self) -> bool: ...

    async def start(
        self,
        meeting: Meeting,
        session_id: RoomSessionId | None,
        started_ms: int,
        on_heard: Callable[[str, Heard, int], None],
    ) -> str | None:
        """Start hearing the meeting's room; why not, when it cannot."""
        ...

    async def stop(self, meeting: Meeting) -> None: ...

    async def keep(self, meeting: Meeting, lines: list[Line], ended_ms: int) -> None: ...


@dataclass
class _Live:
    options: LiveOptions
    log: CaptionLog
    ready: bool = False
    """False while it is starting: a second trigger meanwhile does nothing."""
    names: dict[str, str] = field(default_factory=dict)
    """Every speaker's display name, kept after they leave (their last words may come later)."""


class RoomCaptions:
    def __init__(self, ctx: RoomContext, control: LiveCaptioning | None) -> None:
        self._ctx = ctx
        self._control = control
        self._live: dict[RoomName, _Live] = {}

    def offered(self, meeting: Meeting) -> bool:
        """The meeting asks for live transcription and this server can do it (then its room's
        media goes through the SFU, whatever its mode)."""
        return (
            self._control is not None
            and self._control.available
            and live_options(meeting.options) is not None
        )

    def transcribing(self, room_name: RoomName) -> bool:
        current = self._live.get(room_name)
        return current is not None and current.ready

    async def handle(self, seat: Seat, command: TranscriptionCommand) -> None:
        room = seat.room
        starting = isinstance(command, StartLiveTranscription)
        room.state.require_host(
            seat.role, "start-live-transcription" if starting else "stop-live-transcription"
        )
        if not self.offered(room.meeting) or not room.state.uses_sfu:
            raise Refused(
                RoomErrorCode.NOT_ALLOWED, "this meeting is not set up for live transcription"
            )
        if not starting:
            await self.stop(room)
            return
        problem = await self._start(room)
        if problem is not None:
            raise Refused(RoomErrorCode.NOT_ALLOWED, problem)

    async def entered(self, room: Room, seat: Seat) -> None:
        """A participant is in: show them the status, and start when the trigger says so."""
        current = self._live.get(room.state.name)
        if current is not None and current.ready:
            self._ctx.send(room, seat.participant_id, self._status(current))
        if current is not None or not self.offered(room.meeting) or not room.state.uses_sfu:
            return
        options = live_options(room.meeting.options)
        if options is not None and triggered(options.trigger, len(room.state.participants)):
            try:
                problem = await self._start(room)
            except Exception:  # the join stands; a host can start it by hand
                log.exception("captions: the trigger could not start %s", room.state.name)
            else:
                if problem is not None:
                    log.warning("captions: the trigger could not start %s: %s", room.state.name,
                                problem)  # fmt: skip

    async def departed(self, room: Room) -> None:
        """Live transcription stops when the room empties."""
        if not room.state.participants:
            await self.stop(room)

    async def _start(self, room: Room) -> str | None:
        name = room.state.name
        options = live_options(room.meeting.options)
        if self._control is None or options is None or name in self._live:
            return None
        started_ms = self._ctx.clock()
        current = self._live[name] = _Live(options, CaptionLog(started_ms))

        def heard(participant_id: str, what: Heard, origin_ms: int) -> None:
            self._heard(room, current, participant_id, what, origin_ms)

        try:
            problem = await self._control.start(room.meeting, room.session_id, started_ms, heard)
        except BaseException:
            self._live.pop(name, None)
            raise
        if problem is not None:
            self._live.pop(name, None)
            return problem
        current.ready = True
        self._ctx.broadcast(room, self._status(current))
        return None

    @staticmethod
    def _status(current: _Live) -> TranscriptionStatus:
        return TranscriptionStatus(True, current.log.started_ms, current.options.captions)

    def _heard(
        self, room: Room, current: _Live, participant_id: str, what: Heard, origin_ms: int
    ) -> None:
        participant = room.state.participants.get(ParticipantId(participant_id))
        if participant is not None:
            current.names[participant_id] = participant.display_name
        caption = Caption(
            participant_id,
            current.names.get(participant_id, UNKNOWN_SPEAKER),
            what.text,
            what.final,
            origin_ms + round(what.start_s * 1000),
            origin_ms + round(what.end_s * 1000),
        )
        if not current.log.accept(caption) or not current.options.captions:
            return
        if self._live.get(room.state.name) is current:
            self._ctx.broadcast(
                room,
                CaptionShown(
                    ParticipantId(caption.participant_id),
                    caption.display_name,
                    caption.text,
                    caption.final,
                    caption.start_ms,
                    caption.end_ms,
                ),
            )

    async def stop(self, room: Room) -> None:
        current = self._live.get(room.state.name)
        if self._control is None or current is None or not current.ready:
            return
        current.ready = False
        try:
            await self._control.stop(room.meeting)  # the last final captions come in here
        finally:
            del self._live[room.state.name]
            self._ctx.broadcast(room, TranscriptionStatus(False, None, current.options.captions))
        await self._control.keep(room.meeting, current.log.transcript(), self._ctx.clock())
