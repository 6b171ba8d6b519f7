"""The signaling protocol's two pure rules beside parsing (docs/signaling-protocol.md): a viewer's
session description must not offer to send media, and flood control is a token bucket of 50
messages per second with bursts of 100, closing after 500 refusals in a row."""

import json

import pytest

from salon.rooms.errors import RoomErrorCode
from salon.rooms.sdp import has_forbidden_characters, lines, receive_only
from salon.signaling import protocol as p
from salon.signaling.flood import BURST, RATE_PER_S, REFUSALS_BEFORE_CLOSE, TokenBucket
from salon.signaling.sfu_messages import parse_sfu

# --- the viewer rule on session descriptions --------------------------------------------------


def sdp(*lines: str) -> str:
    return "\r\n".join(lines) + "\r\n"


SESSION = ("v=0", "o=- 4611731400430051336 2 IN IP4 127.0.0.1", "s=-", "t=0 0")


def section(kind: str, port: int, mid: int, direction: str | None) -> tuple[str, ...]:
    proto = "UDP/DTLS/SCTP webrtc-datachannel" if kind == "application" else "UDP/TLS/RTP/SAVPF"
    payloads = "" if kind == "application" else (" 111 63" if kind == "audio" else " 96 97")
    lines = [
        f"m={kind} {port} {proto}{payloads}",
        "c=IN IP4 0.0.0.0",
        "a=ice-ufrag:Xk4q",
        "a=ice-pwd:9d8e7f6a5b4c3d2e1f0a9b8c",
        "a=fingerprint:sha-256 8B:2F:1A:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF",
        "a=setup:actpass",
        f"a=mid:{mid}",
    ]
    if direction is not None:
        lines.append(f"a={direction}")
    if kind != "application":
        lines += ["a=msid:stream track", "a=rtcp-mux", "a=rtpmap:111 opus/48000/2"]
    else:
        lines.append("a=sctp-port:5000")
    return tuple(lines)


CHROME_OFFER = sdp(
    *SESSION,
    "a=group:BUNDLE 0 1",
    "a=extmap-allow-mixed",
    "a=msid-semantic: WMS stream",
    *section("audio", 9, 0, "sendrecv"),
    *section("video", 9, 1, "sendrecv"),
)


@pytest.mark.parametrize(
    ("description", "sends"),
    [
        (CHROME_OFFER, True),
        (
            sdp(*SESSION, *section("audio", 9, 0, "recvonly"), *section("video", 9, 1, "recvonly")),
            False,
        ),
        (
            sdp(*SESSION, *section("audio", 9, 0, "inactive"), *section("video", 9, 1, "inactive")),
            False,
        ),
        (
            sdp(*SESSION, *section("audio", 9, 0, "recvonly"), *section("video", 9, 1, "sendonly")),
            True,
        ),
        (
            sdp(*SESSION, *section("audio", 0, 0, "sendrecv"), *section("video", 0, 1, "sendonly")),
            False,
        ),
        (sdp(*SESSION, *section("audio", 9, 0, None)), True),  # no direction: sendrecv
        (
            sdp(
                *SESSION, "a=recvonly", *section("audio", 9, 0, None), *section("video", 9, 1, None)
            ),
            False,
        ),
        (sdp(*SESSION, "a=sendonly", *section("video", 9, 0, None)), True),
        (sdp(*SESSION, "a=inactive", *section("video", 9, 0, "sendrecv")), True),
        (sdp(*SESSION, "a=sendrecv", *section("video", 9, 0, "recvonly")), False),
        (sdp(*SESSION, *section("application", 9, 0, None)), False),
        (sdp(*SESSION, "a=sendrecv", *section("application", 9, 0, "sendrecv")), False),
        (CHROME_OFFER.replace("\r\n", "\n"), True),
        ("", False),
        # Firefox, max-bundle: the later sections are bundled (port 0 + bundle-only), not rejected
        (
            sdp(
                *SESSION,
                "a=group:BUNDLE 0 1",
                *section("audio", 9, 0, "recvonly"),
                *section("video", 0, 1, "sendrecv"),
                "a=bundle-only",
            ),
            True,
        ),
    ],
    ids=[
        "chrome-offer-sendrecv",
        "recvonly-answer",
        "inactive",
        "one-sendonly-section",
        "rejected-port-0",
        "default-direction",
        "session-recvonly",
        "session-sendonly",
        "media-overrides-session-to-send",
        "media-overrides-session-to-receive",
        "datachannel-only",
        "datachannel-sendrecv",
        "lf-line-endings",
        "empty",
        "bundle-only",
    ],
)
def test_offers_to_send(description: str, sends: bool) -> None:
    assert p.offers_to_send(description) is sends


# --- smuggling: only CRLF/LF end a line; other control characters are refused -------------------

RECEIVING = sdp(*SESSION, *section("audio", 9, 0, "recvonly"), *section("video", 9, 1, "recvonly"))
HIDDEN_BREAKS = ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029", "\r", "\x00"]


def smuggle(hidden: str) -> str:
    """A receive-only description with `a=sendrecv` behind `hidden` in the video section."""
    return RECEIVING.replace("a=mid:1\r\n", f"a=mid:1\r\na=x{hidden}a=sendrecv\r\n")


