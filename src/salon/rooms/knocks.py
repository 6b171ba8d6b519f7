"""The waiting room: knocking, and a host's answer to a knock (part of `RoomService`)."""

from typing import Any

from salon.ids import ParticipantId
from salon.rooms import live as views
from salon.rooms.events import LeaveReason, RoomEvent, RoomEventType
from salon.rooms.live import LiveRoom, Refused, Seat, SeatStatus, close_code_for
from salon.rooms.state import Entry, Knocker, Role
from salon.signaling import protocol as p
from salon.signaling.host_messages import Admit, Hold, Reject
from salon.signaling.protocol import CloseCode, ErrorCode


class KnockRules:
    """Mixed into `RoomService`, which provides what is declared below."""

    _clock: Any

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
                raise Refused(ErrorCode.NOT_ALLOWED, "you are not knocking")
            await self.withdraw_knock(seat)
            return
        if seat.status is not SeatStatus.AT_DOOR:
            raise Refused(ErrorCode.NOT_ALLOWED, "only someone at a locked room's door may knock")
        if message.display_name:
            seat.display_name = message.display_name
        entry = live.state.decide_entry(seat.role)
        if entry is Entry.ENTER:  # unlocked meanwhile
            await self._enter(live, seat)
            return
        if entry is Entry.FULL:
            raise Refused(ErrorCode.NOT_ALLOWED, "the room is full")
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
        live.to_hosts({"type": "knock-request", "knocker": views.knocker_view(knocker)})
        await self.record(self._event(live, RoomEventType.CLIENT_KNOCKED, knocker=knocker))

    async def withdraw_knock(self, seat: Seat) -> None:
        """A knocker cancelled, or their connection went away."""
        live = seat.room
        if seat.status is not SeatStatus.KNOCKING:
            return
        knocker = live.state.remove_knocker(seat.participant_id)
        seat.status = SeatStatus.AT_DOOR
        if knocker is None:
            return
        live.to_hosts({"type": "knock-ended", "knockerId": knocker.id, "outcome": "cancelled"})
        await self.record(self._event(live, RoomEventType.KNOCK_CANCELLED, knocker=knocker))

    # --- from a host ------------------------------------------------------------------------

    async def knock_decision(self, live: LiveRoom, message: Admit | Reject | Hold) -> None:
        knocker = live.state.knocker(message.participant_id)
        match message:
            case Admit():
                await self.admit(live, knocker.id)
            case Reject(_, text):
                live.state.remove_knocker(knocker.id)
                self._settle(live, knocker.id, "rejected")
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
            live.state.remove_knocker(knocker_id)
            return
        if live.state.decide_entry(Role.GRANTED_VISITOR) is Entry.FULL:
            raise Refused(ErrorCode.NOT_ALLOWED, "the room is full")
        live.state.remove_knocker(knocker_id)
        self._settle(live, knocker_id, "admitted")
        seat.role = Role.GRANTED_VISITOR
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
            client.send({"type": "removed", "reason": reason.value})
            client.close(close_code_for(reason), reason.value)

    @staticmethod
    def _settle(live: LiveRoom, knocker_id: ParticipantId, outcome: str) -> None:
        live.to_hosts({"type": "knock-ended", "knockerId": knocker_id, "outcome": outcome})
