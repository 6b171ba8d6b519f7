"""`/v1/meetings` through the ASGI app: the exact wire shapes of create, read, list and delete.

Every test runs on SQLite and on PostgreSQL (the `api` fixture). Expected values come from
Whereby's documents as docs/whereby-compatibility.md reads them ("Dates", "No CORS", "Room names",
"Room URLs"), not from the code.
"""

import json
import re
import uuid
from typing import Any

import httpx
import pytest

from helpers import PUBLIC_URL, Api
from salon.meetings.model import HUMAN_SHORT_ALPHABET, Meeting, format_date_time

MEETING_KEYS = ["startDate", "endDate", "roomName", "roomUrl", "meetingId"]
URL_KEYS = ["hostRoomUrl", "viewerRoomUrl"]
WIRE_DATE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")
UUID_V4 = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
FAR_END = "2099-08-11T12:56:01.000Z"


async def create_meeting(api: Api, **body: Any) -> dict[str, Any]:
    """POST a meeting (endDate defaulted) and return its body, asserting `201`."""
    response = await api.client.post(
        "/v1/meetings", json={"endDate": FAR_END, **body}, headers=api.auth
    )
    assert response.status_code == 201, response.text
    assert response.headers["content-type"] == "application/json"
    created: dict[str, Any] = response.json()
    return created


async def get_json(api: Api, path: str, **params: str) -> Any:
    response = await api.client.get(path, params=params, headers=api.auth)
    assert response.status_code == 200, response.text
    return response.json()


async def walk_pages(api: Api, **params: str) -> list[list[dict[str, Any]]]:
    """Every page of the list, following cursors until one is null."""
    pages: list[list[dict[str, Any]]] = []
    cursor: str | None = None
    while True:
        query = dict(params) if cursor is None else {**params, "cursor": cursor}
        page = await get_json(api, "/v1/meetings", **query)
        assert list(page) == ["results", "cursor"]
        pages.append(page["results"])
        cursor = page["cursor"]
        if cursor is None:
            return pages
        assert isinstance(cursor, str)
        assert cursor
        assert len(pages) < 100, "the cursor never ends"


async def listed_ids(api: Api, **params: str) -> list[str]:
    return [m["meetingId"] for page in await walk_pages(api, **params) for m in page]


async def stored_meeting(api: Api, meeting: dict[str, Any]) -> Meeting:
    """The meeting as the service keeps it, for what the wire does not show."""
    view = await api.app.state.services.meetings.get(api.org_id, meeting["meetingId"], [])
    stored: Meeting = view.meeting
    return stored


def assert_meeting_shape(meeting: dict[str, Any], *, url_keys: list[str] | None = None) -> None:
    """Whereby's key order, exactly these keys, and the invariants between them."""
    assert list(meeting) == MEETING_KEYS + (url_keys or [])
    assert WIRE_DATE.fullmatch(meeting["startDate"])
    assert WIRE_DATE.fullmatch(meeting["endDate"])
    assert isinstance(meeting["meetingId"], str)
    assert meeting["meetingId"]
    assert meeting["roomName"].startswith("/")
    assert meeting["roomUrl"] == PUBLIC_URL + meeting["roomName"]


def room_key_of(meeting: dict[str, Any], field: str) -> str:
    """The key of `hostRoomUrl`/`viewerRoomUrl`, asserting the URL is `roomUrl?roomKey=<key>`."""
    prefix = meeting["roomUrl"] + "?roomKey="
    url: str = meeting[field]
    assert url.startswith(prefix)
    key = url[len(prefix) :]
    assert re.fullmatch(r"[A-Za-z0-9_.-]{16,}", key), key
    return key


def assert_no_cors(response: httpx.Response) -> None:
    assert "access-control-allow-origin" not in response.headers
    assert not [name for name in response.headers if name.lower().startswith("access-control-")]


