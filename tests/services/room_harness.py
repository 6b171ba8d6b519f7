"""Drive `RoomService` directly, as the signaling endpoint would, with clients that record what
they are sent: frames go through `protocol.parse`, refusals come back as the error code the
endpoint would send. Meetings are created through the HTTP API of the `api` fixture."""

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from helpers import Api
from salon.errors import SalonError
from salon.ids import ParticipantId, RoomName
from salon.meetings.service import MeetingService
from salon.rooms.commands import RoomCommand
from salon.rooms.errors import Refused
from salon.rooms.limits import RoomLimits
from salon.rooms.notices import Closing, Frame, Notice
from salon.rooms.recorder import RoomRecorder
from salon.rooms.room import Room, Seat
from salon.rooms.service import RoomService
from salon.rooms.state import NoSuchParticipant, NotAllowed
from salon.signaling import messages
from salon.signaling import protocol as p
from salon.signaling.protocol import CloseCode
from salon.signaling.stats_messages import Stats
from salon.storage import rooms as room_rows
from salon.storage.db import Row

WAIT_S = 5.0


@dataclass
class FakeClient:
    """A `Client` that keeps every message and the close it was asked for."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    closed: tuple[CloseCode, str] | None = None
    _seen: int = 0

    def send(self, frame: Frame) -> None:
        self.messages.append(json.loads(frame.text))

    def close(self, closing: Closing, reason: str) -> None:
        if self.closed is None:
            self.closed = (messages.close_code(closing), reason)

    def new(self) -> list[dict[str, Any]]:
        """The messages since the last call."""
        fresh, self._seen = self.messages[self._seen :], len(self.messages)
        return fresh

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["type"] == kind]

    @property
    def close_code(self) -> int | None:
        return None if self.closed is None else int(self.closed[0])


@dataclass
class Member:
    client: FakeClient
    seat: Seat

    @property
    def id(self) -> ParticipantId:
        return self.seat.participant_id


@dataclass(frozen=True)
class MeetingKeys:
    meeting_id: str
    room: RoomName
    host_key: str
    viewer_key: str


def room_key(url: str) -> str:
    return parse_qs(urlsplit(url).query)["roomKey"][0]


def close_code(refused: Refused) -> int | None:
    """The close code the endpoint ends the socket with after this refusal, if any."""
    return None if refused.closing is None else int(messages.close_code(refused.closing))


def wire(notice: Notice | None) -> dict[str, Any] | None:
    """A notice as the JSON object it travels as."""
    return None if notice is None else messages.wire(notice)


def command(frame: dict[str, Any]) -> RoomCommand:
    """A frame as the room command the endpoint hands the room."""
    parsed = p.parse(json.dumps(frame))
    assert not isinstance(parsed, Stats)
    return parsed


def error_code(exc: BaseException) -> str:
    """The `error` code the endpoint answers this refusal with."""
    if isinstance(exc, Refused | p.ProtocolError):
        return exc.code.value
    if isinstance(exc, NotAllowed):
        return "not_allowed"
    if isinstance(exc, NoSuchParticipant):
        return "no_such_participant"
    if isinstance(exc, SalonError):  # a rule of a message's fields (signaling/endpoint.py)
        return "bad_field"
    raise AssertionError(f"not a refusal: {exc!r}")


class Rooms:
    """One `RoomService` over the `api` app's meetings and database."""

    def __init__(self, api: Api, service: RoomService | None = None) -> None:
        self.api = api
        self.meetings: MeetingService = api.app.state.services.meetings
        self.service: RoomService = service or api.app.state.services.rooms

    @classmethod
    def with_graces(
        cls,
        api: Api,
        *,
        resume_s: float = 20.0,
        session_end_s: float = 60.0,
        limits: RoomLimits | None = None,
        recorder: RoomRecorder | None = None,
    ) -> "Rooms":
        meetings = api.app.state.services.meetings
        service = RoomService(
            meetings,
            recorder or RoomRecorder(api.database, api.app.state.services.orgs),
            api.clock,
            encode=messages.encode,
            resume_grace_s=resume_s,
            session_end_grace_s=session_end_s,
            limits=limits,
        )
        return cls(api, service)

    async def meeting(self, **body: Any) -> MeetingKeys:
        payload = {"endDate": self.api.future(), "fields": ["hostRoomUrl", "viewerRoomUrl"]}
        created = await self.api.client.post(
            "/v1/meetings", headers=self.api.auth, json={**payload, **body}
        )
        assert created.status_code == 201, created.text
        meeting = created.json()
        return MeetingKeys(
            meeting["meetingId"],
            RoomName(meeting["roomName"]),
            room_key(meeting["hostRoomUrl"]),
            room_key(meeting["viewerRoomUrl"]),
        )

    async def delete(self, meeting: MeetingKeys) -> None:
        deleted = await self.api.client.delete(
            f"/v1/meetings/{meeting.meeting_id}", headers=self.api.auth
        )
        assert deleted.status_code == 204, deleted.text

    def live(self, meeting: MeetingKeys) -> Room:
        live = self.service.live_room(meeting.room)
        assert live is not None
        return live

    async def join(
        self,
        meeting: MeetingKeys,
        key: str | None = None,
        *,
        address: str | None = None,
        **fields: Any,
    ) -> Member:
        client = FakeClient()
        frame = {"type": "join", "v": 1, "room": meeting.room, "roomKey": key, **fields}
        message = p.parse(json.dumps(frame))
        assert isinstance(message, p.Join)
        seat = await self.service.join(client, message, address=address)
        return Member(client, seat)

    async def refused_join(
        self, meeting: MeetingKeys, key: str | None = None, *, address: str | None = None
    ) -> tuple[Refused, FakeClient]:
        client = FakeClient()
        message = p.Join(meeting.room, key, None, None, None, None)
        try:
            await self.service.join(client, message, address=address)
        except Refused as refused:
            return refused, client
        raise AssertionError("the join was not refused")

    async def send(self, member: Member, kind: str, **fields: Any) -> str | None:
        """Handle one frame from `member`: None when taken, else the `error` code answered."""
        try:
            await self.service.handle(member.seat, command({"type": kind, **fields}))
        except (Refused, SalonError) as refused:
            return error_code(refused)
        return None

    async def disconnect(self, member: Member) -> None:
        await self.service.disconnected(member.seat, member.client)

    async def participants(self, meeting: MeetingKeys) -> dict[str, Row]:
        rows = await room_rows.list_participants(self.api.database, meeting.room)
        return {row["id"]: row for row in rows}

    async def sessions(self, meeting: MeetingKeys) -> list[Row]:
        return await room_rows.list_sessions(self.api.database, meeting.room)


async def eventually(check: Callable[[], Awaitable[bool]], what: str) -> None:
    """Wait for `check` to hold, polling, up to a deadline."""
    deadline = time.monotonic() + WAIT_S
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {WAIT_S} s: {what}")
        await asyncio.sleep(0.01)  # the pause between polls


def drain(*members: Member) -> None:
    """Forget what these members were sent so far."""
    for member in members:
        member.client.new()
