"""Meetings: create, read, list, delete, the URLs a caller may see, and what a room key grants."""

import secrets
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from salon.clock import Clock
from salon.errors import Conflict, NotFound
from salon.ids import MeetingId, OrgId, RoomName
from salon.meetings.model import (
    DEACTIVATE_AFTER_END_MS,
    DELETE_AFTER_END_MS,
    NOT_STORED,
    Meeting,
    RoomMode,
    RoomNamePattern,
    RoomRole,
    UrlField,
    check_dates,
    check_name_filter,
    decode_cursor,
    encode_cursor,
    generate_room_name,
    keyed_room_url,
    organization_base_url,
    room_url,
)
from salon.meetings.roomkey import issue_room_key, read_room_key
from salon.orgs.service import OrgService
from salon.storage import meetings as meeting_rows
from salon.storage.db import Database
from salon.storage.settings import get_or_insert_setting

RoomCloser = Callable[[RoomName, str], Awaitable[None]]
"""Removes everyone from a room, saying why (`meeting-deleted`, `meeting-over`)."""

ROOM_KEY_SECRET_SETTING = "room_key_secret"  # noqa: S105 - the name, not the secret
_NAME_ATTEMPTS = 8
ROOM_NAMES_TAKEN = "could not find a free room name; try again"
"""Every random name drawn for a new meeting was taken (409): rare enough that a retry succeeds."""


@dataclass(frozen=True, slots=True)
class MeetingRequest:
    """A validated `POST /v1/meetings`, in Salon's own terms."""

    end_ms: int
    start_ms: int | None
    is_locked: bool
    room_mode: RoomMode
    room_name_prefix: str
    room_name_pattern: RoomNamePattern
    viewer_mode: bool
    fields: frozenset[UrlField]
    options: str


@dataclass(frozen=True, slots=True)
class MeetingView:
    """A meeting with the URLs one caller asked for."""

    meeting: Meeting
    room_url: str
    host_room_url: str | None
    viewer_room_url: str | None


@dataclass(frozen=True, slots=True)
class MeetingPage:
    views: list[MeetingView]
    cursor: str | None


