"""Leaving a room (part of `RoomService`): by choice, by a connection lost for longer than the
resume grace, by a host's removal, or all at once when the room closes.

    leave ──► out now, socket closed        lost connection ──► reconnecting ──► resume | gone
    removal | meeting ended | meeting over ──► `removed` with the reason, socket closed
"""

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from salon.ids import ParticipantId, RoomName
from salon.rooms.events import LeaveReason, RoomEvent, RoomEventType
from salon.rooms.live import SILENT_REASONS, Client, LiveRoom, Seat, SeatStatus, close_code_for
from salon.rooms.state import Participant
from salon.signaling.protocol import CloseCode


class LeavingRules:
    """Mixed into `RoomService`, which provides what is declared below."""

    _resume_grace_s: float
    _closing: bool
    _rooms: dict[RoomName, LiveRoom]

    def _event(self, live: LiveRoom, kind: RoomEventType, **fields: Any) -> RoomEvent:
        raise NotImplementedError

    async def record(self, event: RoomEvent) -> None:
        raise NotImplementedError

    def _updated(self, live: LiveRoom, participant: Participant) -> None:
        raise NotImplementedError

    def _count_changed(self, live: LiveRoom) -> RoomEvent | None:
        raise NotImplementedError

    async def _end_session_now(self, live: LiveRoom) -> None:
        raise NotImplementedError

    def _drop_if_idle(self, live: LiveRoom) -> None:
        raise NotImplementedError

    def _spawn(self, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
        raise NotImplementedError

    async def withdraw_knock(self, seat: Seat) -> None:
        raise NotImplementedError

    async def turn_away(
        self, live: LiveRoom, knocker_id: ParticipantId, reason: LeaveReason
    ) -> None:
        raise NotImplementedError

    async def recording_departed(self, live: LiveRoom) -> None:
        raise NotImplementedError

    async def sfu_leave(self, live: LiveRoom, participant_id: ParticipantId) -> None:
        raise NotImplementedError

    async def _leave_by_choice(self, seat: Seat) -> None:
        live = seat.room
        client = live.clients.get(seat.participant_id)
        if seat.status is SeatStatus.IN_ROOM:
            await self._depart(live, seat.participant_id, LeaveReason.LEFT)
        else:
            await self.withdraw_knock(seat)
            live.clients.pop(seat.participant_id, None)
            seat.status = SeatStatus.GONE
            self._drop_if_idle(live)
        if client is not None:
            client.close(CloseCode.LEFT, "left")

    async def disconnected(self, seat: Seat, client: Client) -> None:
        """The connection behind `seat` is gone without `leave`."""
        live = seat.room
        if live.clients.get(seat.participant_id) is not client:
            return  # replaced by a resumed connection, or already out
        live.clients.pop(seat.participant_id, None)
        if seat.status is SeatStatus.IN_ROOM:
            participant = live.state.update(seat.participant_id, reconnecting=True)
            self._updated(live, participant)
            live.resume_deadlines[seat.participant_id] = asyncio.get_running_loop().call_later(
                self._resume_grace_s,
                self._spawn,
                lambda: self._resume_expired(live, seat.participant_id),
            )
            return
        await self.withdraw_knock(seat)
        seat.status = SeatStatus.GONE
        self._drop_if_idle(live)

    async def _resume_expired(self, live: LiveRoom, participant_id: ParticipantId) -> None:
        live.resume_deadlines.pop(participant_id, None)
        if participant_id in live.state.participants and participant_id not in live.clients:
            await self._depart(live, participant_id, LeaveReason.TIMEOUT)

    async def _depart(
        self, live: LiveRoom, participant_id: ParticipantId, reason: LeaveReason
    ) -> None:
        """Take a participant out, tell the room, and close them out when the room removed them."""
        spotlit = live.state.spotlight == participant_id
        participant = live.state.remove(participant_id)
        if participant is None:
            return
        await self.sfu_leave(live, participant_id)
        seat = live.seats.pop(participant_id, None)
        if seat is not None:
            seat.status = SeatStatus.GONE
        deadline = live.resume_deadlines.pop(participant_id, None)
        if deadline is not None:
            deadline.cancel()
        client = live.clients.pop(participant_id, None)
        if client is not None and reason is not LeaveReason.LEFT:
            if reason not in SILENT_REASONS:
                client.send({"type": "removed", "reason": reason.value})
            client.close(close_code_for(reason), reason.value)
        live.broadcast(
            {"type": "participant-left", "participantId": participant_id, "reason": reason.value}
        )
        if spotlit:
            live.announce()
        event = self._event(live, RoomEventType.CLIENT_LEFT, participant=participant, reason=reason)
        ended = self._count_changed(live)
        await self.record(event)
        if ended is not None:
            await self.record(ended)
        await self.recording_departed(live)
        self._drop_if_idle(live)

    async def _empty(self, live: LiveRoom, reason: LeaveReason) -> None:
        """Everyone out: participants and knockers."""
        if live.knock_list_due is not None:
            live.knock_list_due.cancel()
            live.knock_list_due = None
        waiting = [
            seat.participant_id
            for seat in live.seats.values()
            if seat.status in (SeatStatus.AT_DOOR, SeatStatus.KNOCKING)
        ]
        for waiting_id in waiting:
            await self.turn_away(live, waiting_id, reason)
        for participant_id in list(live.state.participants):
            await self._depart(live, participant_id, reason)
        await self._end_session_now(live)

    async def shutdown(self) -> None:
        """The server is stopping: close every room in turn. Pages are told to reconnect (close
        code 1012); participants leave and sessions end now, their webhooks in the outbox."""
        self._closing = True
        for name, live in list(self._rooms.items()):
            await self._empty(live, LeaveReason.SERVER_STOPPED)
            if self._rooms.get(name) is live:
                del self._rooms[name]

    async def close_room(self, room: RoomName, reason: str) -> None:
        """The meeting was deleted or its time is over: remove everyone at once."""
        live = self._rooms.get(room)
        if live is not None:
            await self._empty(live, LeaveReason(reason))
            self._rooms.pop(room, None)
