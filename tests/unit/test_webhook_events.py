"""The exact bodies Salon sends, the event catalogue, URL rules and the retry policy. Pure.

Bodies are compact JSON in the key order of Whereby's example event (docs/whereby-compatibility.md,
"Webhooks"), so that a
receiver that re-serialises the parsed body (Whereby's Node sample) gets the signed bytes back.
"""

import json
import re

import pytest

from salon.config import Settings
from salon.errors import InvalidInput
from salon.ids import MeetingId, OrgId, ParticipantId, RoomName, RoomSessionId
from salon.meetings.model import Meeting, RoomMode, RoomRole, TimeWindow, parse_date_time
from salon.rooms.events import LeaveReason, RoomEvent, RoomEventType
from salon.rooms.state import Knocker, Participant
from salon.webhooks.events import (
    API_VERSION,
    EVENT_TYPES,
    check_event_types,
    envelope,
    event_id,
    should_send,
)
from salon.webhooks.model import Outcome, RetryPolicy, check_url

EXAMPLE_ID = "d7c4df48b85318352b47d2df45872bf9be87595af379e2a8ad8f1ad28b2a482e"
EXAMPLE_AT = parse_date_time("createdAt", "2021-01-21T16:29:59.681Z")
ROOM = RoomName("/af0b7b66-c738-4981-887a-ad416754f32d")
MEETING = Meeting(MeetingId("134"), OrgId(1), ROOM, RoomMode.NORMAL, False,
                  EXAMPLE_AT, EXAMPLE_AT + 3_600_000, EXAMPLE_AT, "{}")  # fmt: skip
JOE = Participant(ParticipantId("p-1"), "Joe Bloggs", RoomRole.HOST, EXAMPLE_AT,
                  external_id="<custom-id>", metadata="<custom-metadata>")  # fmt: skip
SESSION = RoomSessionId("s-1")
OWN = Settings(public_url="https://meet.example.test", host="127.0.0.1", port=8000).own_origins


def client_event(kind: RoomEventType, person: Participant = JOE, at: int = EXAMPLE_AT) -> bytes:
    event = RoomEvent(kind, MEETING, at, SESSION, participant=person,
                      count_by_role={"host": 1, "visitor": 7}, reason=LeaveReason.LEFT)  # fmt: skip
    return envelope(event, "JoeBloggsInc", EXAMPLE_ID)


def data_of(body: bytes) -> dict[str, object]:
    data: dict[str, object] = json.loads(body)["data"]
    return data


def test_a_join_is_whereby_s_example_byte_for_byte_then_salons_extra_fields() -> None:
    assert (
        client_event(RoomEventType.CLIENT_JOINED)
        == (
            '{"id":"' + EXAMPLE_ID + '","apiVersion":"1.0","createdAt":"2021-01-21T16:29:59.681Z",'
            '"type":"room.client.joined","data":{"roleName":"host","displayName":"Joe Bloggs",'
            '"meetingId":"134","roomName":"/af0b7b66-c738-4981-887a-ad416754f32d",'
            '"subdomain":"JoeBloggsInc","numClients":8,"numClientsByRoleName":{"host":1,"visitor":7},'
            '"metadata":"<custom-metadata>","externalId":"<custom-id>","participantId":"p-1",'
            '"roomSessionId":"s-1","isDialIn":false}}'
        ).encode()
    )


def test_a_leave_carries_the_same_fields_as_a_join() -> None:
    joined, left = (
        client_event(k) for k in (RoomEventType.CLIENT_JOINED, RoomEventType.CLIENT_LEFT)
    )
    assert json.loads(left)["type"] == "room.client.left"
    assert list(data_of(left)) == list(data_of(joined))
    assert data_of(left) == data_of(joined)


@pytest.mark.parametrize("kind", [RoomEventType.CLIENT_KNOCKED, RoomEventType.KNOCK_CANCELLED])
def test_knock_events_name_the_knocker_but_no_role_or_counts(kind: RoomEventType) -> None:
    knocker = Knocker(ParticipantId("k-1"), "Kim", EXAMPLE_AT, external_id="x-9", metadata=None)
    body = envelope(RoomEvent(kind, MEETING, EXAMPLE_AT, None, knocker=knocker), "acme", "e" * 64)
    event = json.loads(body)
    assert event["type"] == kind.value
    assert event["data"] == {
        "displayName": "Kim", "meetingId": "134", "roomName": ROOM, "subdomain": "acme",
        "participantId": "k-1", "roomSessionId": None, "metadata": None, "externalId": "x-9",
    }  # fmt: skip


