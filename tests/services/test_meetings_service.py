"""`MeetingService` on SQLite and PostgreSQL: what a room key grants, and the sweeper.

A room key grants its role in its own meeting's room only, only inside the time window
(`startDate` - 1 h .. `endDate` + 1 h, docs/whereby-compatibility.md, "Time window"), and only
while the meeting exists.
The sweeper deactivates a room 1 h after its end and deletes it 24 h after.
"""

import base64
import json
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest

from helpers import PUBLIC_URL, FakeClock
from salon.clock import MS_PER_HOUR
from salon.errors import NotFound
from salon.ids import OrgId, RoomName
from salon.meetings.model import RoomMode, RoomNamePattern, RoomRole, UrlField
from salon.meetings.roomkey import issue_room_key
from salon.meetings.service import MeetingRequest, MeetingService, MeetingView
from salon.orgs.service import OrgService
from salon.storage.db import Database

BOTH_URLS = frozenset({UrlField.HOST_ROOM_URL, UrlField.VIEWER_ROOM_URL})


@dataclass
class Rooms:
    service: MeetingService
    clock: FakeClock
    org_id: OrgId

    async def create(self, *, start_in_h: float | None = None, end_in_h: float = 2) -> MeetingView:
        now = self.clock()
        request = MeetingRequest(
            end_ms=now + int(end_in_h * MS_PER_HOUR),
            start_ms=None if start_in_h is None else now + int(start_in_h * MS_PER_HOUR),
            is_locked=False,
            room_mode=RoomMode.NORMAL,
            room_name_prefix="",
            room_name_pattern=RoomNamePattern.UUID,
            viewer_mode=False,
            fields=BOTH_URLS,
            options="{}",
        )
        return await self.service.create(self.org_id, request)

    async def role(self, view: MeetingView, key: str) -> RoomRole | None:
        return await self.service.role_for_key(view.meeting.room_name, key)


@pytest.fixture
async def rooms(database: Database, clock: FakeClock) -> Rooms:
    orgs = OrgService(database, clock)
    org, _ = await orgs.ensure_default()
    service = MeetingService(
        database,
        clock,
        orgs,
        public_url=PUBLIC_URL,
        base_domain=None,
        room_key_secret=await MeetingService.load_room_key_secret(database),
    )
    return Rooms(service, clock, org.org_id)


def host_key(view: MeetingView) -> str:
    return key_in(view.host_room_url)


def viewer_key(view: MeetingView) -> str:
    return key_in(view.viewer_room_url)


def key_in(url: str | None) -> str:
    assert url is not None
    [key] = parse_qs(urlsplit(url).query)["roomKey"]
    return key