# --- create --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "returned"),
    [
        ("2099-08-11T07:56:01-05:00", "2099-08-11T12:56:01.000Z"),
        ("2099-08-11T12:56:01Z", "2099-08-11T12:56:01.000Z"),
        ("2099-08-11T12:56:01z", "2099-08-11T12:56:01.000Z"),
        ("2099-08-11T12:56:01", "2099-08-11T12:56:01.000Z"),
        ("2099-08-11T12:56", "2099-08-11T12:56:00.000Z"),
        ("2099-08-11T14:56:01.123+02:00", "2099-08-11T12:56:01.123Z"),
        ("2099-08-11T12:56:01.5+00:00", "2099-08-11T12:56:01.500Z"),
        ("2099-08-12T00:30:00+05:30", "2099-08-11T19:00:00.000Z"),
        # Milliseconds survive exactly (no float rounding down to .410 or .429).
        ("2039-03-08T19:46:13.411Z", "2039-03-08T19:46:13.411Z"),
        ("2038-08-15T15:00:50.430Z", "2038-08-15T15:00:50.430Z"),
        ("2038-08-15T10:00:50.430-05:00", "2038-08-15T15:00:50.430Z"),
    ],
)
async def test_end_date_is_returned_in_utc_with_milliseconds(
    api: Api, given: str, returned: str
) -> None:
    meeting = await create_meeting(api, endDate=given)
    assert meeting["endDate"] == returned
    assert (await get_json(api, f"/v1/meetings/{meeting['meetingId']}"))["endDate"] == returned


async def test_start_date_defaults_to_the_time_of_the_request(api: Api) -> None:
    first = await create_meeting(api)
    assert first["startDate"] == "2026-03-01T12:00:00.000Z"
    api.clock.advance(1234)
    second = await create_meeting(api)
    assert second["startDate"] == "2026-03-01T12:00:01.234Z"


@pytest.mark.parametrize(
    ("given", "returned"),
    [
        ("2099-08-11T05:00:00-05:00", "2099-08-11T10:00:00.000Z"),
        ("2039-03-08T19:46:13.411Z", "2039-03-08T19:46:13.411Z"),
        ("2026-03-01T11:00:00Z", "2026-03-01T11:00:00.000Z"),
    ],
)
async def test_start_date_is_honoured_when_given(api: Api, given: str, returned: str) -> None:
    meeting = await create_meeting(api, startDate=given)
    assert meeting["startDate"] == returned
    assert meeting["endDate"] == FAR_END


async def test_end_date_equal_to_now_is_accepted_when_the_start_is_earlier(api: Api) -> None:
    now = format_date_time(api.clock())
    meeting = await create_meeting(api, startDate="2026-03-01T11:00:00Z", endDate=now)
    assert meeting["endDate"] == now


async def test_the_default_room_name_is_a_canonical_uuid_v4(api: Api) -> None:
    meeting = await create_meeting(api)
    name = meeting["roomName"][1:]
    assert re.fullmatch(UUID_V4, name)
    assert str(uuid.UUID(name)) == name
    assert uuid.UUID(name).version == 4
    explicit = await create_meeting(api, roomNamePattern="uuid")
    assert re.fullmatch("/" + UUID_V4, explicit["roomName"])
    assert explicit["roomName"] != meeting["roomName"]


@pytest.mark.parametrize(
    ("prefix", "normalized"),
    [
        ("Customer0348-", "customer0348-"),
        ("waiting-room-example-", "waiting-room-example-"),
        (" My Team\t-\nA ", "myteam-a"),
        ("ABC", "abc"),
        ("", ""),
        ("a " * 39, "a" * 39),
        ("-", "-"),
    ],
)
async def test_room_name_prefix_is_normalized_and_joined_without_a_separator(
    api: Api, prefix: str, normalized: str
) -> None:
    meeting = await create_meeting(api, roomNamePrefix=prefix)
    assert re.fullmatch("/" + re.escape(normalized) + UUID_V4, meeting["roomName"])
    assert meeting["roomUrl"] == PUBLIC_URL + meeting["roomName"]


