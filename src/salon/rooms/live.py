"""A live room in this process: its state, the clients attached to it, and fan-out to them.

`Client` is whatever carries messages to one participant (a WebSocket connection today, a bot or
a test double tomorrow); `send` never waits, so a slow client cannot slow the room.
"""

import asyncio
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from salon.ids import ParticipantId, RoomSessionId
from salon.meetings.model import Meeting, RoomRole
from salon.rooms.errors import RoomErrorCode
from salon.rooms.events import LeaveReason
from salon.rooms.state import Knocker, Participant, RoomState
from salon.signaling.protocol import CloseCode


class Refused(Exception):
    """A message the room refuses; the endpoint answers `error`, and closes when `close` is set."""

    def __init__(
        self,
        code: RoomErrorCode,
        message: str,
        close: CloseCode | None = None,
        *,
        answer: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.close = close
        self.answer = answer
        """A message sent instead of `error` (e.g. `room-full`)."""


_CLOSE_FOR = {
    LeaveReason.KICKED: CloseCode.REMOVED,
    LeaveReason.MEETING_ENDED: CloseCode.MEETING_ENDED,
    LeaveReason.MEETING_DELETED: CloseCode.MEETING_OVER,
    LeaveReason.MEETING_OVER: CloseCode.MEETING_OVER,
    LeaveReason.LEFT: CloseCode.LEFT,
    LeaveReason.SERVER_STOPPED: CloseCode.SERVICE_RESTART,
}

SILENT_REASONS = frozenset({LeaveReason.LEFT, LeaveReason.SERVER_STOPPED})
"""Reasons the person is not sent `removed` for: they left, or their page should reconnect
(`removed` is final for a page)."""


def close_code_for(reason: LeaveReason) -> CloseCode:
    return _CLOSE_FOR.get(reason, CloseCode.NORMAL)


class Client(Protocol):
    def send(self, message: dict[str, Any]) -> None:
        """Queue a message; never blocks."""
        ...

    def close(self, code: CloseCode, reason: str) -> None:
        """Close after the messages already queued."""
        ...


class SeatStatus(StrEnum):
    AT_DOOR = "at-door"
    """In front of a locked room: may knock."""
    KNOCKING = "knocking"
    IN_ROOM = "in-room"
    GONE = "gone"


@dataclass(slots=True)
class Seat:
    """One connection's place in one room; the endpoint holds it, the service changes it."""

    room: "LiveRoom"
    participant_id: ParticipantId
    role: RoomRole
    status: SeatStatus
    display_name: str
    external_id: str | None
    metadata: str | None
    resume_token: str
    address: str | None = None
    """The client's address, which knock limits are counted by."""


@dataclass(slots=True)
class LiveRoom:
    meeting: Meeting
    state: RoomState
    clients: dict[ParticipantId, Client] = field(default_factory=dict)
    seats: dict[ParticipantId, Seat] = field(default_factory=dict)
    session_id: RoomSessionId | None = None
    session_end: asyncio.TimerHandle | None = None
    resume_deadlines: dict[ParticipantId, asyncio.TimerHandle] = field(default_factory=dict)
    knock_list_due: asyncio.TimerHandle | None = None
    """The next coalesced waiting list to the hosts, when one is scheduled."""
    knock_list_sent_s: float = float("-inf")
    """When (the loop's time) the hosts last heard the waiting list."""
    knock_events_ms: dict[tuple[ParticipantId, str], int] = field(default_factory=dict)
    """When each knocker's knock (and cancel) webhook was last recorded."""
    holding: dict[ParticipantId, list[dict[str, Any]]] = field(default_factory=dict)
    """Messages kept for someone entering until their join is committed and `joined` sent."""

    def send(self, participant_id: ParticipantId, message: dict[str, Any]) -> None:
        held = self.holding.get(participant_id)
        if held is not None:
            held.append(message)
            return
        client = self.clients.get(participant_id)
        if client is not None:
            client.send(message)

    def broadcast(self, message: dict[str, Any], *, skip: ParticipantId | None = None) -> None:
        for participant_id in self.state.participants:
            if participant_id != skip:
                self.send(participant_id, message)

    def announce(self) -> None:
        """Tell everyone the room's lock, spotlight, breakout or clock changed."""
        self.broadcast({"type": "room-updated", "room": self.room_view()})

    def to_hosts(self, message: dict[str, Any]) -> None:
        for host in self.state.hosts():
            self.send(host.id, message)

    def at_door(self) -> int:
        """People in front of the locked room: waiting to knock, or knocking."""
        return sum(
            1
            for seat in self.seats.values()
            if seat.status in (SeatStatus.AT_DOOR, SeatStatus.KNOCKING)
        )

    # --- wire shapes ------------------------------------------------------------------------

    def room_view(self) -> dict[str, Any]:
        state = self.state
        return {
            "name": state.name,
            "mode": state.mode.value,
            "locked": state.locked,
            "spotlight": state.spotlight,
            "capacity": state.capacity,
            "breakout": None if state.breakout is None else state.breakout.view(),
            "timerStartedAt": state.timer_started_ms,
        }


def participant_view(participant: Participant) -> dict[str, Any]:
    return {
        "id": participant.id,
        "displayName": participant.display_name,
        "role": participant.role.value,
        "audio": participant.audio,
        "video": participant.video,
        "screen": participant.screen,
        "externalId": participant.external_id,
        "metadata": participant.metadata,
        "reconnecting": participant.reconnecting,
        "joinedAt": participant.joined_ms,
    }


def knocker_view(knocker: Knocker) -> dict[str, Any]:
    return {"id": knocker.id, "displayName": knocker.display_name, "at": knocker.at_ms}


def knock_list(state: RoomState, most: int) -> dict[str, Any]:
    """The waiting list a host sees: the first `most` knockers, and how many wait in all."""
    waiting = list(state.knockers.values())
    return {
        "type": "knocks",
        "knocks": [knocker_view(k) for k in waiting[:most]],
        "total": len(waiting),
    }