def segment(claims: dict[str, str]) -> str:
    raw = json.dumps(claims, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


async def test_host_and_viewer_keys_grant_their_roles_in_their_room(rooms: Rooms) -> None:
    view = await rooms.create()
    assert await rooms.role(view, host_key(view)) is RoomRole.HOST
    assert await rooms.role(view, viewer_key(view)) is RoomRole.VIEWER
    assert host_key(view) != viewer_key(view)


async def test_asking_for_the_urls_again_gives_the_same_keys(rooms: Rooms) -> None:
    view = await rooms.create()
    again = await rooms.service.get(rooms.org_id, view.meeting.meeting_id, BOTH_URLS)
    assert (again.host_room_url, again.viewer_room_url) == (
        view.host_room_url,
        view.viewer_room_url,
    )


async def test_a_key_grants_nothing_in_another_meetings_room(rooms: Rooms) -> None:
    first, second = await rooms.create(), await rooms.create()
    assert await rooms.role(second, host_key(first)) is None
    assert await rooms.role(second, viewer_key(first)) is None
    assert await rooms.role(first, host_key(second)) is None
    unknown = RoomName("/no-such-room")
    assert await rooms.service.role_for_key(unknown, host_key(first)) is None
    assert await rooms.role(first, host_key(first)) is RoomRole.HOST


async def test_forged_or_altered_keys_grant_nothing(rooms: Rooms) -> None:
    view = await rooms.create()
    header, payload, signature = viewer_key(view).split(".")
    meeting_id = view.meeting.meeting_id
    promoted = segment({"meetingId": meeting_id, "roleName": "host"})
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    other_secret = issue_room_key(meeting_id, RoomRole.HOST, b"\x00" * 32)
    forged = [
        f"{header}.{promoted}.{signature}",
        f"{header}.{payload}.{flipped}",
        f"{header}.{payload}.",
        f"{header}.{payload}",
        f"{header}.{payload}.{signature}.{signature}",
        f"{segment({'alg': 'none', 'typ': 'JWT'})}.{promoted}.",
        other_secret,
        "",
        "host",
        host_key(view).upper(),
        host_key(view) + "\u00e9",
    ]
    for key in forged:
        assert await rooms.role(view, key) is None, key
    assert await rooms.role(view, viewer_key(view)) is RoomRole.VIEWER


@pytest.mark.parametrize(
    ("offset_ms", "granted"),
    [
        (-3 * MS_PER_HOUR, False),
        (-MS_PER_HOUR - 1, False),
        (-MS_PER_HOUR, True),
        (0, True),
        (2 * MS_PER_HOUR, True),
        (3 * MS_PER_HOUR, True),
        (3 * MS_PER_HOUR + 1, False),
        (30 * MS_PER_HOUR, False),
    ],
)
async def test_keys_grant_only_inside_the_time_window(
    rooms: Rooms, offset_ms: int, granted: bool
) -> None:
    """Start in 2 h, end in 4 h: the window runs from 1 h before the start to 3 h after it."""
    created_at = rooms.clock()
    view = await rooms.create(start_in_h=2, end_in_h=4)
    start = created_at + 2 * MS_PER_HOUR
    rooms.clock.now_ms = start + offset_ms
    expected = (RoomRole.HOST, RoomRole.VIEWER) if granted else (None, None)
    assert (await rooms.role(view, host_key(view)), await rooms.role(view, viewer_key(view))) == (
        expected
    )


async def test_a_deleted_meeting_grants_nothing(rooms: Rooms) -> None:
    view = await rooms.create()
    kept = await rooms.create()
    await rooms.service.delete(rooms.org_id, view.meeting.meeting_id)
    assert await rooms.role(view, host_key(view)) is None
    assert await rooms.role(view, viewer_key(view)) is None
    assert await rooms.role(kept, host_key(kept)) is RoomRole.HOST
    with pytest.raises(NotFound):
        await rooms.service.get(rooms.org_id, view.meeting.meeting_id, ())


async def test_another_organization_cannot_delete_a_meeting(
    rooms: Rooms, database: Database
) -> None:
    other = await OrgService(database, rooms.clock).create("other")
    view = await rooms.create()
    await rooms.service.delete(other.org_id, view.meeting.meeting_id)
    assert await rooms.role(view, host_key(view)) is RoomRole.HOST
    with pytest.raises(NotFound):
        await rooms.service.get(other.org_id, view.meeting.meeting_id, ())


async def test_sweep_deactivates_an_hour_after_the_end_and_deletes_a_day_after(
    rooms: Rooms,
) -> None:
    ends_first = await rooms.create(end_in_h=2)
    ends_later = await rooms.create(end_in_h=10)
    end = ends_first.meeting.end_ms
    first_id = ends_first.meeting.meeting_id

    rooms.clock.now_ms = end + MS_PER_HOUR
    assert await rooms.service.sweep() == ([], 0)
    assert await rooms.role(ends_first, host_key(ends_first)) is RoomRole.HOST

    rooms.clock.now_ms = end + MS_PER_HOUR + 1
    deactivated, deleted = await rooms.service.sweep()
    assert [m.meeting_id for m in deactivated] == [first_id]
    assert deleted == 0
    assert deactivated[0].deactivated_ms == rooms.clock()
    assert await rooms.service.sweep() == ([], 0)
    # Deactivated: the keys grant nothing, but the meeting can still be read.
    rooms.clock.now_ms = end + MS_PER_HOUR
    assert await rooms.role(ends_first, host_key(ends_first)) is None
    assert await rooms.role(ends_first, viewer_key(ends_first)) is None
    found = await rooms.service.get(rooms.org_id, first_id, ())
    assert not found.meeting.is_active()

    rooms.clock.now_ms = end + 24 * MS_PER_HOUR
    deactivated, deleted = await rooms.service.sweep()
    assert [m.meeting_id for m in deactivated] == [ends_later.meeting.meeting_id]
    assert deleted == 0
    assert (await rooms.service.get(rooms.org_id, first_id, ())).meeting.meeting_id == first_id

    rooms.clock.now_ms = end + 24 * MS_PER_HOUR + 1
    assert await rooms.service.sweep() == ([], 1)
    with pytest.raises(NotFound):
        await rooms.service.get(rooms.org_id, first_id, ())
    page = await rooms.service.list_meetings(
        rooms.org_id, cursor=None, limit=50, name_prefix=None, fields=()
    )
    assert [v.meeting.meeting_id for v in page.views] == [ends_later.meeting.meeting_id]
    assert await rooms.service.sweep() == ([], 0)
