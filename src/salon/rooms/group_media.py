"""Group rooms' media (part of `RoomService`): the SFU messages of the signaling protocol, and
keeping each participant's SFU space (the room, or its breakout group) in step with the room.

`GroupMedia` is what the room needs of an SFU; `salon.sfu.group_media.JanusGroupMedia` is the one
implementation (on Janus), picked in `app.py`. Authorisation stays here: a viewer never
publishes, only a host's mute or removal reaches the SFU's moderation.
"""

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from salon.ids import ParticipantId
from salon.meetings.model import RoomMode, RoomRole
from salon.rooms.errors import RoomErrorCode
from salon.rooms.live import LiveRoom, Refused, Seat
from salon.signaling import protocol as p


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


def space_key(live: LiveRoom, participant_id: ParticipantId) -> str:
    """The SFU room a participant shares: the room's, or its breakout group's."""
    breakout = live.state.breakout
    group = None if breakout is None else breakout.group_of(participant_id)
    return live.state.name if group is None else f"{live.state.name}#group-{group}"


class GroupMediaRules:
    """Mixed into `RoomService`, which sets `_sfu`."""

    _sfu: GroupMedia | None

    @staticmethod
    def is_group(live: LiveRoom) -> bool:
        return live.state.mode is RoomMode.GROUP

    async def sfu_enter(self, live: LiveRoom, seat: Seat) -> None:
        if self._sfu is None or not self.is_group(live):
            return
        pid = seat.participant_id
        await self._sfu.enter(
            space_key(live, pid),
            pid,
            publishes=seat.role is not RoomRole.VIEWER,
            capacity=live.state.capacity,
            send=lambda message: live.send(pid, message),
        )

    async def sfu_leave(self, live: LiveRoom, participant_id: ParticipantId) -> None:
        if self._sfu is not None and self.is_group(live):
            await self._sfu.leave(participant_id)

    async def sync_spaces(self, live: LiveRoom) -> None:
        """After a breakout change: move whoever changed group into that group's SFU room."""
        if self._sfu is None or not self.is_group(live):
            return
        for participant_id in list(live.state.participants):
            space = space_key(live, participant_id)
            if self._sfu.space_of(participant_id) not in (None, space):
                await self._sfu.move(participant_id, space, live.state.capacity)

    async def group_message(self, seat: Seat, message: p.ClientMessage) -> None:
        live, me = seat.room, seat.participant_id
        if self._sfu is None or not self.is_group(live):
            raise Refused(RoomErrorCode.NOT_ALLOWED, "this room is not a group room")
        match message:
            case p.SfuPublish(description, screen_mid, restart, publication):
                if seat.role is RoomRole.VIEWER:
                    raise Refused(RoomErrorCode.NOT_ALLOWED, "a viewer cannot send audio or video")
                answer = await self._sfu.publish(me, description, screen_mid, restart)
                if answer is not None:
                    published: dict[str, Any] = {"type": "sfu-published", "description": answer}
                    if publication is not None:
                        published["publication"] = publication
                    live.send(me, published)
            case p.SfuAnswer(description, subscription):
                await self._sfu.answer(me, description, subscription)
            case p.SfuCandidate(target, candidate):
                await self._sfu.candidate(me, target, candidate)
            case p.SfuSubscribe():
                await self._sfu.resubscribe(me)
            case p.SfuQuality(of, substream):
                await self._sfu.quality(me, of, substream)
            case p.SfuView(videos, pinned):
                await self._sfu.view(me, videos, pinned)
            case p.SfuPublishRtp():
                if seat.role is RoomRole.VIEWER:
                    raise Refused(RoomErrorCode.NOT_ALLOWED, "a viewer cannot send audio or video")
                if not self._sfu.allows_rtp_publishers:
                    raise Refused(RoomErrorCode.NOT_ALLOWED, "this server takes no RTP publishers")
                rtp = await self._sfu.publish_rtp(me)
                if rtp is not None:
                    live.send(me, rtp)

    async def sfu_unmuted(self, live: LiveRoom, participant_id: ParticipantId) -> None:
        """The participant turned the microphone on: a host's mute ends here."""
        if self._sfu is not None and self.is_group(live):
            await self._sfu.mute_audio(participant_id, False)

    async def sfu_mute(self, live: LiveRoom, participant_id: ParticipantId) -> None:
        if self._sfu is not None and self.is_group(live):
            await self._sfu.mute_audio(participant_id, True)

    async def sfu_kick(self, live: LiveRoom, participant_id: ParticipantId) -> None:
        if self._sfu is not None and self.is_group(live):
            await self._sfu.kick(participant_id)

    def sfu_resumed(self, live: LiveRoom, participant_id: ParticipantId) -> None:
        if self._sfu is not None and self.is_group(live):
            self._sfu.resend_offer(participant_id)
