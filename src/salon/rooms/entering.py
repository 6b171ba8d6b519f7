"""Entering a room: the newcomer is in, the room hears of it, and `Joined` tells the newcomer
once their join is on record (`room.client.joined` written).

    enter ──► Room.enter ──► hold what the room says to them ──► group media ──► others hear
          ──► record ──► `Joined`, then what was held ──► session start, recording trigger
"""

from collections.abc import Callable
from typing import Any

from salon.ids import ParticipantId
from salon.rooms.captions import RoomCaptions
from salon.rooms.context import RoomContext
from salon.rooms.events import RoomEventType
from salon.rooms.group_media import RoomGroupMedia, uses_sfu
from salon.rooms.limits import KNOCK_LIST_MAX
from salon.rooms.notices import Closing, Joined, MediaPath, ParticipantJoined, ParticipantLeft
from salon.rooms.recording import RoomRecording
from salon.rooms.room import Room, Seat
from salon.rooms.sessions import Sessions
from salon.rooms.state import HOST_ROLES
from salon.rooms.streaming import RoomStreaming

IceServersFor = Callable[[ParticipantId, int], list[dict[str, Any]]]


class Entrance:
    def __init__(
        self,
        ctx: RoomContext,
        sessions: Sessions,
        media: RoomGroupMedia,
        recording: RoomRecording,
        *,
        ice_servers_for: IceServersFor | None = None,
        streaming: RoomStreaming | None = None,
        captions: RoomCaptions | None = None,
    ) -> None:
        self._ctx = ctx
        self._sessions = sessions
        self._media = media
        self._recording = recording
        self._ice_servers_for = ice_servers_for
        self._streaming = streaming
        self._captions = captions

    async def enter(self, room: Room, seat: Seat) -> None:
        ctx = self._ctx
        participant = room.enter(seat, ctx.clock())
        # What the room says to the newcomer waits until their join is committed: `joined`
        # means `room.client.joined` is on record.
        room.holding[participant.id] = []
        try:
            await self._media.enter(room, seat)
            welcome = self.joined(room, seat)
            ctx.broadcast(room, ParticipantJoined(participant), skip=participant.id)
            started = self._sessions.count_changed(room)
            await ctx.record(ctx.event(room, RoomEventType.CLIENT_JOINED, participant=participant))
        except BaseException:
            room.holding.pop(participant.id, None)
            self._not_entered(room, seat)
            raise
        held = room.holding.pop(participant.id, [])
        ctx.send(room, participant.id, welcome)
        client = room.clients.get(participant.id)
        if client is not None:
            for frame in held:
                client.send(frame)
        if started is not None:
            await ctx.record(started)
        await self._recording.entered(room, seat)
        if self._streaming is not None:
            await self._streaming.entered(room, seat)
        if self._captions is not None:
            await self._captions.entered(room, seat)

    def _not_entered(self, room: Room, seat: Seat) -> None:
        """The join could not be recorded: take the newcomer out again, and let their page try
        once more."""
        client = room.not_entered(seat)
        self._ctx.broadcast(room, ParticipantLeft(seat.participant_id, "left"))
        if client is not None:
            client.close(Closing.SERVICE_RESTART, "the join could not be recorded")

    def joined(self, room: Room, seat: Seat) -> Joined:
        knocks = room.knock_list(KNOCK_LIST_MAX).knockers if seat.role in HOST_ROLES else ()
        return Joined(
            participant_id=seat.participant_id,
            resume_token=seat.resume_token,
            role=seat.role,
            room=room.view(),
            participants=tuple(room.state.others(seat.participant_id)),
            knocks=knocks,
            ice_servers=(
                self._ice_servers_for(seat.participant_id, self._ctx.clock())
                if self._ice_servers_for is not None
                else []
            ),
            media=MediaPath.GROUP if uses_sfu(room) else MediaPath.MESH,
            recording=room.state.recording,
            streaming=self._streaming is not None and self._streaming.offered(room.meeting),
            live_transcription=room.state.live_transcription,
        )