@pytest.mark.parametrize("kind", [RoomEventType.SESSION_STARTED, RoomEventType.SESSION_ENDED])
def test_session_events_carry_the_common_fields_and_the_session(kind: RoomEventType) -> None:
    body = envelope(RoomEvent(kind, MEETING, EXAMPLE_AT, SESSION), "acme", "f" * 64)
    assert json.loads(body) == {
        "id": "f" * 64, "apiVersion": "1.0", "createdAt": "2021-01-21T16:29:59.681Z",
        "type": kind.value,
        "data": {"meetingId": "134", "roomName": ROOM, "subdomain": "acme", "roomSessionId": "s-1"},
    }  # fmt: skip


@pytest.mark.parametrize(
    ("at", "text"),
    [(0, "1970-01-01T00:00:00.000Z"), (EXAMPLE_AT + 324, "2021-01-21T16:30:00.005Z"),
     (parse_date_time("x", "2099-12-31T23:59:59.999Z"), "2099-12-31T23:59:59.999Z")],
)  # fmt: skip
def test_created_at_is_utc_with_milliseconds_and_z(at: int, text: str) -> None:
    assert json.loads(client_event(RoomEventType.CLIENT_JOINED, at=at))["createdAt"] == text


TRICKY = [
    'quote " backslash \\ slash / <script>',
    "Åsa Ødegård — 日本語 🎥",
    "line\nbreak\ttab\r\x01\x1f\x7f",
    "separators \u2028 \u2029",
    "",
]


@pytest.mark.parametrize("text", TRICKY)
def test_bodies_are_compact_and_survive_parse_and_reserialise(text: str) -> None:
    person = Participant(ParticipantId("p"), "Name", RoomRole.VISITOR, 0, metadata=text)
    body = client_event(RoomEventType.CLIENT_JOINED, person)
    parsed = json.loads(body)
    assert parsed["data"]["metadata"] == text
    assert json.dumps(parsed, separators=(",", ":"), ensure_ascii=False).encode() == body
    outside_strings = re.sub(rb'"(?:[^"\\]|\\.)*"', b"", body)
    assert not re.search(rb"\s", outside_strings)
    if not text.isascii():
        assert text.encode() in body, "non-ASCII is sent as UTF-8, as JSON.stringify does"


def test_metadata_with_a_lone_surrogate_still_makes_a_valid_utf8_body() -> None:
    """`metadata` is any JSON string a client sends, and JSON can carry "\\ud800"; the body must
    still be UTF-8 that parses back to the same value (JSON.stringify writes it escaped)."""
    person = Participant(ParticipantId("p"), "Sly", RoomRole.VISITOR, 0, metadata="a\ud800b")
    body = client_event(RoomEventType.CLIENT_JOINED, person)
    body.decode("utf-8")
    assert json.loads(body)["data"]["metadata"] == "a\ud800b"
    assert b'"a\\ud800b"' in body


def test_event_ids_are_64_lowercase_hex_and_unique() -> None:
    ids = {event_id() for _ in range(2000)}
    assert len(ids) == 2000
    assert all(re.fullmatch(r"[0-9a-f]{64}", identifier) for identifier in ids)
    assert API_VERSION == "1.0"


def test_the_catalogue_holds_the_room_recording_and_transcription_event_types_exactly() -> None:
    assert EVENT_TYPES == (
        "room.client.joined", "room.client.left", "room.client.knocked",
        "room.client.knockCancelled", "room.session.started", "room.session.ended",
        "recording.finished", "recording.failed",
        "transcription.started", "transcription.finished", "transcription.failed",
    )  # fmt: skip


def test_event_filters_keep_order_and_drop_repeats() -> None:
    chosen = ["room.session.ended", "room.client.joined", "room.session.ended"]
    assert check_event_types(chosen) == ["room.session.ended", "room.client.joined"]


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["room.client.joined", "room.client.boom"], "unknown event type 'room.client.boom'"),
        (["room.client.knockcancelled"], "unknown event type 'room.client.knockcancelled'"),
        (["ROOM.CLIENT.JOINED"], "unknown event type"),
        ([" room.client.joined"], "unknown event type"),
        ([""], "unknown event type"),
        ([], "at least one event type"),
    ],
)  # fmt: skip
def test_unknown_or_no_event_types_are_refused_clearly(names: list[str], message: str) -> None:
    with pytest.raises(InvalidInput, match=re.escape(message)):
        check_event_types(names)


