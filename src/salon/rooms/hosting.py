"""What hosts do to a room: lock, let in, remove, mute, spotlight, end the meeting, breakout
groups and the meeting clock. Every action is refused here, on the server, to anyone whose role
is not a host's."""

from collections.abc import Awaitable, Callable

from salon.ids import RoomName
from salon.rooms.chat import Chat
from salon.rooms.commands import (
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
    RoomCommand,
    Spotlight,
    Timer,
    name_of,
)
from salon.rooms.context import RoomContext
from salon.rooms.door import WaitingRoom
from salon.rooms.errors import Refused, RoomErrorCode
from salon.rooms.events import LeaveReason
from salon.rooms.group_media import RoomGroupMedia
from salon.rooms.leaving import Departures
from salon.rooms.notices import CameraTurnedOff, Muted
from salon.rooms.room import Seat


class HostActions:
    def __init__(
        self,
        ctx: RoomContext,
        door: WaitingRoom,
        departures: Departures,
        media: RoomGroupMedia,
        chat: Chat,
    ) -> None:
        self._ctx = ctx
        self._door = door
        self._departures = departures
        self._media = media
        self._chat = chat
        self.meeting_ended_listeners: list[Callable[[RoomName, str], Awaitable[None]]] = []
        """Told once a host has ended a meeting here (cluster mode: the other nodes close it)."""

    async def handle(self, seat: Seat, command: RoomCommand) -> None:
        room, ctx = seat.room, self._ctx
        state = room.state
        state.require_host(seat.role, f"send {name_of(command)}")
        me = seat.participant_id
        match command:
            case Lock(locked):
                ctx.broadcast(room, room.lock(locked))
                if not locked:
                    for knocker_id in list(state.knockers):
                        await self._door.admit(room, knocker_id)
            case Admit() | Reject() | Hold():
                await self._door.decide(room, command)
            case Remove(target):
                state.participant(target)
                await self._media.kick(room, target)
                await self._departures.depart(room, target, LeaveReason.KICKED)
            case Mute(target):
                state.participant(target)
                ctx.send(room, target, Muted(me))
                ctx.broadcast(room, room.update(target, audio=False))
                await self._media.mute(room, target)
            case CameraOff(target):
                state.participant(target)
                ctx.send(room, target, CameraTurnedOff(me))
                ctx.broadcast(room, room.update(target, video=False))
            case Spotlight(target):
                ctx.broadcast(room, room.spotlight(target))
            case EndMeeting():
                await self._departures.empty(room, LeaveReason.MEETING_ENDED)
                for listener in self.meeting_ended_listeners:
                    await listener(room.name, LeaveReason.MEETING_ENDED.value)
            case BreakoutStart(groups, allow_choose):
                ctx.broadcast(room, room.start_breakout(groups, allow_choose))
                await self._media.sync_spaces(room)
            case BreakoutAssign(target, group):
                state.participant(target)
                ctx.broadcast(room, room.assign(target, group))
                await self._media.sync_spaces(room)
            case BreakoutBroadcast(text):
                self._chat.say(room, me, text, everyone=True)
            case BreakoutEnd():
                ctx.broadcast(room, room.end_breakout())
                await self._media.sync_spaces(room)
            case Timer(running):
                ctx.broadcast(room, room.set_timer(ctx.clock() if running else None))
            case _:
                raise Refused(RoomErrorCode.UNKNOWN_TYPE, "this message is not handled here")
