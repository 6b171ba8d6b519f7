"""What real Whereby clients send and expect, and Salon's own tests had missed: `null` for an
optional create field, the full `Allow` list of a `405`, `HEAD` wherever `GET` exists, and both
forms of a `fields` list in a query."""

import httpx
import pytest

from helpers import Api

FAR_END = "2099-08-11T12:56:01.000Z"
OPTIONAL_FIELDS = [
    "startDate",
    "isLocked",
    "roomMode",
    "roomNamePrefix",
    "roomNamePattern",
    "templateType",
    "fields",
    "recording",
    "streaming",
    "liveTranscription",
    "roomPreferences",
    "isDialInEnabled",
]


async def created(api: Api, body: dict[str, object]) -> dict[str, object]:
    response = await api.client.post("/v1/meetings", json=body, headers=api.auth)
    assert response.status_code == 201, response.text
    found: dict[str, object] = response.json()
    return found


@pytest.mark.parametrize("field", OPTIONAL_FIELDS)
async def test_null_for_an_optional_create_field_means_not_given(api: Api, field: str) -> None:
    meeting = await created(api, {"endDate": FAR_END, field: None})
    assert list(meeting) == ["startDate", "endDate", "roomName", "roomUrl", "meetingId"]
    stored = await api.app.state.services.meetings.active_meeting(meeting["roomName"])
    assert stored.room_mode == "normal"
    assert stored.is_locked is False


async def test_every_optional_field_null_at_once_is_a_default_meeting(api: Api) -> None:
    meeting = await created(api, {"endDate": FAR_END, **dict.fromkeys(OPTIONAL_FIELDS)})
    assert isinstance(meeting["roomName"], str)
    assert len(meeting["roomName"]) == 37  # "/" and a UUID: no prefix, the uuid pattern


async def test_the_whereby_api_packages_default_body_creates_a_meeting(api: Api) -> None:
    body = {
        "startDate": "2026-03-01T12:00:00Z",
        "endDate": "2026-03-01T14:00:00Z",
        "isLocked": False,
        "roomNamePrefix": None,
        "roomMode": "normal",
        "fields": [],
    }
    meeting = await created(api, body)
    assert meeting["endDate"] == "2026-03-01T14:00:00.000Z"


async def test_end_date_null_is_still_refused(api: Api) -> None:
    response = await api.client.post("/v1/meetings", json={"endDate": None}, headers=api.auth)
    assert response.status_code == 400
    assert response.json() == {"error": "endDate must be a string", "code": "invalid_input"}


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/v1/meetings", "GET, HEAD, POST"),
        ("PATCH", "/v1/meetings", "GET, HEAD, POST"),
        ("PUT", "/v1/meetings/1", "GET, HEAD, DELETE"),
        ("POST", "/v1/meetings/1", "GET, HEAD, DELETE"),
        ("POST", "/v1/hello", "GET, HEAD"),
    ],
)
async def test_a_405_lists_every_method_of_the_path(
    api: Api, method: str, path: str, allow: str
) -> None:
    response = await api.client.request(method, path, json={}, headers=api.auth)
    assert response.status_code == 405
    assert response.headers.get_list("allow") == [allow]
    assert response.json() == {
        "error": f"method {method} is not allowed on {path}",
        "code": "method_not_allowed",
    }


async def test_head_answers_where_get_does_with_its_headers_and_no_body(api: Api) -> None:
    meeting = await created(api, {"endDate": FAR_END})
    for path in ("/v1/meetings", f"/v1/meetings/{meeting['meetingId']}", "/v1/hello"):
        got = await api.client.get(path, headers=api.auth)
        head = await api.client.head(path, headers=api.auth)
        assert head.status_code == got.status_code == 200
        assert head.content == b""
        assert head.headers["content-type"] == got.headers["content-type"]
        assert head.headers["content-length"] == got.headers["content-length"]
    missing = await api.client.head("/v1/meetings/999999", headers=api.auth)
    assert missing.status_code == 404
    assert missing.content == b""


async def fields_of(api: Api, query: list[tuple[str, str]]) -> httpx.Response:
    meeting = await created(api, {"endDate": FAR_END})
    return await api.client.get(
        f"/v1/meetings/{meeting['meetingId']}", params=tuple(query), headers=api.auth
    )


@pytest.mark.parametrize(
    "query",
    [
        [("fields", "hostRoomUrl,viewerRoomUrl")],
        [("fields", "hostRoomUrl"), ("fields", "viewerRoomUrl")],
        [("fields", "hostRoomUrl"), ("fields", "viewerRoomUrl,hostRoomUrl")],
    ],
    ids=["comma-separated", "exploded", "both"],
)
async def test_both_forms_of_fields_are_read(api: Api, query: list[tuple[str, str]]) -> None:
    response = await fields_of(api, query)
    assert response.status_code == 200
    assert {"hostRoomUrl", "viewerRoomUrl"} <= set(response.json())
    listed = await api.client.get("/v1/meetings", params=tuple(query), headers=api.auth)
    assert {"hostRoomUrl", "viewerRoomUrl"} <= set(listed.json()["results"][0])


@pytest.mark.parametrize(
    "query",
    [[("fields", "")], [("fields", "hostRoomUrl,")], [("fields", "hostRoomUrl"), ("fields", "")]],
)
async def test_an_empty_fields_value_is_refused(api: Api, query: list[tuple[str, str]]) -> None:
    response = await fields_of(api, query)
    assert response.status_code == 400
    assert response.json() == {
        "error": "fields: empty field name; allowed: hostRoomUrl, viewerRoomUrl",
        "code": "invalid_input",
    }