@pytest.mark.parametrize("hidden", HIDDEN_BREAKS, ids=[hex(ord(c)) for c in HIDDEN_BREAKS])
def test_a_send_hidden_behind_another_line_break_is_seen(hidden: str) -> None:
    """`str.splitlines` breaks at these too; a browser reads `a=x<char>a=sendrecv` as one line."""
    assert has_forbidden_characters(smuggle(hidden))
    assert p.offers_to_send(smuggle(hidden)) is True
    assert receive_only(smuggle(hidden)) is False
    assert not has_forbidden_characters(RECEIVING)
    assert not has_forbidden_characters(RECEIVING.replace("\r\n", "\n"))


def test_lines_split_on_crlf_and_lf_only() -> None:
    assert lines("a=x\r\nb=y\nc=\x85z\u2028w\r\n") == ["a=x", "b=y", "c=\x85z\u2028w"]


@pytest.mark.parametrize("hidden", HIDDEN_BREAKS, ids=[hex(ord(c)) for c in HIDDEN_BREAKS])
def test_the_protocol_refuses_descriptions_with_control_characters(hidden: str) -> None:
    frame = {"type": "signal", "to": "p1", "description": {"type": "offer", "sdp": smuggle(hidden)}}
    with pytest.raises(p.ProtocolError) as refused:
        p.parse(json.dumps(frame))
    assert (refused.value.code, refused.value.message) == (
        RoomErrorCode.BAD_FIELD,
        "sdp must not hold control characters other than CRLF line ends",
    )


@pytest.mark.parametrize("hidden", ["\x0b", "\x1c", "\r", "\x00"])
def test_the_sfu_messages_refuse_descriptions_with_control_characters(hidden: str) -> None:
    answer = {"type": "sfu-answer", "description": {"type": "answer", "sdp": smuggle(hidden)}}

    def bad(message: str) -> p.ProtocolError:
        return p.ProtocolError(RoomErrorCode.BAD_FIELD, message, "sfu-answer")

    with pytest.raises(p.ProtocolError) as refused:
        parse_sfu("sfu-answer", answer, bad)
    assert refused.value.message == "sdp must not hold control characters other than CRLF line ends"


@pytest.mark.parametrize(
    ("description", "allowed"),
    [
        (RECEIVING, True),
        (RECEIVING.replace("\r\n", "\n"), True),
        (
            sdp(*SESSION, *section("audio", 9, 0, "inactive"), *section("video", 9, 1, "recvonly")),
            True,
        ),
        (
            sdp(*SESSION, *section("audio", 9, 0, "recvonly"), *section("application", 9, 1, None)),
            True,
        ),
        ("", True),
        (CHROME_OFFER, False),
        # the default direction is sendrecv: a viewer must say recvonly or inactive itself
        (sdp(*SESSION, *section("audio", 9, 0, None)), False),
        (sdp(*SESSION, "a=recvonly", *section("audio", 9, 0, None)), False),
        (sdp(*SESSION, *section("audio", 0, 0, "sendrecv")), False),
    ],
    ids=[
        "recvonly",
        "lf",
        "inactive",
        "datachannel-without-direction",
        "empty",
        "sendrecv",
        "no-direction",
        "session-level-only",
        "rejected-but-sendrecv",
    ],
)
def test_a_viewer_must_say_recvonly_or_inactive_in_every_media_section(
    description: str, allowed: bool
) -> None:
    assert receive_only(description) is allowed


# --- flood control ----------------------------------------------------------------------------

T0 = 1_772_366_400_000


def test_bucket_allows_a_burst_then_refuses() -> None:
    bucket = TokenBucket()
    assert (RATE_PER_S, BURST) == (50.0, 100.0)
    assert all(bucket.take(T0) for _ in range(100))
    assert not bucket.take(T0)
    assert bucket.refused_in_a_row == 1


def test_bucket_refills_at_its_rate_and_only_up_to_the_burst() -> None:
    bucket = TokenBucket()
    for _ in range(100):
        bucket.take(T0)
    assert not bucket.take(T0 + 19)  # 0.95 of a token
    assert bucket.take(T0 + 20)  # one token: 20 ms at 50/s
    assert not bucket.take(T0 + 20)
    assert bucket.refused_in_a_row == 1
    assert sum(bucket.take(T0 + 60_000) for _ in range(150)) == 100


def test_bucket_ignores_a_clock_going_backwards() -> None:
    bucket = TokenBucket(rate_per_s=1000, burst=2, tokens=2)
    assert bucket.take(T0)
    assert bucket.take(T0)
    assert not bucket.take(T0 - 5_000)
    assert not bucket.take(T0 - 5_000)


def test_custom_rate_and_burst() -> None:
    bucket = TokenBucket(rate_per_s=10, burst=3, tokens=3)
    assert [bucket.take(T0) for _ in range(4)] == [True, True, True, False]
    assert [bucket.take(T0 + 100), bucket.take(T0 + 100)] == [True, False]


def test_flooding_after_refusals_in_a_row_and_a_success_resets_the_count() -> None:
    assert REFUSALS_BEFORE_CLOSE == 500
    bucket = TokenBucket()
    for _ in range(100):
        bucket.take(T0)
    for _ in range(REFUSALS_BEFORE_CLOSE - 1):
        assert not bucket.take(T0)
    assert not bucket.flooding
    assert bucket.take(T0 + 20)
    assert bucket.refused_in_a_row == 0
    for _ in range(REFUSALS_BEFORE_CLOSE - 1):
        bucket.take(T0 + 20)
    assert not bucket.flooding
    assert not bucket.take(T0 + 20)
    assert bucket.flooding
