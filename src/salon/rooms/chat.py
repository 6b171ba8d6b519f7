"""Chat: a message reaches the sender's space (its breakout group, or the main room); a host's
broadcast reaches everyone."""

import uuid

from salon.ids import ParticipantId
from salon.rooms.context import RoomContext
from salon.rooms.notices import ChatMessage
from salon.rooms.room import Room


class Chat:
    def __init__(self, ctx: RoomContext) -> None:
        self._ctx = ctx

    def say(self, room: Room, sender: ParticipantId, text: str, *, everyone: bool) -> None:
        state = room.state
        message = ChatMessage(
            id=str(uuid.uuid4()),
            sender=sender,
            display_name=state.participant(sender).display_name,
            text=text,
            at_ms=self._ctx.clock(),
            broadcast=everyone,
        )
        receivers = (p for p in state.participants if everyone or state.same_space(sender, p))
        self._ctx.send_each(room, receivers, message)
