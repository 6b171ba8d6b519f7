"""The waiting room: knocking, and a host's answer to a knock.

Hosts hear the waiting list as one `KnockList`, at most a few times a second however fast people
knock and cancel; each knocker's knock and cancel webhooks go out at most once a minute.
"""

import asyncio
from collections.abc import Awaitable, Callable

from salon.ids import ParticipantId
from salon.meetings.model import RoomRole
from salon.ratelimit import RateLimiter
from salon.rooms.commands import Admit, CancelKnock, Hold, Knock, Reject
from salon.rooms.context import RoomContext
from salon.rooms.errors import Refused, RoomErrorCode
from salon.rooms.events import LeaveReason, RoomEventType
from salon.rooms.leave_reasons import SILENT_REASONS, closing_for
from salon.rooms.limits import KNOCK_LIST_MAX, KNOCK_WEBHOOK_EVERY_MS, RoomLimits
from salon.rooms.notices import Closing, KnockHeld, Knocking, KnockRejected, Removed
from salon.rooms.room import Room, Seat, SeatStatus
from salon.rooms.state import Entry, Knocker

_KNOCK_EVENTS_KEPT = 1000
"""Past this many remembered knock webhooks in a room, the ones older than a minute go."""

Enter = Callable[[Room, Seat], Awaitable[None]]


def allowed(limiter: RateLimiter, address: str | None) -> bool:
    """One more from this address, within its budget per minute (no address: no limit)."""
    return address is None or not limiter.enabled or limiter.charge(address, 1).allowed


class WaitingRoom:
    def __init__(self, ctx: RoomContext, limits: RoomLimits, enter: Enter) -> None:
        self._ctx = ctx
        self._limits = limits
        self._enter = enter
        self._knock_rate = RateLimiter(limits.knocks_per_minute, ctx.clock)

    # --- from the visitor -------------------------------------------------------------------

    async def handle(self, seat: Seat, command: Knock | CancelKnock) -> None:
        room = seat.room
        if isinstance(command, CancelKnock):
            if seat.status is not SeatStatus.KNOCKING:
                raise Refused(RoomErrorCode.NOT_ALLOWED, "you are not knocking")
            await self.withdraw(seat)
            return
        if seat.status is not SeatStatus.AT_DOOR:
            raise Refused(
                RoomErrorCode.NOT_ALLOWED, "only someone at a locked room's door may knock"
            )
        if command.display_name:
            seat.display_name = command.display_name
        entry = room.state.decide_entry(seat.role)
        if entry is Entry.ENTER:  # unlocked meanwhile
            await self._enter(room, seat)
            return
        if entry is Entry.FULL:
            raise Refused(RoomErrorCode.NOT_ALLOWED, "the room is full")
        if not allowed(self._knock_rate, seat.address):
            raise Refused(
                RoomErrorCode.SLOW_DOWN, "too many knocks from your address; wait a minute"
            )
        knocker = room.knock(seat, self._ctx.clock())
        self._ctx.send(room, seat.participant_id, Knocking())
        self.knocks_changed(room)
        await self._record_knock(room, RoomEventType.CLIENT_KNOCKED, knocker)

    async def withdraw(self, seat: Seat) -> None:
        """A knocker cancelled, or their connection went away."""
        if seat.status is not SeatStatus.KNOCKING:
            return
        room = seat.room
        knocker = room.withdraw(seat)
        if knocker is None:
            return
        self.knocks_changed(room)
        await self._record_knock(room, RoomEventType.KNOCK_CANCELLED, knocker)

    async def _record_knock(self, room: Room, kind: RoomEventType, knocker: Knocker) -> None:
        """The webhook of a knock or its cancel, unless this knocker's went out in the last
        minute (someone knocking and cancelling in a loop makes one of each a minute)."""
        now = self._ctx.clock()
        key = (knocker.id, kind.value)
        last = room.knock_events_ms.get(key)
        if last is not None and now - last < KNOCK_WEBHOOK_EVERY_MS:
            return
        if len(room.knock_events_ms) >= _KNOCK_EVENTS_KEPT:
            room.knock_events_ms = {
                k: at for k, at in room.knock_events_ms.items() if now - at < KNOCK_WEBHOOK_EVERY_MS
            }
        room.knock_events_ms[key] = now
        await self._ctx.record(self._ctx.event(room, kind, knocker=knocker))

    # --- to the hosts: the waiting list, coalesced ----------------------------------------------

    def knocks_changed(self, room: Room) -> None:
        """Someone started or stopped waiting: the hosts hear the list now, or, if they heard it
        less than an interval ago, once that interval is over (one message for every change
        meanwhile)."""
        if room.knock_list_due is not None:
            return
        loop = asyncio.get_running_loop()
        wait = room.knock_list_sent_s + self._limits.knock_list_interval_s - loop.time()
        if wait <= 0:
            self._send_knock_list(room)
        else:
            room.knock_list_due = loop.call_later(wait, self._send_knock_list, room)

    def _send_knock_list(self, room: Room) -> None:
        room.knock_list_due = None
        room.knock_list_sent_s = asyncio.get_running_loop().time()
        self._ctx.to_hosts(room, room.knock_list(KNOCK_LIST_MAX))

    def stop_knock_list(self, room: Room) -> None:
        if room.knock_list_due is not None:
            room.knock_list_due.cancel()
            room.knock_list_due = None

    # --- from a host ------------------------------------------------------------------------

    async def decide(self, room: Room, command: Admit | Reject | Hold) -> None:
        knocker = room.state.knocker(command.participant_id)
        match command:
            case Admit():
                await self.admit(room, knocker.id)
            case Reject(_, text):
                room.state.remove_knocker(knocker.id)
                self.knocks_changed(room)
                self._ctx.send(room, knocker.id, KnockRejected(text))
                client = room.leave_door(knocker.id)
                if client is not None:
                    client.close(Closing.KNOCK_REJECTED, "knock rejected")
            case Hold(_, text):
                room.state.hold_knocker(knocker.id, text)
                self._ctx.send(room, knocker.id, KnockHeld(text))

    async def admit(self, room: Room, knocker_id: ParticipantId) -> None:
        seat = room.seats.get(knocker_id)
        if seat is None or seat.status is not SeatStatus.KNOCKING:
            if room.state.remove_knocker(knocker_id) is not None:
                self.knocks_changed(room)
            return
        if room.state.decide_entry(RoomRole.GRANTED_VISITOR) is Entry.FULL:
            raise Refused(RoomErrorCode.NOT_ALLOWED, "the room is full")
        room.admit(seat)
        self.knocks_changed(room)
        await self._enter(room, seat)

    def turn_away(self, room: Room, waiting_id: ParticipantId, reason: LeaveReason) -> None:
        """The room closes on someone knocking or at the door."""
        client = room.leave_door(waiting_id)
        if client is not None:
            if reason not in SILENT_REASONS:
                client.send(self._ctx.frame(Removed(reason.value)))
            client.close(closing_for(reason), reason.value)
