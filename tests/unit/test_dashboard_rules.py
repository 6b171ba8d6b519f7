"""The dashboard's pure rules: passwords, tokens, roles, the sign-in throttle, e-mail addresses,
the meeting form, HTML escaping in templates, and the role someone joins a room with."""

import pytest
from markupsafe import Markup

from helpers import FakeClock
from salon.accounts.model import AccountRole, check_email, check_role
from salon.accounts.passwords import (
    MIN_LENGTH,
    check_password,
    hash_password,
    is_argon2id,
    password_matches,
)
from salon.accounts.throttle import (
    PACE_MS,
    PER_CLIENT,
    PER_PAIR,
    SLOWDOWN_AFTER,
    WINDOW_MS,
    SignInThrottle,
)
from salon.accounts.tokens import csrf_matches, csrf_token, new_token, token_digest
from salon.dashboard.html import duration, file_size, query_value, sentence, since, when
from salon.dashboard.meeting_form import meeting_request
from salon.dashboard.permissions import Area, areas_of, may_use
from salon.dashboard.render import ENVIRONMENT
from salon.errors import InvalidInput
from salon.ids import OrgId
from salon.meetings.model import RoomMode, RoomNamePattern, RoomRole, parse_date_time
from salon.rooms.state import HOST_ROLES, SignedInMember, entry_role

SECRET = b"k" * 32


