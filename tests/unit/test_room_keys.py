"""Room keys: compact HS256 JWTs naming one meeting and one role (docs/whereby-compatibility.md,
"Room URLs")."""

import base64
import hashlib
import hmac
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salon.ids import MeetingId
from salon.meetings.model import KEY_ROLES, RoomRole
from salon.meetings.roomkey import RoomKeyClaims, issue_room_key, read_room_key

SECRET = b"room-key-secret-for-tests-0123456789"
OTHER_SECRET = b"another-server-s-room-key-secret"
MEETING = MeetingId("107585562")


def _b64decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _segment(value: Any) -> str:
    return _b64encode(json.dumps(value, separators=(",", ":")).encode())


def _sign(header: str, payload: str, secret: bytes = SECRET) -> str:
    """A token signed the way any HS256 JWT library signs it."""
    mac = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64encode(mac)}"


HEADER = _segment({"alg": "HS256", "typ": "JWT"})


# --- issuing -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [RoomRole.HOST, RoomRole.VIEWER])
def test_a_room_key_is_an_hs256_jwt_naming_the_meeting_and_role(role: RoomRole) -> None:
    token = issue_room_key(MEETING, role, SECRET)
    header, payload, signature = token.split(".")
    assert json.loads(_b64decode(header)) == {"alg": "HS256", "typ": "JWT"}
    assert json.loads(_b64decode(payload)) == {"meetingId": "107585562", "roleName": role.value}
    expected = hmac.new(SECRET, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    assert _b64decode(signature) == expected
    assert "=" not in token
    assert token.startswith("eyJ")  # what clients that sniff for a JWT look for


def test_room_keys_are_deterministic_and_distinct_per_meeting_and_role() -> None:
    host = issue_room_key(MEETING, RoomRole.HOST, SECRET)
    assert issue_room_key(MEETING, RoomRole.HOST, SECRET) == host
    others = {
        issue_room_key(MEETING, RoomRole.VIEWER, SECRET),
        issue_room_key(MeetingId("107585563"), RoomRole.HOST, SECRET),
        issue_room_key(MEETING, RoomRole.HOST, OTHER_SECRET),
    }
    assert host not in others
    assert len(others) == 3


# --- reading -----------------------------------------------------------------------------------


@given(
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=40),
    st.sampled_from(sorted(KEY_ROLES)),
)
def test_read_room_key_round_trips(meeting_id: str, role: RoomRole) -> None:
    token = issue_room_key(MeetingId(meeting_id), role, SECRET)
    assert read_room_key(token, SECRET) == RoomKeyClaims(MeetingId(meeting_id), role)


def test_read_room_key_accepts_a_key_signed_by_any_hs256_library() -> None:
    token = _sign(HEADER, _segment({"meetingId": "42", "roleName": "viewer"}))
    assert read_room_key(token, SECRET) == RoomKeyClaims(MeetingId("42"), RoomRole.VIEWER)


def test_a_key_signed_with_another_secret_grants_nothing() -> None:
    token = issue_room_key(MEETING, RoomRole.HOST, OTHER_SECRET)
    assert read_room_key(token, SECRET) is None


def test_a_viewer_key_rewritten_to_host_grants_nothing() -> None:
    header, _, signature = issue_room_key(MEETING, RoomRole.VIEWER, SECRET).split(".")
    forged_payload = _segment({"meetingId": "107585562", "roleName": "host"})
    assert read_room_key(f"{header}.{forged_payload}.{signature}", SECRET) is None


def test_a_key_moved_to_another_meeting_grants_nothing() -> None:
    header, _, signature = issue_room_key(MEETING, RoomRole.HOST, SECRET).split(".")
    forged_payload = _segment({"meetingId": "1", "roleName": "host"})
    assert read_room_key(f"{header}.{forged_payload}.{signature}", SECRET) is None


def test_an_unsigned_alg_none_key_grants_nothing() -> None:
    header = _segment({"alg": "none", "typ": "JWT"})
    payload = _segment({"meetingId": "107585562", "roleName": "host"})
    assert read_room_key(f"{header}.{payload}.", SECRET) is None


@pytest.mark.parametrize("cut", [1, 2, 10, 43])
def test_a_truncated_key_grants_nothing(cut: int) -> None:
    token = issue_room_key(MEETING, RoomRole.HOST, SECRET)
    assert read_room_key(token[:-cut], SECRET) is None


@pytest.mark.parametrize("position", [0, 1, 2])
def test_a_key_with_one_segment_altered_grants_nothing(position: int) -> None:
    parts = issue_room_key(MEETING, RoomRole.HOST, SECRET).split(".")
    parts[position] = parts[position][:-1] + ("A" if parts[position][-1] != "A" else "B")
    assert read_room_key(".".join(parts), SECRET) is None


@pytest.mark.parametrize(
    "token",
    ["", ".", "..", "...", "abc", "a.b", "a.b.c.d", "eyJhbGciOiJIU", "null", "{}"],
)
def test_malformed_keys_grant_nothing(token: str) -> None:
    assert read_room_key(token, SECRET) is None


def test_extra_segments_around_a_real_key_grant_nothing() -> None:
    token = issue_room_key(MEETING, RoomRole.HOST, SECRET)
    assert read_room_key(f"{token}.x", SECRET) is None
    assert read_room_key(f"x.{token}", SECRET) is None


@pytest.mark.parametrize(
    "junk",
    ["é.a.b", "a.é.b", "a.b.é", "日本.語.鍵", "\x00.\x00.\x00", "a.b.\udcff"],
)
def test_non_ascii_junk_grants_nothing_rather_than_failing(junk: str) -> None:
    assert read_room_key(junk, SECRET) is None


def test_non_ascii_junk_beside_a_real_signature_grants_nothing() -> None:
    header, payload, signature = issue_room_key(MEETING, RoomRole.HOST, SECRET).split(".")
    assert read_room_key(f"{header}é.{payload}.{signature}", SECRET) is None
    assert read_room_key(f"{header}.{payload}é.{signature}", SECRET) is None
    assert read_room_key(f"{header}.{payload}.{signature}é", SECRET) is None


@pytest.mark.parametrize(
    "payload",
    [
        _segment({"meetingId": "42", "roleName": "owner"}),  # not a room-key role
        _segment({"meetingId": "42", "roleName": "HOST"}),
        _segment({"meetingId": "42"}),
        _segment({"roleName": "host"}),
        _segment(["42", "host"]),
        _segment("host"),
        _segment(42),
        _segment(None),
        _b64encode(b"{not json"),
        _b64encode(b"\xff\xfe"),
        "a",  # not base64 at all
    ],
)
def test_a_signed_key_with_unusable_claims_grants_nothing(payload: str) -> None:
    assert read_room_key(_sign(HEADER, payload), SECRET) is None


@given(st.text(max_size=200))
def test_read_room_key_never_fails_on_any_text(token: str) -> None:
    assert read_room_key(token, SECRET) is None


@given(st.lists(st.text(max_size=30), min_size=3, max_size=3))
def test_read_room_key_never_fails_on_three_segments(parts: list[str]) -> None:
    assert read_room_key(".".join(parts), SECRET) is None


def test_a_key_naming_a_role_no_key_carries_is_not_read() -> None:
    token = _sign(HEADER, _segment({"meetingId": "42", "roleName": "owner"}))
    assert read_room_key(token, SECRET) is None
