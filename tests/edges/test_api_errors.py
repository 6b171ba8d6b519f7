"""Every bad input to `/v1` gets its status and `{"error": <message naming the field>, "code"}`.

The messages are the stable contract of `salon.api.errors`, `salon.meetings.model` and
`salon.api.schemas`. After each refused create the organization's meetings are counted again:
a refused request writes nothing.
"""

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from helpers import Api
from salon.config import Settings
from salon.meetings.model import format_date_time

END = "2099-01-01T00:00:00Z"
MAX_BODY = Settings().max_body_bytes
TOO_LARGE = f"request body is larger than {MAX_BODY} bytes"
BAD_CURSOR = "cursor is not valid: pass the cursor of a previous page"
ISO_HINT = "must be an ISO 8601 date-time such as 2021-08-11T07:56:01-05:00"
UNAUTHORIZED = "API key missing or invalid: send Authorization: Bearer <key>"
FIELDS_ALLOWED = "allowed: hostRoomUrl, viewerRoomUrl, dialIn"


def assert_error(response: httpx.Response, status: int, message: str, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"error": message, "code": code}


def assert_invalid(response: httpx.Response, message: str) -> None:
    assert_error(response, 400, message, "invalid_input")


def assert_unauthorized(response: httpx.Response) -> None:
    assert_error(response, 401, UNAUTHORIZED, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"


async def meeting_ids(api: Api) -> list[str]:
    response = await api.client.get("/v1/meetings", params={"limit": "100"}, headers=api.auth)
    assert response.status_code == 200, response.text
    return [meeting["meetingId"] for meeting in response.json()["results"]]


async def post_raw(api: Api, content: bytes | str | AsyncIterator[bytes]) -> httpx.Response:
    headers = {**api.auth, "Content-Type": "application/json"}
    return await api.client.post("/v1/meetings", content=content, headers=headers)


async def assert_create_refused(
    api: Api, content: bytes | str, status: int, message: str, code: str = "invalid_input"
) -> None:
    """The create is refused with this error, and the meetings are what they were before."""
    before = await meeting_ids(api)
    assert_error(await post_raw(api, content), status, message, code)
    assert await meeting_ids(api) == before


@pytest.fixture
async def seeded(api: Api) -> Api:
    """The app with one meeting already, so that a half-written create would show in the count."""
    response = await api.client.post("/v1/meetings", json={"endDate": END}, headers=api.auth)
    assert response.status_code == 201
    return api


# --- the body as a whole -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "request body is not valid JSON"),
        ("", "request body is not valid JSON"),
        ('{"endDate": "2099-01-01T00:00:00Z",}', "request body is not valid JSON"),
        ("endDate=2099-01-01T00:00:00Z", "request body is not valid JSON"),
        ("[]", "request body must be a JSON object"),
        ('["2099-01-01T00:00:00Z"]', "request body must be a JSON object"),
        ('"2099-01-01T00:00:00Z"', "request body must be a JSON object"),
        ("null", "request body must be a JSON object"),
        ("{}", "endDate is required"),
        ('{"startDate": "2099-01-01T00:00:00Z"}', "endDate is required"),
    ],
)
async def test_a_body_that_is_not_a_meeting_object_is_refused(
    seeded: Api, content: str, message: str
) -> None:
    await assert_create_refused(seeded, content, 400, message)


# --- one field at a time -------------------------------------------------------------------

S3 = {"provider": "s3", "bucket": "b"}
CAPTIONS = {"startTrigger": "none", "liveCaptions": True}
ONE_OF = "must be one of"
URL_FIELDS = "'hostRoomUrl', 'viewerRoomUrl' or 'dialIn'"
AUTOMATIC = "'automatic' or 'automatic-2nd-participant'"
PREFIX_CHARS = "roomNamePrefix may contain only letters a-z, digits 0-9 and hyphens"


def recording(**fields: Any) -> dict[str, Any]:
    """A well-formed `recording` object changed by `fields`."""
    return {"recording": {"type": "cloud", "destination": None, "startTrigger": None, **fields}}


