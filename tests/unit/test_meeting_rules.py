"""The pure rules of a meeting: dates, time window, room names, room URLs and list cursors
(docs/whereby-compatibility.md: "Dates", "Time window", "Room names", "Room URLs")."""

import base64
import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from salon.errors import InvalidInput
from salon.ids import MeetingId, OrgId, RoomName
from salon.meetings.model import (
    DEACTIVATE_AFTER_END_MS,
    DELETE_AFTER_END_MS,
    GROUP_VIEWER_CAPACITY,
    HUMAN_SHORT_ALPHABET,
    ROOM_CAPACITY,
    WINDOW_SLACK_MS,
    Meeting,
    RoomMode,
    RoomNamePattern,
    TimeWindow,
    check_dates,
    decode_cursor,
    encode_cursor,
    format_date_time,
    generate_room_name,
    keyed_room_url,
    normalize_prefix,
    organization_base_url,
    parse_date_time,
    room_url,
)

HOUR = 3_600_000
# 2021-08-11T12:56:01Z, the example instant of Whereby's documents.
EXAMPLE_MS = 1_628_686_561_000
YEAR_2100_MS = 4_102_444_800_000
SHAPE_MESSAGE = "must be an ISO 8601 date-time such as 2021-08-11T07:56:01-05:00"
CURSOR_MESSAGE = "cursor is not valid: pass the cursor of a previous page"
UUID4 = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"

# --- parse_date_time ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected_ms"),
    [
        ("2021-08-11T12:56:01", EXAMPLE_MS),  # no offset: UTC
        ("2021-08-11T12:56:01Z", EXAMPLE_MS),
        ("2021-08-11T12:56:01+00:00", EXAMPLE_MS),
        ("2021-08-11T07:56:01-05:00", EXAMPLE_MS),
        ("2021-08-11T07:56:01-0500", EXAMPLE_MS),
        ("2021-08-11T18:26:01+05:30", EXAMPLE_MS),
        ("2021-08-11T18:26:01+0530", EXAMPLE_MS),
        ("2021-08-11T12:56Z", EXAMPLE_MS - 1000),  # seconds are optional
        ("2021-08-11T12:56:01.5Z", EXAMPLE_MS + 500),
        ("2021-08-11T12:56:01.041Z", EXAMPLE_MS + 41),
        ("2021-08-11T12:56:01.123456Z", EXAMPLE_MS + 123),  # below a millisecond: cut off
        ("2021-08-11T07:56:01.999-05:00", EXAMPLE_MS + 999),
        ("1970-01-01T00:00:00Z", 0),
    ],
)
def test_parse_date_time_reads_offsets_and_fractions(value: str, expected_ms: int) -> None:
    assert parse_date_time("endDate", value) == expected_ms


def test_parse_date_time_accepts_the_lower_case_z_its_pattern_allows() -> None:
    # The accepted shape spells out `Z|z` (RFC 3339 allows both).
    assert parse_date_time("endDate", "2021-08-11T12:56:01z") == EXAMPLE_MS