class MeetingService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        orgs: OrgService,
        *,
        public_url: str,
        base_domain: str | None,
        room_key_secret: bytes,
    ) -> None:
        self._db = db
        self._clock = clock
        self._orgs = orgs
        self._public_url = public_url
        self._base_domain = base_domain
        self._secret = room_key_secret
        self._close_room: RoomCloser | None = None

    @staticmethod
    async def load_room_key_secret(db: Database) -> bytes:
        """The secret every node signs room keys with, made by the first node that asks."""
        value = await get_or_insert_setting(db, ROOM_KEY_SECRET_SETTING, secrets.token_hex(32))
        return bytes.fromhex(value)

    async def create(self, org_id: OrgId, request: MeetingRequest) -> MeetingView:
        now = self._clock()
        start_ms = now if request.start_ms is None else request.start_ms
        check_dates(start_ms, request.end_ms, now)
        room_mode = RoomMode.GROUP if request.viewer_mode else request.room_mode
        fields = set(request.fields)
        if request.viewer_mode:
            fields |= {UrlField.HOST_ROOM_URL, UrlField.VIEWER_ROOM_URL}
        for _ in range(_NAME_ATTEMPTS):
            new = Meeting(
                meeting_id=NOT_STORED,
                org_id=org_id,
                room_name=generate_room_name(request.room_name_prefix, request.room_name_pattern),
                room_mode=room_mode,
                is_locked=request.is_locked or request.viewer_mode,
                start_ms=start_ms,
                end_ms=request.end_ms,
                created_ms=now,
                options=request.options,
            )
            async with self._db.transaction() as tx:
                meeting = await meeting_rows.insert_meeting(tx, new)
            if meeting is not None:
                return await self._view(meeting, fields)
        raise Conflict(ROOM_NAMES_TAKEN)

    async def get(self, org_id: OrgId, meeting_id: str, fields: Iterable[UrlField]) -> MeetingView:
        meeting = await meeting_rows.get_meeting(self._db, org_id, MeetingId(meeting_id))
        if meeting is None:
            raise NotFound(f"meeting {meeting_id!r} not found")
        return await self._view(meeting, fields)

    async def list_meetings(
        self,
        org_id: OrgId,
        *,
        cursor: str | None,
        limit: int,
        name_prefix: str | None,
        fields: Iterable[UrlField],
    ) -> MeetingPage:
        after_id = 0 if cursor is None else decode_cursor(cursor)
        if name_prefix is not None:
            name_prefix = check_name_filter(name_prefix)
        rows = await meeting_rows.list_meetings(
            self._db, org_id, after_id=after_id, limit=limit + 1, name_prefix=name_prefix
        )
        page, more = rows[:limit], len(rows) > limit
        wanted = set(fields)
        views = [await self._view(meeting, wanted) for meeting in page]
        next_cursor = encode_cursor(int(page[-1].meeting_id)) if more else None
        return MeetingPage(views, next_cursor)

    def on_room_closed(self, closer: RoomCloser) -> None:
        """Who removes the people in a room when its meeting is deleted (the rooms service)."""
        self._close_room = closer

    async def delete(self, org_id: OrgId, meeting_id: str) -> None:
        """Idempotent: deleting a meeting that is gone already is not an error. Everyone in its
        room is removed at once."""
        async with self._db.transaction() as tx:
            room = await meeting_rows.delete_meeting(
                tx, org_id, MeetingId(meeting_id), self._clock()
            )
        if room is not None and self._close_room is not None:
            await self._close_room(room, "meeting-deleted")

    async def active_meeting(self, room_name: RoomName) -> Meeting | None:
        """The meeting behind a room that can be entered now: not deleted, not deactivated."""
        meeting = await meeting_rows.get_meeting_by_room(self._db, room_name)
        return meeting if meeting is not None and meeting.is_active() else None

    async def role_for_key(self, room_name: RoomName, room_key: str) -> RoomRole | None:
        """The role a room key grants in this room now, or None: a key of another meeting, a
        forged or altered key, a deleted meeting, or a moment outside the time window."""
        claims = read_room_key(room_key, self._secret)
        if claims is None:
            return None
        meeting = await meeting_rows.get_meeting_by_id(self._db, claims.meeting_id)
        if meeting is None or meeting.room_name != room_name or not meeting.is_active():
            return None
        if not meeting.window.contains(self._clock()):
            return None
        return claims.role

    async def sweep(self) -> tuple[list[Meeting], int]:
        """Deactivate rooms an hour past their end (removing who is still in them) and delete
        them a day past it."""
        now = self._clock()
        async with self._db.transaction() as tx:
            deactivated = await meeting_rows.deactivate_ended(
                tx, now - DEACTIVATE_AFTER_END_MS, now
            )
            deleted = await meeting_rows.delete_ended(tx, now - DELETE_AFTER_END_MS, now)
        if self._close_room is not None:
            for meeting in deactivated:
                await self._close_room(meeting.room_name, "meeting-over")
        return deactivated, deleted

    async def _view(self, meeting: Meeting, fields: Iterable[UrlField]) -> MeetingView:
        wanted = set(fields)
        base = self._public_url
        if self._base_domain:
            org = await self._orgs.get(meeting.org_id)
            base = organization_base_url(self._public_url, org.subdomain, self._base_domain)
        url = room_url(base, meeting.room_name)

        def keyed(role: RoomRole) -> str:
            return keyed_room_url(url, issue_room_key(meeting.meeting_id, role, self._secret))

        return MeetingView(
            meeting=meeting,
            room_url=url,
            host_room_url=keyed(RoomRole.HOST) if UrlField.HOST_ROOM_URL in wanted else None,
            viewer_room_url=keyed(RoomRole.VIEWER) if UrlField.VIEWER_ROOM_URL in wanted else None,
        )
