"""`/v1/insights/…` over a room history written as the room recorder writes it, on SQLite and
PostgreSQL: the figures (minutes rounded up per connection, unique participants, sessions),
every filter and sort, cursor pages, the organization's own rooms only, and one participant's
quality samples and activity."""

from typing import Any

import httpx
import pytest

from helpers import Api
from salon.ids import MeetingId, ParticipantId, RoomName, RoomSessionId
from salon.insights.model import QualitySample
from salon.meetings.model import RoomRole, format_date_time
from salon.rooms.state import Participant
from salon.storage import rooms as room_rows

S = 1000
MIN = 60 * S


async def new_room(api: Api, **body: Any) -> dict[str, Any]:
    response = await api.client.post(
        "/v1/meetings", json={"endDate": api.future(5), **body}, headers=api.auth
    )
    assert response.status_code == 201
    made: dict[str, Any] = response.json()
    return made


async def stay(
    api: Api,
    meeting: dict[str, Any],
    session: str | None,
    pid: str,
    role: RoomRole | str,
    joined: int,
    left: int | None,
    external_id: str | None = None,
) -> None:
    """One participant segment, as the recorder stores it (a recording bot, whose role rooms
    do not have yet, straight into the table)."""
    async with api.database.transaction() as tx:
        if isinstance(role, RoomRole):
            person = Participant(
                ParticipantId(pid), pid.title(), role, joined, external_id=external_id
            )
            await room_rows.insert_participant(
                tx,
                person,
                MeetingId(meeting["meetingId"]),
                RoomName(meeting["roomName"]),
                None if session is None else RoomSessionId(session),
            )
        else:
            await tx.execute(
                "INSERT INTO room_participants (id, meeting_id, room_name, room_session_id, role,"
                " display_name, joined_ms) VALUES (:id, :m, :room, :s, :role, :name, :joined)",
                {"id": pid, "m": int(meeting["meetingId"]), "room": meeting["roomName"],
                 "s": session, "role": role, "name": pid, "joined": joined},
            )  # fmt: skip
        if left is not None:
            await room_rows.mark_left(tx, ParticipantId(pid), left, "left")


async def session(
    api: Api, meeting: dict[str, Any], sid: str, started: int, ended: int | None
) -> None:
    async with api.database.transaction() as tx:
        await room_rows.insert_session(
            tx,
            RoomSessionId(sid),
            MeetingId(meeting["meetingId"]),
            RoomName(meeting["roomName"]),
            started,
        )
        if ended is not None:
            await room_rows.end_session(tx, RoomSessionId(sid), ended)


async def busy_room(api: Api) -> dict[str, Any]:
    """Two sessions: an ended one (a host, a visitor who dropped and came back, a recorder) and
    one going on (two people still in); and someone alone before any session."""
    meeting = await new_room(api, roomNamePrefix="clinic-")
    t0 = api.clock()
    await stay(api, meeting, None, "lonely", RoomRole.VISITOR, t0 - 10 * MIN, t0 - 9 * MIN)
    await session(api, meeting, "s1", t0, t0 + 3 * MIN)
    await stay(api, meeting, "s1", "host", RoomRole.HOST, t0 - 30 * S, t0 + 61 * S, "doc-1")  # 2
    await stay(api, meeting, "s1", "guest", RoomRole.VISITOR, t0, t0 + 120 * S)  # 2
    await stay(api, meeting, "s1", "guest2", RoomRole.VISITOR, t0 + 130 * S, t0 + 150 * S)  # 1
    await stay(api, meeting, "s1", "bot", "recorder", t0 + 5 * S, t0 + 125 * S)  # 2
    await session(api, meeting, "s2", t0 + 10 * MIN, None)
    await stay(api, meeting, "s2", "host-b", RoomRole.HOST, t0 + 10 * MIN, None, "doc-1")
    await stay(api, meeting, "s2", "guest-b", RoomRole.VISITOR, t0 + 10 * MIN, None)
    api.clock.advance(10 * MIN + 90 * S)  # the two still in: 2 minutes each so far
    return meeting


async def get(api: Api, path: str, **query: Any) -> httpx.Response:
    return await api.client.get(f"/v1/insights/{path}", params=query, headers=api.auth)