@pytest.mark.parametrize(
    "value",
    [
        "",
        "2021-08-11",  # a date without a time
        "12:56:01",
        "tomorrow",
        "2021-08-11 12:56:01Z",  # a space instead of the T
        "2021-08-11T12:56:01+5",
        "2021-08-11T12:56:01 Z",
        " 2021-08-11T12:56:01Z",
        "2021-08-11T12:56:01Z\n",
        "1628686561000",
    ],
)
def test_parse_date_time_rejects_other_shapes_naming_the_field(value: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_date_time("endDate", value)
    assert caught.value.message == f"endDate {SHAPE_MESSAGE}"


def test_parse_date_time_names_the_field_it_was_given() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_date_time("startDate", "soon")
    assert caught.value.message == f"startDate {SHAPE_MESSAGE}"


@pytest.mark.parametrize(
    "value", ["2021-02-30T00:00:00Z", "2021-13-01T00:00:00Z", "2021-08-11T25:00:00Z",
              "2021-08-11T12:60:00Z", "2021-08-11T12:00:00+99:00"],
)  # fmt: skip
def test_parse_date_time_rejects_impossible_moments(value: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_date_time("endDate", value)
    assert caught.value.message == "endDate is not a valid date-time"


@given(st.text())
def test_parse_date_time_only_ever_refuses_with_invalid_input(value: str) -> None:
    try:
        parse_date_time("endDate", value)
    except InvalidInput as error:
        message = error.message
    else:
        return
    assert message.startswith("endDate ")


# --- format_date_time --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("epoch_ms", "text"),
    [
        (EXAMPLE_MS, "2021-08-11T12:56:01.000Z"),
        (EXAMPLE_MS + 41, "2021-08-11T12:56:01.041Z"),
        (EXAMPLE_MS + 999, "2021-08-11T12:56:01.999Z"),
        (0, "1970-01-01T00:00:00.000Z"),
        (4_086_583_292_041, "2099-07-01T10:01:32.041Z"),
    ],
)
def test_format_date_time_is_utc_with_milliseconds(epoch_ms: int, text: str) -> None:
    assert format_date_time(epoch_ms) == text


def test_an_offset_date_comes_back_in_utc() -> None:
    parsed = parse_date_time("endDate", "2021-08-11T07:56:01-05:00")
    assert format_date_time(parsed) == "2021-08-11T12:56:01.000Z"


def test_a_millisecond_date_after_2038_keeps_its_milliseconds() -> None:
    assert format_date_time(parse_date_time("endDate", "2039-07-06T01:24:33.693Z")) == (
        "2039-07-06T01:24:33.693Z"
    )


@given(st.integers(min_value=0, max_value=YEAR_2100_MS))
@example(2_193_528_273_693)  # 2039-07-06T01:24:33.693Z
@example(2_107_777_567)  # 1970-01-25T09:29:37.567Z
def test_format_then_parse_round_trips(epoch_ms: int) -> None:
    text = format_date_time(epoch_ms)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z", text)
    assert parse_date_time("endDate", text) == epoch_ms


# --- check_dates -------------------------------------------------------------------------------


def test_check_dates_accepts_an_end_after_the_start_and_not_before_now() -> None:
    check_dates(start_ms=EXAMPLE_MS, end_ms=EXAMPLE_MS + 1, now_ms=EXAMPLE_MS)
    check_dates(start_ms=EXAMPLE_MS - HOUR, end_ms=EXAMPLE_MS, now_ms=EXAMPLE_MS)  # end == now


def test_check_dates_rejects_an_end_in_the_past() -> None:
    with pytest.raises(InvalidInput) as caught:
        check_dates(start_ms=EXAMPLE_MS - HOUR, end_ms=EXAMPLE_MS - 1, now_ms=EXAMPLE_MS)
    assert caught.value.message == "endDate must not be in the past"


@pytest.mark.parametrize("end_offset", [0, -1, -HOUR])
def test_check_dates_rejects_an_end_not_after_the_start(end_offset: int) -> None:
    start = EXAMPLE_MS + HOUR
    with pytest.raises(InvalidInput) as caught:
        check_dates(start_ms=start, end_ms=start + end_offset, now_ms=EXAMPLE_MS)
    assert caught.value.message == "endDate must be later than startDate"


# --- the time window and the meeting's life ---------------------------------------------------


def test_time_window_opens_an_hour_before_and_closes_an_hour_after() -> None:
    start, end = EXAMPLE_MS, EXAMPLE_MS + 2 * HOUR
    window = TimeWindow.of(start, end)
    assert (window.opens_ms, window.closes_ms) == (start - HOUR, end + HOUR)
    assert not window.contains(start - HOUR - 1)
    assert window.contains(start - HOUR)
    assert window.contains(start)
    assert window.contains(end)
    assert window.contains(end + HOUR)
    assert not window.contains(end + HOUR + 1)


def test_lifetimes_and_capacities_are_the_documented_ones() -> None:
    assert WINDOW_SLACK_MS == HOUR
    assert DEACTIVATE_AFTER_END_MS == HOUR
    assert DELETE_AFTER_END_MS == 24 * HOUR
    assert ROOM_CAPACITY == {RoomMode.NORMAL: 4, RoomMode.GROUP: 200}
    assert GROUP_VIEWER_CAPACITY == 400


def _meeting(deactivated_ms: int | None = None, deleted_ms: int | None = None) -> Meeting:
    return Meeting(
        meeting_id=MeetingId("7"),
        org_id=OrgId(1),
        room_name=RoomName("/abc"),
        room_mode=RoomMode.NORMAL,
        is_locked=False,
        start_ms=EXAMPLE_MS,
        end_ms=EXAMPLE_MS + HOUR,
        created_ms=EXAMPLE_MS,
        options="{}",
        deactivated_ms=deactivated_ms,
        deleted_ms=deleted_ms,
    )


def test_a_meeting_is_active_until_deactivated_or_deleted() -> None:
    assert _meeting().is_active()
    assert not _meeting(deactivated_ms=EXAMPLE_MS).is_active()
    assert not _meeting(deleted_ms=EXAMPLE_MS).is_active()
    assert _meeting().window == TimeWindow(EXAMPLE_MS - HOUR, EXAMPLE_MS + 2 * HOUR)


# --- roomNamePrefix ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "normalized"),
    [
        ("", ""),
        ("Customer0348-", "customer0348-"),
        ("waiting-room-example-", "waiting-room-example-"),
        ("  My Room ", "myroom"),
        ("a\tb\nc\r\nd\x0be\x0cf", "abcdef"),
        ("---", "---"),
        ("A" * 39, "a" * 39),
        (" ".join("a" * 39), "a" * 39),  # 77 characters, 39 after whitespace is removed
    ],
)
def test_normalize_prefix_lower_cases_and_removes_whitespace(prefix: str, normalized: str) -> None:
    assert normalize_prefix(prefix) == normalized