def test_passwords_are_argon2id_and_checked() -> None:
    stored = hash_password("correct horse battery")
    assert is_argon2id(stored)
    assert password_matches("correct horse battery", stored)
    assert not password_matches("correct horse batterY", stored)
    assert not password_matches("correct horse battery", None)
    assert not password_matches("anything", "not a hash")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", f"use at least {MIN_LENGTH} characters"),
        ("a" * 257, "use at most 256 characters"),
        ("x" * 12, "use more than one distinct character"),
        ("Ada@Example.com", "the password must not be your e-mail address"),
    ],
)
def test_the_password_policy(password: str, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_password(password, "ada@example.com")
    assert refused.value.message == message


def test_a_long_phrase_with_spaces_passes() -> None:
    assert check_password("  four words with spaces ", "ada@example.com")


def test_csrf_tokens_are_bound_to_their_session() -> None:
    session = new_token()
    token = csrf_token(SECRET, session)
    assert csrf_matches(SECRET, session, token)
    assert not csrf_matches(SECRET, new_token(), token)
    assert not csrf_matches(b"other" * 8, session, token)
    assert not csrf_matches(SECRET, session, None)
    assert not csrf_matches(SECRET, "", csrf_token(SECRET, ""))
    assert not csrf_matches(
        SECRET, session, token[:-1] + "0" if token[-1] != "0" else token[:-1] + "1"
    )


def test_tokens_are_random_and_stored_as_digests() -> None:
    first, second = new_token(), new_token()
    assert first != second
    assert len(first) >= 43
    assert len(token_digest(first)) == 64
    assert token_digest(first) != first


def test_members_reach_meetings_and_live_rooms_only() -> None:
    assert areas_of(AccountRole.OWNER) == list(Area)
    assert areas_of(AccountRole.MEMBER) == [Area.MEETINGS, Area.LIVE]
    for area in (Area.KEYS, Area.DOMAINS, Area.WEBHOOKS, Area.MEMBERS):
        assert not may_use(AccountRole.MEMBER, area)


def fail(throttle: SignInThrottle, account: str, client: str) -> None:
    attempt = throttle.reserve(account, client)
    assert attempt.wait_ms == 0
    attempt.failed()


def test_the_throttle_stops_one_account_from_one_client_only() -> None:
    clock = FakeClock(1_000_000)
    throttle = SignInThrottle(clock)
    for _ in range(PER_PAIR):
        fail(throttle, "ada@example.com", "1.2.3.4")
    assert throttle.reserve("ada@example.com", "1.2.3.4").wait_ms == WINDOW_MS
    # The owner elsewhere, and the other accounts from the same place, are not locked out.
    assert throttle.reserve("ada@example.com", "5.6.7.8").wait_ms == 0
    assert throttle.reserve("bob@example.com", "1.2.3.4").wait_ms == 0
    clock.advance(WINDOW_MS)
    assert throttle.reserve("ada@example.com", "1.2.3.4").wait_ms == 0


def test_attempts_being_checked_count_against_the_limit() -> None:
    throttle = SignInThrottle(FakeClock(0))
    attempts = [throttle.reserve("ada@example.com", "1.2.3.4") for _ in range(30)]
    assert sum(attempt.wait_ms == 0 for attempt in attempts) == PER_PAIR
    for attempt in attempts:
        attempt.failed()
    assert throttle.reserve("ada@example.com", "1.2.3.4").wait_ms == WINDOW_MS


def test_one_client_cannot_try_many_accounts() -> None:
    throttle = SignInThrottle(FakeClock(0))
    for n in range(PER_CLIENT):
        fail(throttle, f"person{n}@example.com", "1.2.3.4")
    assert throttle.reserve("new@example.com", "1.2.3.4").wait_ms > 0
    assert throttle.reserve("new@example.com", "9.9.9.9").wait_ms == 0


def test_many_clients_slow_an_account_down_without_locking_its_owner_out() -> None:
    clock = FakeClock(0)
    throttle = SignInThrottle(clock)
    strangers = [f"10.0.0.{n}" for n in range(SLOWDOWN_AFTER + 5)]
    for stranger in strangers:
        fail(throttle, "ada@example.com", stranger)
    # A client with recent failures is paced on this account...
    first = throttle.reserve("ada@example.com", strangers[0])
    assert first.wait_ms == 0
    first.failed()
    assert 0 < throttle.reserve("ada@example.com", strangers[1]).wait_ms <= PACE_MS
    clock.advance(PACE_MS)
    assert throttle.reserve("ada@example.com", strangers[1]).wait_ms == 0
    # ...while a client with none is not: the owner still signs in.
    for _ in range(3):
        owner = throttle.reserve("ada@example.com", "192.0.2.1")
        assert owner.wait_ms == 0
        owner.succeeded()


def test_a_success_clears_the_count_of_its_account_and_client() -> None:
    throttle = SignInThrottle(FakeClock(0))
    for _ in range(PER_PAIR - 1):
        fail(throttle, "ada@example.com", "1.2.3.4")
    throttle.reserve("ada@example.com", "1.2.3.4").succeeded()
    fail(throttle, "ada@example.com", "1.2.3.4")
    assert throttle.reserve("ada@example.com", "1.2.3.4").wait_ms == 0


def test_email_addresses() -> None:
    assert check_email("  Ada@Example.COM ") == "ada@example.com"
    for bad in ("", "ada", "ada@", "@example.com", "ada@example", "a b@example.com"):
        with pytest.raises(InvalidInput):
            check_email(bad)
    assert check_role(" Owner ") is AccountRole.OWNER
    with pytest.raises(InvalidInput, match="owner or member"):
        check_role("admin")


def test_templates_escape_everything_but_markup() -> None:
    template = ENVIRONMENT.from_string("<p title={{ t }}>{{ body }}</p>{{ inner }}")
    page = template.render(t='"x"', body="<script>alert(1)</script>", inner=Markup("<b>ok</b>"))
    assert page == "<p title=&#34;x&#34;>&lt;script&gt;alert(1)&lt;/script&gt;</p><b>ok</b>"


def test_the_filters_templates_show_values_with() -> None:
    assert when(None) == "never"
    assert when(1_772_366_400_000) == (
        '<time datetime="2026-03-01T12:00:00Z" title="2026-03-01T12:00:00Z">'
        "01 Mar 2026, 12:00 UTC</time>"
    )
    assert sentence("use at least 10 characters") == "Use at least 10 characters."
    assert sentence("Why?") == "Why?"
    assert query_value("https://a.example.com/x?y") == "https%3A%2F%2Fa.example.com%2Fx%3Fy"
    assert [duration(ms) for ms in (-5, 59_999, 180_000, 3_725_000)] == [
        "0 s",
        "59 s",
        "3 min 0 s",
        "1 h 2 min",
    ]
    assert [file_size(n) for n in (0, 1, 999_999, 2_500_000)] == [
        "0 kB",
        "1 kB",
        "1000 kB",
        "2.5 MB",
    ]


def test_since_reads_as_people_say_it() -> None:
    assert since(0, 59_000) == "just now"
    assert since(0, 5 * 60_000) == "5 min"
    assert since(0, 125 * 60_000) == "2 h 5 min"
    assert since(10_000, 0) == "just now"


def test_the_meeting_form_becomes_the_api_request() -> None:
    made, errors = meeting_request(
        {
            "endDate": "2099-01-01T10:00",
            "startDate": "",
            "roomNamePrefix": " Team ",
            "roomMode": "group",
            "roomNamePattern": "human-short",
        },
        {"isLocked"},
    )
    assert errors == {}
    assert made is not None
    assert made.end_ms == parse_date_time("endDate", "2099-01-01T10:00:00Z")
    assert made.start_ms is None
    assert made.room_name_prefix == "team"
    assert made.room_mode is RoomMode.GROUP
    assert made.room_name_pattern is RoomNamePattern.HUMAN_SHORT
    assert made.is_locked
    assert not made.viewer_mode


def test_the_meeting_form_names_each_bad_field() -> None:
    made, errors = meeting_request(
        {
            "endDate": "",
            "startDate": "tomorrow",
            "roomNamePrefix": "a/b",
            "roomMode": "big",
            "roomNamePattern": "x",
        },
        set(),
    )
    assert made is None
    assert errors == {
        "endDate": "choose when the meeting ends",
        "startDate": "startDate must be an ISO 8601 date-time such as 2021-08-11T07:56:01-05:00",
        "roomNamePrefix": "roomNamePrefix may contain only letters a-z, digits 0-9 and hyphens",
        "roomMode": "the room mode is normal or group",
        "roomNamePattern": "the room name pattern is uuid or human-short",
    }


def test_an_account_of_the_rooms_organization_wins_over_a_room_key() -> None:
    mine, theirs = OrgId(1), OrgId(2)
    owner = SignedInMember(mine, RoomRole.OWNER)
    assert entry_role(RoomRole.VISITOR, owner, mine) is RoomRole.OWNER
    assert (
        entry_role(RoomRole.VIEWER, SignedInMember(mine, RoomRole.MEMBER), mine) is RoomRole.MEMBER
    )
    assert entry_role(RoomRole.VISITOR, owner, theirs) is RoomRole.VISITOR
    assert entry_role(RoomRole.HOST, None, mine) is RoomRole.HOST
    assert {RoomRole.OWNER, RoomRole.MEMBER, RoomRole.HOST} == HOST_ROLES