def streaming(**fields: Any) -> dict[str, Any]:
    """A well-formed `streaming` object changed by `fields`."""
    return {
        "streaming": {"destination": {"url": "rtmp://a.test/k"}, "startTrigger": None, **fields}
    }


FIELD_CASES: list[tuple[dict[str, Any], str]] = [
    ({"endDate": 5}, "endDate must be a string"),
    ({"endDate": None}, "endDate must be a string"),
    ({"endDate": True}, "endDate must be a string"),
    ({"startDate": 1700000000}, "startDate must be a string"),
    ({"roomMode": "large"}, f"roomMode {ONE_OF} 'normal' or 'group'"),
    ({"roomMode": "Group"}, f"roomMode {ONE_OF} 'normal' or 'group'"),
    ({"roomNamePattern": "short"}, f"roomNamePattern {ONE_OF} 'uuid' or 'human-short'"),
    ({"templateType": "viewer"}, f"templateType {ONE_OF} 'viewerMode'"),
    ({"isLocked": "true"}, "isLocked must be a boolean"),
    ({"isLocked": 1}, "isLocked must be a boolean"),
    ({"fields": ["hostRoomURL"]}, f"fields[0] {ONE_OF} {URL_FIELDS}"),
    ({"fields": ["hostRoomUrl", "x"]}, f"fields[1] {ONE_OF} {URL_FIELDS}"),
    ({"fields": "hostRoomUrl"}, "fields must be an array"),
    ({"roomNamePrefix": 5}, "roomNamePrefix must be a string"),
    ({"roomNamePrefix": "x" * 201}, "roomNamePrefix is too long"),
    ({"recording": "cloud"}, "recording must be an object"),
    ({"recording": {"type": "cloud"}}, "recording.destination is required"),
    ({"recording": {"type": "cloud", "destination": None}}, "recording.startTrigger is required"),
    ({"recording": {"destination": None, "startTrigger": None}}, "recording.type is required"),
    (recording(type="video"), f"recording.type {ONE_OF} 'none', 'local' or 'cloud'"),
    (
        recording(startTrigger="manual"),
        f"recording.startTrigger {ONE_OF} 'none', 'prompt', {AUTOMATIC}",
    ),
    (recording(destination={}), "recording.destination.provider is required"),
    (
        recording(destination={"provider": "gcs"}),
        f"recording.destination.provider {ONE_OF} 's3' or 'whereby'",
    ),
    (
        recording(destination={**S3, "fileFormat": "avi"}),
        f"recording.destination.fileFormat {ONE_OF} 'mkv' or 'mp4'",
    ),
    (
        recording(destination={**S3, "authenticationType": "pw"}),
        f"recording.destination.authenticationType {ONE_OF} 'accessKey' or 'roleBased'",
    ),
    (recording(destination={**S3, "bucket": 7}), "recording.destination.bucket must be a string"),
    ({"streaming": []}, "streaming must be an object"),
    ({"streaming": {"startTrigger": "none"}}, "streaming.destination is required"),
    (
        {"streaming": {"destination": {"url": "rtmp://a.test/k"}}},
        "streaming.startTrigger is required",
    ),
    (streaming(destination={}), "streaming.destination.url is required"),
    (streaming(destination={"url": ""}), "streaming.destination.url must not be empty"),
    (
        streaming(startTrigger="automatic-2nd-participant"),
        f"streaming.startTrigger {ONE_OF} 'none', 'prompt' or 'automatic'",
    ),
    ({"liveTranscription": {"liveCaptions": True}}, "liveTranscription.startTrigger is required"),
    (
        {"liveTranscription": {"startTrigger": "prompt"}},
        f"liveTranscription.startTrigger {ONE_OF} 'none', 'manual', {AUTOMATIC}",
    ),
    (
        {"liveTranscription": {**CAPTIONS, "liveCaptions": "yes"}},
        "liveTranscription.liveCaptions must be a boolean",
    ),
    (
        {"liveTranscription": {**CAPTIONS, "destination": {"bucket": "b"}}},
        "liveTranscription.destination.provider is required",
    ),
    ({"roomPreferences": {"streaming": "no"}}, "roomPreferences.streaming must be a boolean"),
    ({"roomPreferences": []}, "roomPreferences must be an object"),
    ({"isDialInEnabled": "yes"}, "isDialInEnabled must be a boolean"),
]


