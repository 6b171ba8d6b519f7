"""What hosts do to a room, and chat (part of `RoomService`): lock, let in, remove, mute,
spotlight, end the meeting, breakout groups and the meeting clock. Every action is refused here,
on the server, to anyone whose role is not a host's."""

import uuid
from typing import Any

from salon.ids import ParticipantId
from salon.rooms.breakout import Breakout, check_groups
from salon.rooms.events import LeaveReason
from salon.rooms.live import LiveRoom, Refused, Seat
from salon.rooms.state import Participant
from salon.signaling import protocol as p
from salon.signaling.host_messages import (
    Admit,
    BreakoutAssign,
    BreakoutBroadcast,
    BreakoutEnd,
    BreakoutStart,
    CameraOff,
    EndMeeting,
    Hold,
    Lock,
    Mute,
    Reject,
    Remove,
    Spotlight,
    Timer,
)
from salon.signaling.protocol import ErrorCode


class HostActions:
    """Mixed into `RoomService`, which provides what is declared below."""

    _clock: Any
    after_meeting_ended: Any

    async def admit(self, live: LiveRoom, knocker_id: ParticipantId) -> None:
        raise NotImplementedError

    async def knock_decision(self, live: LiveRoom, message: Admit | Reject | Hold) -> None:
        raise NotImplementedError

    async def _depart(
        self, live: LiveRoom, participant_id: ParticipantId, reason: LeaveReason
    ) -> None:
        raise NotImplementedError

    async def _empty(self, live: LiveRoom, reason: LeaveReason) -> None:
        raise NotImplementedError

    def _updated(self, live: LiveRoom, participant: Participant) -> None:
        raise NotImplementedError

    async def sfu_kick(self, live: LiveRoom, participant_id: ParticipantId) -> None:
        raise NotImplementedError

    async def sfu_mute(self, live: LiveRoom, participant_id: ParticipantId) -> None:
        raise NotImplementedError

    async def sync_spaces(self, live: LiveRoom) -> None:
        raise NotImplementedError

    async def _host_action(self, seat: Seat, message: p.ClientMessage) -> None:
        live, state = seat.room, seat.room.state
        state.require_host(seat.role, f"send {p.wire_type(message)}")
        me = seat.participant_id
        match message:
            case Lock(locked):
                state.locked = locked
                live.announce()
                if not locked:
                    for knocker_id in list(state.knockers):
                        await self.admit(live, knocker_id)
            case Admit() | Reject() | Hold():
                await self.knock_decision(live, message)
            case Remove(target):
                state.participant(target)
                await self.sfu_kick(live, target)
                await self._depart(live, target, LeaveReason.KICKED)
            case Mute(target):
                state.participant(target)
                live.send(target, {"type": "muted", "by": me})
                self._updated(live, state.update(target, audio=False))
                await self.sfu_mute(live, target)
            case CameraOff(target):
                state.participant(target)
                live.send(target, {"type": "camera-turned-off", "by": me})
                self._updated(live, state.update(target, video=False))
            case Spotlight(target):
                state.set_spotlight(target)
                live.announce()
            case EndMeeting():
                await self._empty(live, LeaveReason.MEETING_ENDED)
                if self.after_meeting_ended is not None:
                    await self.after_meeting_ended(
                        live.meeting.room_name, LeaveReason.MEETING_ENDED.value
                    )
            case BreakoutStart(groups, allow_choose):
                state.breakout = Breakout(check_groups(groups), allow_choose)
                live.announce()
                await self.sync_spaces(live)
            case BreakoutAssign(target, group):
                state.participant(target)
                if state.breakout is None:
                    raise Refused(ErrorCode.NOT_ALLOWED, "no breakout session is running")
                state.breakout.assign(target, group)
                live.announce()
                await self.sync_spaces(live)
            case BreakoutBroadcast(text):
                self._chat(live, me, text, everyone=True)
            case BreakoutEnd():
                state.breakout = None
                live.announce()
                await self.sync_spaces(live)
            case Timer(running):
                state.timer_started_ms = self._clock() if running else None
                live.announce()
            case _:
                raise Refused(ErrorCode.UNKNOWN_TYPE, "this message is not handled here")

    def _chat(self, live: LiveRoom, sender: ParticipantId, text: str, *, everyone: bool) -> None:
        """A chat message to the sender's space (its breakout group, or the main room), or with
        `everyone` (a host's broadcast) to all."""
        message = {
            "type": "chat",
            "id": str(uuid.uuid4()),
            "from": sender,
            "displayName": live.state.participant(sender).display_name,
            "text": text,
            "at": self._clock(),
        }
        if everyone:
            message["broadcast"] = True
        for participant_id in live.state.participants:
            if everyone or live.state.same_space(sender, participant_id):
                live.send(participant_id, message)