async def test_human_short_names_are_six_easily_told_apart_characters(api: Api) -> None:
    pattern = re.compile(f"/your-url-[{HUMAN_SHORT_ALPHABET}]{{6}}")
    names = set()
    for _ in range(20):
        meeting = await create_meeting(
            api, roomNamePrefix="your-url-", roomNamePattern="human-short"
        )
        assert_meeting_shape(meeting)
        assert pattern.fullmatch(meeting["roomName"]), meeting["roomName"]
        names.add(meeting["roomName"])
    assert len(names) == 20
    assert not set("01ilo") & set(HUMAN_SHORT_ALPHABET)


@pytest.mark.parametrize(
    ("fields", "url_keys"),
    [
        (["hostRoomUrl"], ["hostRoomUrl"]),
        (["viewerRoomUrl"], ["viewerRoomUrl"]),
        (["hostRoomUrl", "viewerRoomUrl"], URL_KEYS),
        (["viewerRoomUrl", "hostRoomUrl"], URL_KEYS),
        ([], []),
    ],
)
async def test_keyed_urls_appear_only_when_asked_for_in_fields(
    api: Api, fields: list[str], url_keys: list[str]
) -> None:
    meeting = await create_meeting(api, fields=fields)
    assert_meeting_shape(meeting, url_keys=url_keys)
    keys = {room_key_of(meeting, field) for field in url_keys}
    assert len(keys) == len(url_keys), "host and viewer keys must differ"


async def test_viewer_mode_adds_both_urls_and_makes_a_locked_group_room(api: Api) -> None:
    meeting = await create_meeting(api, templateType="viewerMode")
    assert_meeting_shape(meeting, url_keys=URL_KEYS)
    assert room_key_of(meeting, "hostRoomUrl") != room_key_of(meeting, "viewerRoomUrl")
    stored = await stored_meeting(api, meeting)
    assert (stored.room_mode, stored.is_locked) == ("group", True)


async def test_room_mode_and_lock_are_kept(api: Api) -> None:
    meeting = await create_meeting(api, roomMode="group", isLocked=True)
    assert_meeting_shape(meeting)
    stored = await stored_meeting(api, meeting)
    assert (stored.room_mode, stored.is_locked) == ("group", True)
    stored = await stored_meeting(api, await create_meeting(api))
    assert (stored.room_mode, stored.is_locked) == ("normal", False)


S3 = {"provider": "s3", "authenticationType": "accessKey", "bucket": "my-bucket/recordings"}
S3_KEYS = {**S3, "accessKeyId": "AKIA0000", "accessKeySecret": "secret", "fileFormat": "mp4"}
RTMP = {"url": "rtmp://a.rtmp.youtube.com/live2/abc"}
WHEREBY = {"provider": "whereby"}
TRANSCRIPTION_TO_S3 = {
    "destination": {**S3, "region": "eu-west-1"},
    "startTrigger": "manual",
    "language": "en-US",
}


def recording(kind: str, destination: dict[str, str] | None, trigger: str | None) -> dict[str, Any]:
    return {"recording": {"type": kind, "destination": destination, "startTrigger": trigger}}


@pytest.mark.parametrize(
    "options",
    [
        recording("cloud", S3_KEYS, "prompt"),
        recording("local", None, None),
        recording("cloud", WHEREBY, "automatic"),
        recording("none", S3, "automatic-2nd-participant"),
        {"streaming": {"destination": RTMP, "startTrigger": "none"}},
        {"streaming": {"destination": RTMP, "startTrigger": None}},
        {"liveTranscription": {"startTrigger": "none", "liveCaptions": True}},
        {"liveTranscription": TRANSCRIPTION_TO_S3},
        {"roomPreferences": {"streaming": False, "roomIntegrations": False}},
        {"isDialInEnabled": True, "fields": ["dialIn"]},
    ],
)  # fmt: skip
async def test_well_formed_room_options_are_accepted_and_kept(
    api: Api, options: dict[str, Any]
) -> None:
    meeting = await create_meeting(api, **options)
    assert_meeting_shape(meeting)
    stored = json.loads((await stored_meeting(api, meeting)).options)
    assert set(options) - {"fields"} <= set(stored)


# --- read ----------------------------------------------------------------------------------


