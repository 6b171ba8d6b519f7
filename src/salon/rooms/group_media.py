"""Group rooms' media: the group media commands of a participant, and keeping each participant's
media space (the room, or its breakout group) in step with the room.

`GroupMedia` is what a room needs of a group media server; `salon.sfu.group_media.JanusGroupMedia`
is the one implementation (on Janus), picked in `app.py`. Authorisation stays here: a viewer never
publishes, only a host's mute or removal reaches the server's moderation.
"""

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from salon.ids import ParticipantId
from salon.meetings.model import RoomMode, RoomRole
from salon.rooms.commands import (
    GroupMediaCommand,
    SfuAnswer,
    SfuCandidate,
    SfuPublish,
    SfuPublishRtp,
    SfuQuality,
    SfuSubscribe,
    SfuView,
)
from salon.rooms.context import RoomContext
from salon.rooms.errors import Refused, RoomErrorCode
from salon.rooms.notices import MediaMessage, MediaPublished
from salon.rooms.room import Room, Seat


class GroupMedia(Protocol):
    allows_rtp_publishers: bool

    async def enter(
        self,
        space: str,
        participant_id: str,
        *,
        publishes: bool,
        capacity: int,
        send: Callable[[dict[str, Any]], None],
    ) -> None: ...

    async def leave(self, participant_id: str) -> None: ...

    async def move(self, participant_id: str, space: str, capacity: int) -> None: ...

    def space_of(self, participant_id: str) -> str | None: ...

    async def publish(
        self, participant_id: str, offer: dict[str, Any], screen_mid: str | None, restart: bool
    ) -> dict[str, Any] | None: ...

    async def publish_rtp(self, participant_id: str) -> dict[str, Any] | None: ...

    async def answer(
        self, participant_id: str, answer: dict[str, Any], subscription: int | None
    ) -> None: ...

    async def candidate(
        self, participant_id: str, target: str, candidate: dict[str, Any] | None
    ) -> None: ...

    async def resubscribe(self, participant_id: str) -> None: ...

    async def quality(self, participant_id: str, of: str, substream: int) -> None: ...

    async def view(
        self,
        participant_id: str,
        videos: Sequence[tuple[str, str, int]],
        pinned: Sequence[str],
    ) -> None: ...

    async def mute_audio(self, participant_id: str, muted: bool) -> None: ...

    async def kick(self, participant_id: str) -> None: ...

    def resend_offer(self, participant_id: str) -> None: ...


def space_key(room: Room, participant_id: ParticipantId) -> str:
    """The media space a participant shares: the room's, or its breakout group's."""
    breakout = room.state.breakout
    group = None if breakout is None else breakout.group_of(participant_id)
    return room.state.name if group is None else f"{room.state.name}#group-{group}"


def is_group(room: Room) -> bool:
    """A group room (viewers, group caps); whose media goes through the SFU is `uses_sfu`."""
    return room.state.mode is RoomMode.GROUP


def uses_sfu(room: Room) -> bool:
    return room.state.uses_sfu


class RoomGroupMedia:
    """A room's side of group media; every method is a no-op in a room whose media does not go
    through the SFU (`RoomState.uses_sfu`), or when the server has no group media (then group
    rooms are refused at the door)."""

    def __init__(self, ctx: RoomContext, media: GroupMedia | None) -> None:
        self._ctx = ctx
        self._media = media

    @property
    def available(self) -> bool:
        return self._media is not None

    def _of(self, room: Room) -> GroupMedia | None:
        return self._media if uses_sfu(room) else None

    async def enter(self, room: Room, seat: Seat) -> None:
        media = self._of(room)
        if media is None:
            return
        pid = seat.participant_id

        def send(body: dict[str, Any]) -> None:
            self._ctx.send(room, pid, MediaMessage(body))

        await media.enter(
            space_key(room, pid),
            pid,
            publishes=seat.role is not RoomRole.VIEWER,
            capacity=room.state.capacity,
            send=send,
        )

    async def leave(self, room: Room, participant_id: ParticipantId) -> None:
        media = self._of(room)
        if media is not None:
            await media.leave(participant_id)

    async def sync_spaces(self, room: Room) -> None:
        """After a breakout change: move whoever changed group into that group's space."""
        media = self._of(room)
        if media is None:
            return
        for participant_id in list(room.state.participants):
            space = space_key(room, participant_id)
            if media.space_of(participant_id) not in (None, space):
                await media.move(participant_id, space, room.state.capacity)

    async def handle(self, seat: Seat, command: GroupMediaCommand) -> None:
        room, me = seat.room, seat.participant_id
        media = self._of(room)
        if media is None:
            raise Refused(
                RoomErrorCode.NOT_ALLOWED, "this room's media does not go through the SFU"
            )
        match command:
            case SfuPublish(description, screen_mid, restart, publication):
                _require_sender(seat)
                answer = await media.publish(me, description, screen_mid, restart)
                if answer is not None:
                    self._ctx.send(room, me, MediaPublished(answer, publication))
            case SfuAnswer(description, subscription):
                await media.answer(me, description, subscription)
            case SfuCandidate(target, candidate):
                await media.candidate(me, target, candidate)
            case SfuSubscribe():
                await media.resubscribe(me)
            case SfuQuality(of, substream):
                await media.quality(me, of, substream)
            case SfuView(videos, pinned):
                await media.view(me, videos, pinned)
            case SfuPublishRtp():
                _require_sender(seat)
                if not media.allows_rtp_publishers:
                    raise Refused(RoomErrorCode.NOT_ALLOWED, "this server takes no RTP publishers")
                rtp = await media.publish_rtp(me)
                if rtp is not None:
                    self._ctx.send(room, me, MediaMessage(rtp))

    async def unmuted(self, room: Room, participant_id: ParticipantId) -> None:
        """The participant turned the microphone on: a host's mute ends here."""
        media = self._of(room)
        if media is not None:
            await media.mute_audio(participant_id, False)

    async def mute(self, room: Room, participant_id: ParticipantId) -> None:
        media = self._of(room)
        if media is not None:
            await media.mute_audio(participant_id, True)

    async def kick(self, room: Room, participant_id: ParticipantId) -> None:
        media = self._of(room)
        if media is not None:
            await media.kick(participant_id)

    def resumed(self, room: Room, participant_id: ParticipantId) -> None:
        media = self._of(room)
        if media is not None:
            media.resend_offer(participant_id)


def _require_sender(seat: Seat) -> None:
    if seat.role is RoomRole.VIEWER:
        raise Refused(RoomErrorCode.NOT_ALLOWED, "a viewer cannot send audio or video")