@pytest.mark.parametrize("prefix", ["a" * 40, "A" * 40, "a" * 39 + "-", "é" * 40])
def test_normalize_prefix_allows_at_most_39_characters(prefix: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalize_prefix(prefix)
    assert caught.value.message == "roomNamePrefix must be at most 39 characters"


@pytest.mark.parametrize("prefix", ["room_1", "room.", "room/", "café", "a+b", "?", "ß", "日本"])
def test_normalize_prefix_rejects_other_characters(prefix: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalize_prefix(prefix)
    assert caught.value.message == (
        "roomNamePrefix may contain only letters a-z, digits 0-9 and hyphens"
    )


# --- room names --------------------------------------------------------------------------------


def test_a_uuid_room_name_is_the_prefix_joined_to_a_v4_uuid() -> None:
    name = generate_room_name("customer0348-", RoomNamePattern.UUID)
    assert re.fullmatch(rf"/customer0348-{UUID4}", name)
    assert re.fullmatch(rf"/{UUID4}", generate_room_name("", RoomNamePattern.UUID))
    assert generate_room_name("", RoomNamePattern.UUID) != generate_room_name(
        "", RoomNamePattern.UUID
    )


def test_a_human_short_room_name_is_six_easy_characters() -> None:
    names = [generate_room_name("your-url-", RoomNamePattern.HUMAN_SHORT) for _ in range(300)]
    for name in names:
        assert name.startswith("/your-url-")
        random_part = name.removeprefix("/your-url-")
        assert len(random_part) == 6
        assert set(random_part) <= set(HUMAN_SHORT_ALPHABET)
    # Over 1800 draws, every character of the 31-letter alphabet shows up.
    assert {c for name in names for c in name.removeprefix("/your-url-")} == set(
        HUMAN_SHORT_ALPHABET
    )


def test_the_human_short_alphabet_has_no_confusable_characters() -> None:
    assert not set(HUMAN_SHORT_ALPHABET) & set("0o1li")
    assert re.fullmatch(r"[a-z2-9]+", HUMAN_SHORT_ALPHABET)
    assert len(set(HUMAN_SHORT_ALPHABET)) == len(HUMAN_SHORT_ALPHABET) == 31


# --- room URLs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("public_url", "subdomain", "base_domain", "expected"),
    [
        ("http://127.0.0.1:8000", "default", None, "http://127.0.0.1:8000"),
        ("https://meet.example.com/", "default", None, "https://meet.example.com"),
        ("https://meet.example.com//", "acme", "", "https://meet.example.com"),
        ("http://127.0.0.1:8000", "acme", "salon.example", "https://acme.salon.example"),
    ],
)
def test_organization_base_url(
    public_url: str, subdomain: str, base_domain: str | None, expected: str
) -> None:
    assert organization_base_url(public_url, subdomain, base_domain) == expected


def test_room_urls_are_the_base_url_plus_the_room_name() -> None:
    url = room_url("https://acme.salon.example", RoomName("/your-url-c4jx6g"))
    assert url == "https://acme.salon.example/your-url-c4jx6g"
    assert keyed_room_url(url, "eyJ.a.b") == (
        "https://acme.salon.example/your-url-c4jx6g?roomKey=eyJ.a.b"
    )


# --- list cursors ------------------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=10**18 - 1))
@example(0)
@example(10**18 - 1)
def test_cursors_round_trip(after_id: int) -> None:
    cursor = encode_cursor(after_id)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", cursor)
    assert decode_cursor(cursor) == after_id


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "garbage!",
        "é",
        "8f4031bfc7640c5f267b11b6fe0c2507",
        "a",  # not a whole base64 quantum
        _b64("after:"),
        _b64("after:-5"),
        _b64("after:+5"),
        _b64("after: 5"),
        _b64("after:5x"),
        _b64("after:1.5"),
        _b64("before:5"),
        _b64("AFTER:5"),
        _b64("5"),
        _b64("after:" + "9" * 19),
        encode_cursor(10**18),
        encode_cursor(-1),
        _b64("after:٣"),
        base64.urlsafe_b64encode(b"after:\xff").decode(),
    ],
)
def test_decode_cursor_rejects_what_salon_did_not_issue(cursor: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        decode_cursor(cursor)
    assert caught.value.message == CURSOR_MESSAGE


@given(st.text())
def test_decode_cursor_only_ever_refuses_with_invalid_input(cursor: str) -> None:
    try:
        after_id = decode_cursor(cursor)
    except InvalidInput as error:
        message = error.message
    else:
        assert 0 <= after_id < 10**18
        return
    assert message == CURSOR_MESSAGE