@pytest.mark.parametrize(("fields", "message"), FIELD_CASES)
async def test_a_bad_field_is_refused_with_a_message_naming_it(
    seeded: Api, fields: dict[str, Any], message: str
) -> None:
    await assert_create_refused(seeded, json.dumps({"endDate": END, **fields}), 400, message)


async def test_an_unknown_transcription_language_is_refused(seeded: Api) -> None:
    body = {"endDate": END, "liveTranscription": {**CAPTIONS, "language": "klingon"}}
    before = await meeting_ids(seeded)
    response = await post_raw(seeded, json.dumps(body))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert response.json()["error"].startswith(f"liveTranscription.language {ONE_OF} 'ca', ")
    assert await meeting_ids(seeded) == before


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"endDate": "tomorrow"}, f"endDate {ISO_HINT}"),
        ({"endDate": "2099-01-01"}, f"endDate {ISO_HINT}"),
        ({"endDate": "2099-01-01 10:00:00Z"}, f"endDate {ISO_HINT}"),
        ({"endDate": "01/08/2099 10:00"}, f"endDate {ISO_HINT}"),
        ({"endDate": "2099-01-01T10:00:00Z[UTC]"}, f"endDate {ISO_HINT}"),
        ({"endDate": ""}, f"endDate {ISO_HINT}"),
        ({"endDate": "\uff12\uff10\uff19\uff19-01-01T00:00:00Z"}, f"endDate {ISO_HINT}"),
        ({"endDate": "2099-13-01T00:00:00Z"}, "endDate is not a valid date-time"),
        ({"endDate": "2099-02-30T10:00:00Z"}, "endDate is not a valid date-time"),
        ({"endDate": "2099-01-01T25:00:00Z"}, "endDate is not a valid date-time"),
        ({"endDate": "2099-01-01T10:00:00+25:00"}, "endDate is not a valid date-time"),
        ({"startDate": "soon"}, f"startDate {ISO_HINT}"),
        ({"startDate": "2099-00-10T10:00:00Z"}, "startDate is not a valid date-time"),
        ({"endDate": "2020-01-01T00:00:00Z"}, "endDate must not be in the past"),
        ({"startDate": "2099-01-02T00:00:00Z"}, "endDate must be later than startDate"),
        ({"startDate": END}, "endDate must be later than startDate"),
        ({"roomNamePrefix": "my_room"}, PREFIX_CHARS),
        ({"roomNamePrefix": "café-"}, PREFIX_CHARS),
        ({"roomNamePrefix": "a/b"}, PREFIX_CHARS),
        ({"roomNamePrefix": "a" * 40}, "roomNamePrefix must be at most 39 characters"),
        (
            {"roomNamePrefix": "A" * 20 + " " + "b" * 20},
            "roomNamePrefix must be at most 39 characters",
        ),
    ],
)
async def test_bad_dates_and_prefixes_are_refused(
    seeded: Api, fields: dict[str, Any], message: str
) -> None:
    await assert_create_refused(seeded, json.dumps({"endDate": END, **fields}), 400, message)