async def test_create_is_201_and_get_returns_the_same_meeting(api: Api) -> None:
    created = await create_meeting(api, roomNamePrefix="read-")
    assert_meeting_shape(created)
    assert created["endDate"] == FAR_END
    got = await get_json(api, f"/v1/meetings/{created['meetingId']}")
    assert list(got) == MEETING_KEYS
    assert got == created


@pytest.mark.parametrize(
    ("fields", "url_keys"),
    [
        ("hostRoomUrl,viewerRoomUrl", URL_KEYS),
        ("viewerRoomUrl,hostRoomUrl", URL_KEYS),
        ("hostRoomUrl", ["hostRoomUrl"]),
        ("viewerRoomUrl", ["viewerRoomUrl"]),
    ],
)
async def test_get_with_comma_separated_fields_gives_the_same_urls_as_create(
    api: Api, fields: str, url_keys: list[str]
) -> None:
    created = await create_meeting(api, fields=URL_KEYS)
    got = await get_json(api, f"/v1/meetings/{created['meetingId']}", fields=fields)
    assert_meeting_shape(got, url_keys=url_keys)
    for field in url_keys:
        assert got[field] == created[field]


# --- list ----------------------------------------------------------------------------------


async def test_list_returns_every_meeting_oldest_first_and_a_null_cursor(api: Api) -> None:
    assert await get_json(api, "/v1/meetings") == {"results": [], "cursor": None}
    created = [await create_meeting(api) for _ in range(4)]
    page = await get_json(api, "/v1/meetings")
    assert list(page) == ["results", "cursor"]
    assert page["cursor"] is None
    assert page["results"] == created
    for meeting in page["results"]:
        assert_meeting_shape(meeting)
    with_urls = await get_json(api, "/v1/meetings", fields="hostRoomUrl,viewerRoomUrl")
    assert [m["meetingId"] for m in with_urls["results"]] == [m["meetingId"] for m in created]
    for meeting in with_urls["results"]:
        assert_meeting_shape(meeting, url_keys=URL_KEYS)
        assert room_key_of(meeting, "hostRoomUrl") != room_key_of(meeting, "viewerRoomUrl")


async def test_list_walks_three_pages_without_duplicates_or_omissions(api: Api) -> None:
    created = [(await create_meeting(api))["meetingId"] for _ in range(7)]
    pages = await walk_pages(api, limit="3")
    assert [len(page) for page in pages] == [3, 3, 1]
    walked = [meeting["meetingId"] for page in pages for meeting in page]
    assert walked == created
    # A page that ends exactly at the last meeting has a null cursor: no empty page follows.
    assert [len(page) for page in await walk_pages(api, limit="7")] == [7]


async def test_list_limit_defaults_to_fifty(api: Api) -> None:
    for _ in range(51):
        await create_meeting(api)
    first = await get_json(api, "/v1/meetings")
    assert len(first["results"]) == 50
    assert first["cursor"] is not None
    rest = await get_json(api, "/v1/meetings", cursor=first["cursor"])
    assert (len(rest["results"]), rest["cursor"]) == (1, None)


async def test_room_name_starts_with_filters_case_sensitively(api: Api) -> None:
    team = [(await create_meeting(api, roomNamePrefix="team-"))["meetingId"] for _ in range(3)]
    other = (await create_meeting(api, roomNamePrefix="other-"))["meetingId"]
    plain = (await create_meeting(api))["meetingId"]
    assert await listed_ids(api, **{"roomName[startsWith]": "/team-"}) == team
    assert await listed_ids(api, **{"roomName[startsWith]": "/team-", "limit": "1"}) == team
    assert await listed_ids(api, **{"roomName[startsWith]": "/other"}) == [other]
    assert await listed_ids(api, **{"roomName[startsWith]": "/"}) == [*team, other, plain]
    assert await listed_ids(api, **{"roomName[startsWith]": "/TEAM-"}) == []
    assert await listed_ids(api, **{"roomName[startsWith]": "team-"}) == []
    # A literal prefix, not a LIKE pattern.
    assert await listed_ids(api, **{"roomName[startsWith]": "/te_m-"}) == []
    assert await listed_ids(api, **{"roomName[startsWith]": "/%"}) == []


