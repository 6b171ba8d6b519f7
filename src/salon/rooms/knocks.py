"""The waiting room: knocking, and a host's answer to a knock (part of `RoomService`).

Hosts hear the waiting list as one `knocks` message, at most a few times a second however fast
people knock and cancel; each knocker's knock and cancel webhooks go out at most once a minute.
"""

import asyncio
from typing import Any

from salon.ids import ParticipantId
from salon.meetings.model import RoomRole
from salon.ratelimit import RateLimiter
from salon.rooms import live as views
from salon.rooms.errors import RoomErrorCode
from salon.rooms.events import LeaveReason, RoomEvent, RoomEventType
from salon.rooms.limits import KNOCK_LIST_MAX, KNOCK_WEBHOOK_EVERY_MS, RoomLimits
from salon.rooms.live import (
    SILENT_REASONS,
    LiveRoom,
    Refused,
    Seat,
    SeatStatus,
    close_code_for,
)
from salon.rooms.state import Entry, Knocker
from salon.signaling import protocol as p
from salon.signaling.host_messages import Admit, Hold, Reject
from salon.signaling.protocol import CloseCode

_KNOCK_EVENTS_KEPT = 1000
"""Past this many remembered knock webhooks in a room, the ones older than a minute go."""


class KnockRules:
    """Mixed into `RoomService`, which provides what is declared below."""

    _clock: Any
    _limits: RoomLimits
    _knock_rate: RateLimiter

    @staticmethod
    def _allowed(limiter: RateLimiter, address: str | None) -> bool:
        raise NotImplementedError

    def _event(self, live: LiveRoom, kind: RoomEventType, **fields: Any) -> RoomEvent:
        raise NotImplementedError

    async def _enter(self, live: LiveRoom, seat: Seat) -> None:
        raise NotImplementedError

    async def record(self, event: RoomEvent) -> None:
        raise NotImplementedError

    # --- from the visitor -------------------------------------------------------------------

    async def knock_message(self, seat: Seat, message: p.Knock | p.CancelKnock) -> None:
        live = seat.room
        if isinstance(message, p.CancelKnock):
            if seat.status is not SeatStatus.KNOCKING:
                raise Refused(RoomErrorCode.NOT_ALLOWED, "you are not knocking")
            await self.withdraw_knock(seat)
            return
        if seat.status is not SeatStatus.AT_DOOR:
            raise Refused(
                RoomErrorCode.NOT_ALLOWED, "only someone at a locked room's door may knock"
            )
        if message.display_name:
            seat.display_name = message.display_name
        entry = live.state.decide_entry(seat.role)
        if entry is Entry.ENTER:  # unlocked meanwhile
            await self._enter(live, seat)
            return
        if entry is Entry.FULL:
            raise Refused(RoomErrorCode.NOT_ALLOWED, "the room is full")
        if not self._allowed(self._knock_rate, seat.address):
            raise Refused(
                RoomErrorCode.SLOW_DOWN, "too many knocks from your address; wait a minute"
            )
        knocker = Knocker(
            id=seat.participant_id,
            display_name=seat.display_name,
            at_ms=self._clock(),
            external_id=seat.external_id,
            metadata=seat.metadata,
        )
        live.state.add_knocker(knocker)
        seat.status = SeatStatus.KNOCKING
        live.send(seat.participant_id, {"type": "knocking"})
        self.knocks_changed(live)
        await self._record_knock(live, RoomEventType.CLIENT_KNOCKED, knocker)

    async def withdraw_knock(self, seat: Seat) -> None:
        """A knocker cancelled, or their connection went away."""
        live = seat.room
        if seat.status is not SeatStatus.KNOCKING:
            return
        knocker = live.state.remove_knocker(seat.participant_id)
        seat.status = SeatStatus.AT_DOOR
        if knocker is None:
            return
        self.knocks_changed(live)
        await self._record_knock(live, RoomEventType.KNOCK_CANCELLED, knocker)

    async def _record_knock(self, live: LiveRoom, kind: RoomEventType, knocker: Knocker) -> None:
        """The webhook of a knock or its cancel, unless this knocker's went out in the last
        minute (someone knocking and cancelling in a loop makes one of each a minute)."""
        now = self._clock()
        key = (knocker.id, kind.value)
        last = live.knock_events_ms.get(key)
        if last is not None and now - last < KNOCK_WEBHOOK_EVERY_MS:
            return
        if len(live.knock_events_ms) >= _KNOCK_EVENTS_KEPT:
            live.knock_events_ms = {
                k: at for k, at in live.knock_events_ms.items() if now - at < KNOCK_WEBHOOK_EVERY_MS
            }
        live.knock_events_ms[key] = now
        await self.record(self._event(live, kind, knocker=knocker))

    # --- to the hosts: the waiting list, coalesced ----------------------------------------------

    def knocks_changed(self, live: LiveRoom) -> None:
        """Someone started or stopped waiting: the hosts hear the list now, or, if they heard it
        less than an interval ago, once that interval is over (one message for every change
        meanwhile)."""
        if live.knock_list_due is not None:
            return
        loop = asyncio.get_running_loop()
        wait = live.knock_list_sent_s + self._limits.knock_list_interval_s - loop.time()
        if wait <= 0:
            self._send_knock_list(live)
        else:
            live.knock_list_due = loop.call_later(wait, self._send_knock_list, live)

    @staticmethod
    def _send_knock_list(live: LiveRoom) -> None:
        live.knock_list_due = None
        live.knock_list_sent_s = asyncio.get_running_loop().time()
        live.to_hosts(views.knock_list(live.state, KNOCK_LIST_MAX))

    # --- from a host ------------------------------------------------------------------------

    async def knock_decision(self, live: LiveRoom, message: Admit | Reject | Hold) -> None:
        knocker = live.state.knocker(message.participant_id)
        match message:
            case Admit():
                await self.admit(live, knocker.id)
            case Reject(_, text):
                live.state.remove_knocker(knocker.id)
                self.knocks_changed(live)
                body: dict[str, Any] = {"type": "knock-rejected"}
                if text:
                    body["message"] = text
                live.send(knocker.id, body)
                client = live.clients.pop(knocker.id, None)
                seat = live.seats.pop(knocker.id, None)
                if seat is not None:
                    seat.status = SeatStatus.GONE
                if client is not None:
                    client.close(CloseCode.KNOCK_REJECTED, "knock rejected")
            case Hold(_, text):
                live.state.hold_knocker(knocker.id, text)
                live.send(knocker.id, {"type": "knock-held", "message": text})

    async def admit(self, live: LiveRoom, knocker_id: ParticipantId) -> None:
        seat = live.seats.get(knocker_id)
        if seat is None or seat.status is not SeatStatus.KNOCKING:
            if live.state.remove_knocker(knocker_id) is not None:
                self.knocks_changed(live)
            return
        if live.state.decide_entry(RoomRole.GRANTED_VISITOR) is Entry.FULL:
            raise Refused(RoomErrorCode.NOT_ALLOWED, "the room is full")
        live.state.remove_knocker(knocker_id)
        self.knocks_changed(live)
        seat.role = RoomRole.GRANTED_VISITOR
        await self._enter(live, seat)

    async def turn_away(
        self, live: LiveRoom, knocker_id: ParticipantId, reason: LeaveReason
    ) -> None:
        """The room closes on someone knocking or at the door."""
        live.state.remove_knocker(knocker_id)
        seat = live.seats.pop(knocker_id, None)
        if seat is not None:
            seat.status = SeatStatus.GONE
        client = live.clients.pop(knocker_id, None)
        if client is not None:
            if reason not in SILENT_REASONS:
                client.send({"type": "removed", "reason": reason.value})
            client.close(close_code_for(reason), reason.value)