async def test_an_end_date_a_millisecond_ago_is_in_the_past(seeded: Api) -> None:
    past = format_date_time(seeded.clock() - 1)
    await assert_create_refused(
        seeded, json.dumps({"endDate": past}), 400, "endDate must not be in the past"
    )


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        # Valid ISO 8601 whose UTC value lies outside years 1-9999.
        ({"endDate": "9999-12-31T23:59:59-05:00"}, "endDate"),
        ({"startDate": "0001-01-01T00:00:00+01:00"}, "startDate"),
    ],
)
async def test_dates_beyond_the_representable_range_are_a_400(
    seeded: Api, fields: dict[str, Any], named: str
) -> None:
    before = await meeting_ids(seeded)
    response = await post_raw(seeded, json.dumps({"endDate": END, **fields}))
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "invalid_input"
    assert named in response.json()["error"]
    assert await meeting_ids(seeded) == before


# --- body size -----------------------------------------------------------------------------


def padded_body(size: int) -> bytes:
    """A valid create body of exactly `size` bytes (JSON allows trailing whitespace)."""
    body = json.dumps({"endDate": END}).encode()
    return body + b" " * (size - len(body))


async def chunks_of(body: bytes, size: int = 8192) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


async def test_a_body_at_the_limit_is_accepted(seeded: Api) -> None:
    response = await post_raw(seeded, padded_body(MAX_BODY))
    assert response.status_code == 201, response.text


async def test_a_body_over_the_limit_with_content_length_is_413(seeded: Api) -> None:
    await assert_create_refused(
        seeded, padded_body(MAX_BODY + 1), 413, TOO_LARGE, "payload_too_large"
    )


async def test_a_chunked_body_over_the_limit_is_413(seeded: Api) -> None:
    before = await meeting_ids(seeded)
    response = await post_raw(seeded, chunks_of(padded_body(MAX_BODY + 1)))
    assert "content-length" not in response.request.headers
    assert_error(response, 413, TOO_LARGE, "payload_too_large")
    assert await meeting_ids(seeded) == before


async def test_a_chunked_body_under_the_limit_is_accepted(seeded: Api) -> None:
    response = await post_raw(seeded, chunks_of(padded_body(MAX_BODY - 100)))
    assert "content-length" not in response.request.headers
    assert response.status_code == 201, response.text


# --- queries -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"limit": "0"}, "limit must be at least 1"),
        ({"limit": "101"}, "limit must be at most 100"),
        ({"limit": "-5"}, "limit must be at least 1"),
        ({"limit": "abc"}, "limit must be an integer"),
        ({"limit": "1.5"}, "limit must be an integer"),
        ({"cursor": "zzz"}, BAD_CURSOR),
        ({"cursor": "YWZ0ZXI6LTE"}, BAD_CURSOR),  # "after:-1"
        ({"cursor": "!!!!"}, BAD_CURSOR),
        ({"cursor": "c" * 201}, "cursor is too long"),
        ({"roomName[startsWith]": "/" + "a" * 200}, "roomName[startsWith] is too long"),
        ({"fields": "bogus"}, f"fields: unknown field 'bogus'; {FIELDS_ALLOWED}"),
        (
            {"fields": "hostRoomUrl,hostRoomURL"},
            f"fields: unknown field 'hostRoomURL'; {FIELDS_ALLOWED}",
        ),
    ],
)
async def test_bad_list_queries_are_refused(
    seeded: Api, params: dict[str, str], message: str
) -> None:
    response = await seeded.client.get("/v1/meetings", params=params, headers=seeded.auth)
    assert_invalid(response, message)


async def test_unknown_fields_when_reading_one_meeting_are_refused(seeded: Api) -> None:
    [meeting_id] = await meeting_ids(seeded)
    response = await seeded.client.get(
        f"/v1/meetings/{meeting_id}", params={"fields": "roomKey"}, headers=seeded.auth
    )
    assert_invalid(response, f"fields: unknown field 'roomKey'; {FIELDS_ALLOWED}")


async def test_a_room_name_filter_no_name_can_match_is_not_a_server_error(seeded: Api) -> None:
    response = await seeded.client.get(
        "/v1/meetings", params={"roomName[startsWith]": "/\x00"}, headers=seeded.auth
    )
    assert response.status_code in (200, 400), response.text
    if response.status_code == 200:
        assert response.json() == {"results": [], "cursor": None}
    else:
        assert "roomName[startsWith]" in response.json()["error"]