# --- delete --------------------------------------------------------------------------------


async def test_delete_is_204_with_no_body_and_idempotent(api: Api) -> None:
    kept = await create_meeting(api)
    gone = await create_meeting(api)
    path = f"/v1/meetings/{gone['meetingId']}"
    for _ in range(2):
        response = await api.client.delete(path, headers=api.auth)
        assert response.status_code == 204
        assert response.content == b""
    missing = await api.client.get(path, headers=api.auth)
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    assert await listed_ids(api) == [kept["meetingId"]]
    assert (await get_json(api, f"/v1/meetings/{kept['meetingId']}")) == kept


@pytest.mark.parametrize("meeting_id", ["999999", "0", "abc", "%20", "1.0"])
async def test_delete_of_an_unknown_meeting_is_204(api: Api, meeting_id: str) -> None:
    kept = await create_meeting(api)
    response = await api.client.delete(f"/v1/meetings/{meeting_id}", headers=api.auth)
    assert response.status_code == 204
    assert response.content == b""
    assert await listed_ids(api) == [kept["meetingId"]]


# --- organizations and CORS ------------------------------------------------------------------


async def test_an_organization_never_sees_another_organizations_meetings(api: Api) -> None:
    services = api.app.state.services
    other_org = await services.orgs.create("other")
    _, other_key = await services.keys.create(other_org.org_id, "other key")
    other = {"Authorization": f"Bearer {other_key}"}
    mine = await create_meeting(api, roomNamePrefix="mine-")
    path = f"/v1/meetings/{mine['meetingId']}"

    listed = await api.client.get("/v1/meetings", headers=other)
    assert listed.json() == {"results": [], "cursor": None}
    assert (await api.client.get(path, headers=other)).status_code == 404
    assert (await api.client.delete(path, headers=other)).status_code == 204
    assert await get_json(api, path) == mine

    theirs = await api.client.post("/v1/meetings", json={"endDate": FAR_END}, headers=other)
    assert theirs.status_code == 201
    their_path = f"/v1/meetings/{theirs.json()['meetingId']}"
    assert (await api.client.get(their_path, headers=api.auth)).status_code == 404
    assert await listed_ids(api) == [mine["meetingId"]]
    filtered = await api.client.get(
        "/v1/meetings", params={"roomName[startsWith]": "/mine-"}, headers=other
    )
    assert filtered.json()["results"] == []


async def test_no_v1_response_carries_cors_headers(api: Api) -> None:
    origin = {"Origin": "https://evil.example"}
    keyed = {**api.auth, **origin}
    path = f"/v1/meetings/{(await create_meeting(api))['meetingId']}"
    responses = [
        await api.client.post("/v1/meetings", json={"endDate": FAR_END}, headers=keyed),
        await api.client.get("/v1/meetings", headers=keyed),
        await api.client.get(path, headers=keyed),
        await api.client.get("/v1/meetings/404404", headers=keyed),
        await api.client.get("/v1/meetings", headers=origin),
        await api.client.get("/v1/hello", headers=keyed),
        await api.client.delete(path, headers=keyed),
    ]
    for method in ("POST", "GET", "DELETE"):
        for target in ("/v1/meetings", path, "/v1/hello"):
            preflight = {
                **origin,
                "Access-Control-Request-Method": method,
                "Access-Control-Request-Headers": "authorization, content-type",
            }
            responses.append(await api.client.options(target, headers=preflight))
    for response in responses:
        assert_no_cors(response)


async def test_a_create_whose_every_room_name_is_taken_is_a_409(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The names drawn for a new meeting all clash with stored ones: a conflict, never a 500."""
    monkeypatch.setattr(
        "salon.meetings.service.generate_room_name", lambda prefix, pattern: "/taken"
    )
    await create_meeting(api)
    response = await api.client.post("/v1/meetings", json={"endDate": FAR_END}, headers=api.auth)
    assert (response.status_code, response.json()) == (
        409,
        {"error": "could not find a free room name; try again", "code": "conflict"},
    )
