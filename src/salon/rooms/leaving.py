"""Leaving a room: by choice, by a connection lost for longer than the resume grace, by a host's
removal, or all at once when the room closes.

    leave ──► out now, socket closed        lost connection ──► reconnecting ──► resume | gone
    removal | meeting ended | meeting over ──► `Removed` with the reason, socket closed
"""

from salon.ids import ParticipantId
from salon.rooms.captions import RoomCaptions
from salon.rooms.context import RoomContext
from salon.rooms.directory import RoomDirectory
from salon.rooms.door import WaitingRoom
from salon.rooms.events import LeaveReason, RoomEventType
from salon.rooms.group_media import RoomGroupMedia
from salon.rooms.leave_reasons import SILENT_REASONS, closing_for
from salon.rooms.notices import Client, Closing, ParticipantLeft, Removed
from salon.rooms.recording import RoomRecording
from salon.rooms.room import Room, Seat, SeatStatus
from salon.rooms.sessions import Sessions
from salon.rooms.streaming import RoomStreaming

RESUME_GRACE_S = 20.0


class Departures:
    def __init__(
        self,
        ctx: RoomContext,
        directory: RoomDirectory,
        sessions: Sessions,
        door: WaitingRoom,
        media: RoomGroupMedia,
        recording: RoomRecording,
        resume_grace_s: float = RESUME_GRACE_S,
        *,
        streaming: RoomStreaming | None = None,
        captions: RoomCaptions | None = None,
    ) -> None:
        self._ctx = ctx
        self._directory = directory
        self._sessions = sessions
        self._door = door
        self._media = media
        self._recording = recording
        self._resume_grace_s = resume_grace_s
        self._streaming = streaming
        self._captions = captions

    async def leave_by_choice(self, seat: Seat) -> None:
        room = seat.room
        client = room.clients.get(seat.participant_id)
        if seat.status is SeatStatus.IN_ROOM:
            await self.depart(room, seat.participant_id, LeaveReason.LEFT)
        else:
            await self._leave_door(seat)
        if client is not None:
            client.close(Closing.LEFT, "left")

    async def disconnected(self, seat: Seat, client: Client) -> None:
        """The connection behind `seat` is gone without `leave`."""
        room = seat.room
        if room.clients.get(seat.participant_id) is not client:
            return  # replaced by a resumed connection, or already out
        if seat.status is SeatStatus.IN_ROOM:
            room.clients.pop(seat.participant_id, None)
            self._ctx.broadcast(room, room.update(seat.participant_id, reconnecting=True))
            room.resume_deadlines[seat.participant_id] = self._ctx.later(
                self._resume_grace_s, lambda: self._resume_expired(room, seat.participant_id)
            )
            return
        await self._leave_door(seat)

    async def _leave_door(self, seat: Seat) -> None:
        """Someone at the door, or knocking, goes: their knock, seat and connection with them."""
        room = seat.room
        await self._door.withdraw(seat)
        room.leave_door(seat.participant_id)
        self._directory.drop_if_idle(room)

    async def _resume_expired(self, room: Room, participant_id: ParticipantId) -> None:
        room.resume_deadlines.pop(participant_id, None)
        if participant_id in room.state.participants and participant_id not in room.clients:
            await self.depart(room, participant_id, LeaveReason.TIMEOUT)

    async def depart(self, room: Room, participant_id: ParticipantId, reason: LeaveReason) -> None:
        """Take a participant out, tell the room, and close them out when the room removed them."""
        if participant_id not in room.state.participants:
            return
        departure = room.depart(participant_id)
        assert departure is not None
        await self._media.leave(room, participant_id)
        client = departure.client
        if client is not None and reason is not LeaveReason.LEFT:
            if reason not in SILENT_REASONS:
                client.send(self._ctx.frame(Removed(reason.value)))
            client.close(closing_for(reason), reason.value)
        self._ctx.broadcast(room, ParticipantLeft(participant_id, reason.value))
        if departure.spotlit:
            self._ctx.broadcast(room, room.updated())
        event = self._ctx.event(
            room, RoomEventType.CLIENT_LEFT, participant=departure.participant, reason=reason
        )
        ended = self._sessions.count_changed(room)
        await self._ctx.record(event)
        if ended is not None:
            await self._ctx.record(ended)
        await self._recording.departed(room)
        if self._streaming is not None:
            await self._streaming.departed(room)
        if self._captions is not None:
            await self._captions.departed(room)
        self._directory.drop_if_idle(room)

    async def empty(self, room: Room, reason: LeaveReason) -> None:
        """Everyone out: participants and knockers."""
        self._door.stop_knock_list(room)
        for waiting_id in room.waiting():
            self._door.turn_away(room, waiting_id, reason)
        for participant_id in list(room.state.participants):
            await self.depart(room, participant_id, reason)
        await self._sessions.end_now(room)
