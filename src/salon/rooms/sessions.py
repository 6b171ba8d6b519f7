"""Sessions: a room with two or more people in it. One starts at two; it ends a grace period
after fewer remain (someone reloading their page does not end it)."""

import uuid

from salon.ids import RoomSessionId
from salon.rooms.context import RoomContext
from salon.rooms.directory import RoomDirectory
from salon.rooms.events import RoomEvent, RoomEventType
from salon.rooms.room import Room

SESSION_END_GRACE_S = 60.0


class Sessions:
    def __init__(
        self, ctx: RoomContext, directory: RoomDirectory, end_grace_s: float = SESSION_END_GRACE_S
    ) -> None:
        self._ctx = ctx
        self._directory = directory
        self._end_grace_s = end_grace_s

    def count_changed(self, room: Room) -> RoomEvent | None:
        """Start a session at two people; schedule its end when fewer remain. The event to record
        (a session start) is returned so the caller records it after the join it follows."""
        count = len(room.state.participants)
        if count >= 2:
            if room.session_end is not None:
                room.session_end.cancel()
                room.session_end = None
            if room.session_id is None:
                room.session_id = RoomSessionId(str(uuid.uuid4()))
                return self._ctx.event(
                    room, RoomEventType.SESSION_STARTED, present=tuple(room.state.participants)
                )
        elif room.session_id is not None and room.session_end is None:
            room.session_end = self._ctx.later(self._end_grace_s, lambda: self.end_now(room))
        return None

    async def end_now(self, room: Room) -> None:
        if room.session_end is not None:
            room.session_end.cancel()
            room.session_end = None
        if room.session_id is None:
            return
        event = self._ctx.event(room, RoomEventType.SESSION_ENDED)
        room.session_id = None
        await self._ctx.record(event)
        self._directory.drop_if_idle(room)