async def ok(api: Api, path: str, **query: Any) -> Any:
    response = await get(api, path, **query)
    assert response.status_code == 200, response.text
    return response.json()


def assert_invalid(response: httpx.Response, message: str) -> None:
    assert response.status_code == 400, response.text
    assert response.json() == {"error": message, "code": "invalid_input"}


async def test_a_rooms_figures(api: Api) -> None:
    t0 = api.clock()
    meeting = await busy_room(api)
    page = await ok(api, "rooms")
    assert page["cursor"] is None
    assert page["results"] == [
        {
            "roomName": meeting["roomName"],
            "createdAt": format_date_time(t0),
            "endAt": meeting["endDate"],
            "firstSessionStartedAt": format_date_time(t0),
            "lastSessionStartedAt": format_date_time(t0 + 10 * MIN),
            "totalSessions": 2,
            "totalParticipantMinutes": 2 + 2 + 1 + 2 + 2,
            "totalRecorderMinutes": 2,
            "totalStreamerMinutes": 0,
            "totalUniqueParticipants": 4,  # doc-1 (twice), guest, guest2, guest-b
            "totalUniqueRecorders": 1,
            "totalUniqueStreamers": 0,
            "rating": None,
            "totalRatings": None,
        }
    ]


async def test_a_room_without_sessions_has_zeroes_and_nulls(api: Api) -> None:
    meeting = await new_room(api)
    [row] = (await ok(api, "rooms"))["results"]
    assert (row["roomName"], row["totalSessions"], row["firstSessionStartedAt"]) == (
        meeting["roomName"],
        0,
        None,
    )
    assert row["totalParticipantMinutes"] == row["totalUniqueParticipants"] == 0


async def test_room_filters(api: Api) -> None:
    first = await new_room(api, roomNamePrefix="alpha-")
    api.clock.advance(MIN)
    second = await new_room(api, roomNamePrefix="beta-")

    async def names(**query: Any) -> list[str]:
        return [row["roomName"] for row in (await ok(api, "rooms", **query))["results"]]

    assert await names(**{"roomName[exact]": first["roomName"]}) == [first["roomName"]]
    assert await names(**{"roomName[startsWith]": "/beta"}) == [second["roomName"]]
    assert await names(**{"roomName[startsWith]": "beta"}) == []
    assert await names(**{"roomName[contains]": second["roomName"][6:14]}) == [second["roomName"]]
    assert await names(**{"roomName[contains]": "%"}) == []
    assert await names(**{"roomName[contains]": "_"}) == []
    assert await names(**{"createdAt[from]": second["startDate"]}) == [second["roomName"]]
    assert await names(**{"createdAt[to]": first["startDate"]}) == [first["roomName"]]
    assert_invalid(
        await get(api, "rooms", **{"createdAt[from]": "yesterday"}),
        "createdAt[from] must be an ISO 8601 date-time such as 2021-08-11T07:56:01-05:00",
    )


async def test_room_sorts_and_pages(api: Api) -> None:
    busy = await busy_room(api)
    quiet = [await new_room(api) for _ in range(3)]
    newest_first = [row["roomName"] for row in (await ok(api, "rooms"))["results"]]
    assert newest_first == [m["roomName"] for m in reversed(quiet)] + [busy["roomName"]]
    most = await ok(api, "rooms", sortBy="totalSessions:desc", limit=1)
    assert [row["roomName"] for row in most["results"]] == [busy["roomName"]]
    seen, cursor = [], None
    while True:
        query: dict[str, Any] = {"sortBy": "createdAt:asc", "limit": 2}
        if cursor is not None:
            query["cursor"] = cursor
        page = await ok(api, "rooms", **query)
        seen += [row["roomName"] for row in page["results"]]
        cursor = page["cursor"]
        if cursor is None:
            break
    assert seen == [busy["roomName"]] + [m["roomName"] for m in quiet]
    by_name = await ok(api, "rooms", sortBy="roomName:asc")
    assert [r["roomName"] for r in by_name["results"]] == sorted(seen)
    last = await ok(api, "rooms", sortBy="lastSessionStartedAt:asc")
    assert last["results"][0]["roomName"] == busy["roomName"]  # rooms with no session: last
    assert_invalid(
        await get(api, "rooms", sortBy="colour:asc"),
        "sortBy must be field:asc or field:desc, field one of roomName, createdAt, endAt, "
        "firstSessionStartedAt, lastSessionStartedAt, totalParticipantMinutes, "
        "totalRecorderMinutes, totalStreamerMinutes, totalUniqueParticipants, "
        "totalUniqueRecorders, totalUniqueStreamers, totalSessions",
    )
    assert_invalid(
        await get(api, "rooms", cursor="nope"),
        "cursor is not valid: pass the cursor of a previous page",
    )
    assert_invalid(await get(api, "rooms", limit=0), "limit must be at least 1")
    assert_invalid(await get(api, "rooms", limit=101), "limit must be at most 100")