def test_events_are_sent_only_inside_the_time_window_edges_included() -> None:
    window = TimeWindow.of(10 * 3_600_000, 12 * 3_600_000)
    inside = [9 * 3_600_000, 11 * 3_600_000, 13 * 3_600_000]
    outside = [9 * 3_600_000 - 1, 13 * 3_600_000 + 1, 0]
    for at, expected in [*((a, True) for a in inside), *((a, False) for a in outside)]:
        event = RoomEvent(RoomEventType.SESSION_STARTED, MEETING, at, None)
        assert should_send(event, window) is expected, at


@pytest.mark.parametrize(
    "url",
    ["https://example.com/hooks/salon", "http://127.0.0.1:9999/x", "https://example.com:8443/a?b=c",
     "http://localhost:8001/", "https://meet.example.test:8443/other-port", "HTTPS://Example.COM/"],
)  # fmt: skip
def test_absolute_http_urls_elsewhere_are_accepted(url: str) -> None:
    assert check_url(url, OWN) == url
    assert check_url(f"  {url}\n", OWN) == url


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/x", "url must start with http:// or https://"),
        ("javascript:alert(1)", "url must start with http:// or https://"),
        ("example.com/hook", "url must start with http:// or https://"),
        ("", "url must start with http:// or https://"),
        ("https://", "url is not a valid URL"),
        ("https:///path-only", "url is not a valid URL"),
        ("https://exa mple.com/", "url is not a valid URL"),
        ("http://example.com:99999/", "url is not a valid URL"),
        ("http://[::1/", "url is not a valid URL"),
        ("https://example.com/" + "a" * 1981, "url must be at most 2000 characters"),
        ("https://meet.example.test/hooks", "url must not point at this Salon server"),
        ("https://MEET.example.test:443/x", "url must not point at this Salon server"),
        ("http://127.0.0.1:8000/v1/meetings", "url must not point at this Salon server"),
        ("http://localhost:8000/", "url must not point at this Salon server"),
    ],
)
def test_bad_urls_are_refused_with_a_clear_message(url: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=re.escape(message)):
        check_url(url, OWN)


@pytest.mark.parametrize(
    "url",
    [
        "http://0.0.0.0:8000/x",  # Linux delivers a connection to 0.0.0.0 to the local host
        "http://127.1:8000/x",  # inet_aton's short form of 127.0.0.1
        "https://meet.example.test./x",  # the fully qualified form of the public host
        "http://[::ffff:127.0.0.1]:8000/x",  # IPv4-mapped IPv6 loopback
        "http://[::1]:8000/x",
    ],
)
def test_other_spellings_of_this_servers_address_are_refused(url: str) -> None:
    with pytest.raises(InvalidInput, match="must not point at this Salon server"):
        check_url(url, OWN)


def test_the_default_retry_policy_is_the_documented_one() -> None:
    policy = RetryPolicy()
    assert (policy.retries, policy.timeout_s) == (2, 5.0)
    assert [policy.retries_left(n) for n in (1, 2, 3)] == [True, True, False]
    assert RetryPolicy(retries=0).retries_left(1) is False


def test_backoff_doubles_and_jitter_stays_within_its_spread() -> None:
    exact = RetryPolicy(base_delay_ms=100, jitter=0.0)
    assert [exact.delay_ms(n) for n in (1, 2, 3, 4)] == [100, 200, 400, 800]
    spread = RetryPolicy(base_delay_ms=1000, jitter=0.2)
    first = [spread.delay_ms(1) for _ in range(300)]
    second = [spread.delay_ms(2) for _ in range(300)]
    assert all(800 <= d <= 1200 for d in first)
    assert all(1600 <= d <= 2400 for d in second)
    assert len(set(first)) > 10, "no jitter"


def test_which_outcomes_are_delivered_final_or_retried() -> None:
    for status in (200, 201, 204, 299):
        assert Outcome(status, 1).delivered
    for failed in (None, 500, 502, 503, 599):
        assert Outcome(failed, 1, "x").retryable
        assert not Outcome(failed, 1, "x").delivered
    for final in (199, 301, 307, 400, 401, 404, 410, 429):
        assert not Outcome(final, 1, "x").retryable
        assert not Outcome(final, 1, "x").delivered