@pytest.mark.parametrize("meeting_id", ["999999", "abc", "0", "999999999999999999999"])
async def test_an_unknown_meeting_is_404(seeded: Api, meeting_id: str) -> None:
    response = await seeded.client.get(f"/v1/meetings/{meeting_id}", headers=seeded.auth)
    assert_error(response, 404, f"meeting '{meeting_id}' not found", "not_found")


async def test_an_unknown_path_is_404_and_a_wrong_method_is_405(seeded: Api) -> None:
    response = await seeded.client.get("/v1/nothing", headers=seeded.auth)
    assert_error(response, 404, "no such resource: /v1/nothing", "not_found")
    response = await seeded.client.put("/v1/meetings", json={}, headers=seeded.auth)
    assert_error(response, 405, "method PUT is not allowed on /v1/meetings", "method_not_allowed")
    response = await seeded.client.patch("/v1/meetings/1", json={}, headers=seeded.auth)
    assert_error(
        response, 405, "method PATCH is not allowed on /v1/meetings/1", "method_not_allowed"
    )


# --- keys ----------------------------------------------------------------------------------


async def bad_authorizations(api: Api) -> list[dict[str, str]]:
    """Missing, malformed, wrong and deleted keys."""
    services = api.app.state.services
    deleted, deleted_key = await services.keys.create(api.org_id, "to delete")
    await services.keys.delete(api.org_id, deleted.key_id)
    wrong_secret = api.key[:-4] + ("AAAA" if not api.key.endswith("AAAA") else "BBBB")
    return [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer nonsense"},
        {"Authorization": api.key},
        {"Authorization": f"Basic {api.key}"},
        {"Authorization": f"Bearer {api.key}x"},
        {"Authorization": f"Bearer {wrong_secret}"},
        {"Authorization": f"Bearer {deleted_key}"},
        {"Authorization": "Bearer salon_aaaaaaaaaaaa_" + "A" * 43},
    ]


async def test_every_operation_refuses_a_missing_or_invalid_key(seeded: Api) -> None:
    [meeting_id] = await meeting_ids(seeded)
    for headers in await bad_authorizations(seeded):
        for method, path in [
            ("GET", "/v1/meetings"),
            ("GET", f"/v1/meetings/{meeting_id}"),
            ("DELETE", f"/v1/meetings/{meeting_id}"),
            ("GET", "/v1/hello"),
        ]:
            assert_unauthorized(await seeded.client.request(method, path, headers=headers))
        response = await seeded.client.post("/v1/meetings", json={"endDate": END}, headers=headers)
        assert_unauthorized(response)
    assert await meeting_ids(seeded) == [meeting_id]


@pytest.mark.parametrize(
    "content", ["{", "[]", "{}", json.dumps({"endDate": "tomorrow"}), json.dumps({"endDate": 5})]
)
async def test_a_create_without_a_key_is_401_whatever_its_body(seeded: Api, content: str) -> None:
    response = await seeded.client.post(
        "/v1/meetings", content=content, headers={"Content-Type": "application/json"}
    )
    assert_unauthorized(response)
    assert len(await meeting_ids(seeded)) == 1


async def test_a_transcription_language_the_engine_cannot_do_is_refused_naming_those_it_can(
    seeded: Api,
) -> None:
    body = {"endDate": END, "liveTranscription": {**CAPTIONS, "language": "fr"}}
    before = await meeting_ids(seeded)
    response = await post_raw(seeded, json.dumps(body))
    assert response.status_code == 400
    assert response.json() == {
        "error": "liveTranscription.language 'fr' is not available on this server;"
        " available: en, en-US, en-GB",
        "code": "invalid_input",
    }
    assert await meeting_ids(seeded) == before
    english = {"endDate": END, "liveTranscription": {**CAPTIONS, "language": "en-GB"}}
    assert (await post_raw(seeded, json.dumps(english))).status_code == 201