async def test_another_organizations_rooms_are_not_seen(api: Api) -> None:
    await busy_room(api)
    services = api.app.state.services
    other = await services.orgs.create("acme")
    _, key = await services.keys.create(other.org_id, "acme")
    headers = {"Authorization": f"Bearer {key}"}
    for path, query in [
        ("rooms", {}),
        ("participants", {"roomSessionId": "s1"}),
        ("participants", {"externalId": "doc-1"}),
    ]:
        response = await api.client.get(f"/v1/insights/{path}", params=query, headers=headers)
        assert response.json() == {"results": [], "cursor": None}
    mine = await ok(api, "rooms")
    sessions = await api.client.get(
        "/v1/insights/room-sessions",
        params={"roomName": mine["results"][0]["roomName"]},
        headers=headers,
    )
    assert sessions.json() == {"results": [], "cursor": None}
    detail = await api.client.get(
        "/v1/insights/participant",
        params={"roomSessionId": "s1", "participantId": "host"},
        headers=headers,
    )
    assert detail.json() == []


async def test_room_sessions(api: Api) -> None:
    t0 = api.clock()
    meeting = await busy_room(api)
    page = await ok(api, "room-sessions", roomName=meeting["roomName"])
    assert [row["roomSessionId"] for row in page["results"]] == ["s2", "s1"]
    s2, s1 = page["results"]
    assert s1 == {
        "roomSessionId": "s1",
        "roomName": meeting["roomName"],
        "startedAt": format_date_time(t0),
        "endedAt": format_date_time(t0 + 3 * MIN),
        "createdAt": format_date_time(t0),
        "endAt": format_date_time(t0 + 3 * MIN),
        "totalParticipantMinutes": 5,
        "totalRecorderMinutes": 2,
        "totalStreamerMinutes": 0,
        "totalUniqueParticipants": 3,
        "totalUniqueRecorders": 1,
        "totalUniqueStreamers": 0,
        "rating": None,
        "totalRatings": None,
    }
    assert (s2["endedAt"], s2["totalParticipantMinutes"]) == (None, 4)
    one = await ok(api, "room-sessions", roomName=meeting["roomName"], roomSessionId="s1")
    assert [row["roomSessionId"] for row in one["results"]] == ["s1"]
    fewest = await ok(
        api, "room-sessions", roomName=meeting["roomName"], sortBy="totalUniqueParticipants:asc"
    )
    assert [row["roomSessionId"] for row in fewest["results"]] == ["s2", "s1"]
    paged = await ok(api, "room-sessions", roomName=meeting["roomName"], limit=1)
    assert isinstance(paged["cursor"], str)
    missing = await get(api, "room-sessions")
    assert_invalid(missing, "roomName is required")


async def test_participants_by_session_and_by_external_id(api: Api) -> None:
    t0 = api.clock()
    await busy_room(api)
    page = await ok(api, "participants", roomSessionId="s1")
    assert [row["participantId"] for row in page["results"]] == ["host", "guest", "bot", "guest2"]
    assert page["results"][0] == {
        "roomSessionId": "s1",
        "participantId": "host",
        "deviceId": None,
        "userId": None,
        "roleName": "host",
        "displayName": "Host",
        "joinedAt": format_date_time(t0 - 30 * S),
        "leftAt": format_date_time(t0 + 61 * S),
        "externalId": "doc-1",
        "rating": None,
        "tags": None,
        "comment": None,
    }
    doc = await ok(api, "participants", externalId="doc-1", sortBy="joinedAt:desc")
    assert [row["participantId"] for row in doc["results"]] == ["host-b", "host"]
    left = await ok(api, "participants", roomSessionId="s2", sortBy="leftAt:desc")
    assert [row["leftAt"] for row in left["results"]] == [None, None]
    assert_invalid(await get(api, "participants"), "roomSessionId or externalId is required")
    assert_invalid(
        await get(api, "participants", roomSessionId="s1", sortBy="joinedAt:up"),
        "sortBy must be field:asc or field:desc, field one of joinedAt, leftAt",
    )


def sample(loss: float, bitrate: int, *, audio: bool, video: bool, screen: bool = False) -> Any:
    return QualitySample(loss, loss / 2, bitrate, bitrate // 2, audio, video, screen)


async def test_one_participants_quality_and_activity(api: Api) -> None:
    t0 = api.clock()
    await busy_room(api)
    buffer = api.app.state.services.quality_samples
    agent = "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0"
    moments = []
    for index, (audio, video, screen) in enumerate(
        [(True, True, False), (True, False, False), (False, False, True), (False, False, True)]
    ):
        buffer.add(
            "guest-b",
            agent,
            sample(index * 1.5, 800_000 + index, audio=audio, video=video, screen=screen),
        )
        moments.append(api.clock())
        api.clock.advance(2 * S)
        if index == 1:
            assert await buffer.flush() == 2  # two rows for one participant, read in order
    assert await buffer.flush() == 2
    [found] = await ok(api, "participant", roomSessionId="s2", participantId="guest-b")
    assert found == {
        "displayName": "Guest-B",
        "userRole": "visitor",
        "userAgent": agent,
        "timeStamp": format_date_time(t0 + 10 * MIN),
        "sampleRateMs": 2000,
        "samples": {
            "timeStamp": [format_date_time(at) for at in moments],
            "packetLossSend": [0.0, 1.5, 3.0, 4.5],
            "packetLossRecv": [0.0, 0.75, 1.5, 2.25],
            "bitrateSend": [800_000, 800_001, 800_002, 800_003],
            "bitrateRecv": [400_000, 400_000, 400_001, 400_001],
        },
        "events": [
            {"type": "joined", "at": format_date_time(t0 + 10 * MIN)},
            {"type": "microphone_on", "at": format_date_time(moments[0])},
            {"type": "camera_on", "at": format_date_time(moments[0])},
            {"type": "camera_off", "at": format_date_time(moments[1])},
            {"type": "microphone_off", "at": format_date_time(moments[2])},
            {"type": "screenshare_started", "at": format_date_time(moments[2])},
        ],
    }
    host = await ok(api, "participant", roomSessionId="s1", participantId="host")
    assert host[0]["events"] == [
        {"type": "joined", "at": format_date_time(t0 - 30 * S)},
        {"type": "left", "at": format_date_time(t0 + 61 * S)},
    ]
    assert host[0]["samples"]["bitrateSend"] == []
    assert await ok(api, "participant", roomSessionId="s2", participantId="host") == []
    missing = await get(api, "participant", roomSessionId="s2")
    assert_invalid(missing, "participantId is required")


async def test_samples_older_than_the_retention_are_dropped(api: Api) -> None:
    await busy_room(api)
    buffer = api.app.state.services.quality_samples
    buffer.add("guest-b", "UA", sample(0, 1, audio=True, video=True))
    await buffer.flush()
    kept_until = api.clock()
    api.clock.advance(10 * S)
    buffer.add("guest-b", "UA", sample(0, 2, audio=True, video=True))
    await buffer.flush()
    assert await buffer.delete_older_than(kept_until) == 0
    assert await buffer.delete_older_than(kept_until + 1) == 1
    [found] = await ok(api, "participant", roomSessionId="s2", participantId="guest-b")
    assert found["samples"]["bitrateSend"] == [2]
    assert found["userAgent"] == "UA"


@pytest.mark.parametrize("path", ["rooms", "room-sessions", "participants", "participant"])
async def test_without_a_key_it_is_401(api: Api, path: str) -> None:
    response = await api.client.get(f"/v1/insights/{path}")
    assert response.status_code == 401
