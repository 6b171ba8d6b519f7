"""`Whereby-Signature`: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">` with the endpoint's
secret (docs/whereby-compatibility.md, "Webhooks"; developer guide, "Validating events").

Known answers were computed with `openssl dgst -sha256 -hmac`, not with the code under test.
"""

import hashlib
import hmac
import re
import time

import pytest

from salon.webhooks import HEADER, InvalidSignature, sign, verify

SECRET = "whsec_test-secret"
T = 1606227791
BODY = b'{"id":"d7c4","apiVersion":"1.0"}'
BODY_DIGEST = "f358d2aceefa78a10ccaf64fdf368a541087ab3fe366a8a5397a4289d9fcfc85"
UTF8_BODY = '{"id":"d7c4","apiVersion":"1.0","note":"Åsa"}'.encode()
UTF8_DIGEST = "da7fcb5c07e737d56b152cd3429ce0aa29e2b6c89e957c83d0b261e3ce7d2e76"
FORMAT = re.compile(r"t=[0-9]+,v1=[0-9a-f]{64}")


def test_the_header_is_named_as_whereby_names_it() -> None:
    assert HEADER == "Whereby-Signature"


@pytest.mark.parametrize(("body", "digest"), [(BODY, BODY_DIGEST), (UTF8_BODY, UTF8_DIGEST)])
def test_sign_gives_the_known_answer_over_the_exact_bytes(body: bytes, digest: str) -> None:
    assert sign(body, SECRET, T) == f"t={T},v1={digest}"


def test_the_header_reads_t_then_v1_in_lowercase_hex() -> None:
    for timestamp in (0, 7, T, 4102444800):
        header = sign(BODY, "another secret", timestamp)
        assert FORMAT.fullmatch(header), header
        assert header.startswith(f"t={timestamp},")


def test_the_developer_guide_procedure_accepts_what_sign_produces() -> None:
    """Steps 1-4 of "Validating events", written out as a receiver would."""
    header = sign(UTF8_BODY, SECRET, T)
    timestamp, signature = (part.split("=", 1)[1] for part in header.split(","))
    signed_payload = timestamp.encode() + b"." + UTF8_BODY
    expected = hmac.new(SECRET.encode(), signed_payload, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, signature)


def test_verify_returns_the_timestamp_of_a_genuine_delivery() -> None:
    header = sign(BODY, SECRET, T)
    assert verify(BODY, header, SECRET, now=T + 10) == T
    assert verify(BODY.decode(), header, SECRET, now=T - 10) == T
    assert verify(UTF8_BODY.decode(), sign(UTF8_BODY, SECRET, T), SECRET, now=T) == T


@pytest.mark.parametrize(
    "forged",
    [
        b'{"id":"d7c5","apiVersion":"1.0"}',  # one character changed
        b'{"id": "d7c4", "apiVersion": "1.0"}',  # same JSON, other bytes
        b'{"apiVersion":"1.0","id":"d7c4"}',  # keys reordered
        BODY + b"\n",
        b"",
    ],
)
def test_verify_refuses_a_body_that_is_not_the_signed_bytes(forged: bytes) -> None:
    with pytest.raises(InvalidSignature, match="does not match"):
        verify(forged, sign(BODY, SECRET, T), SECRET, now=T)


def test_verify_refuses_the_wrong_secret() -> None:
    with pytest.raises(InvalidSignature, match="does not match"):
        verify(BODY, sign(BODY, SECRET, T), SECRET + "x", now=T)
    with pytest.raises(InvalidSignature):
        verify(BODY, sign(BODY, "whsec_other", T), SECRET, now=T)


def test_verify_refuses_a_timestamp_moved_without_resigning() -> None:
    """A replayer cannot refresh an old delivery's timestamp: it is part of what is signed."""
    old = sign(BODY, SECRET, T)
    moved = old.replace(f"t={T}", f"t={T + 3600}")
    with pytest.raises(InvalidSignature, match="does not match"):
        verify(BODY, moved, SECRET, now=T + 3600)


def test_verify_refuses_a_signature_in_other_case_or_cut_short() -> None:
    header = sign(BODY, SECRET, T)
    digest = header.split("v1=")[1]
    for wrong in (digest.upper(), digest[:-1], digest + "0", "0" * 64):
        with pytest.raises(InvalidSignature):
            verify(BODY, f"t={T},v1={wrong}", SECRET, now=T)


@pytest.mark.parametrize(
    "header",
    [
        "",
        "garbage",
        f"t={T}",
        f"v1={BODY_DIGEST}",
        f"t=,v1={BODY_DIGEST}",
        f"t={T},v1=",
        f"t=abc,v1={BODY_DIGEST}",
        f"t=-{T},v1={BODY_DIGEST}",
        f"t={T}.5,v1={BODY_DIGEST}",
        f"t=²,v1={BODY_DIGEST}",  # a character str.isdigit() accepts and int() does not
        f"t=٣,v1={BODY_DIGEST}",  # an Arabic-Indic digit
        f"{T},{BODY_DIGEST}",
    ],
)
def test_verify_refuses_a_malformed_header_with_invalid_signature_only(header: str) -> None:
    with pytest.raises(InvalidSignature):
        verify(BODY, header, SECRET, now=T)


def test_verify_refuses_stale_and_future_timestamps_beyond_the_tolerance() -> None:
    header = sign(BODY, SECRET, T)
    assert verify(BODY, header, SECRET, tolerance=60, now=T + 60) == T
    assert verify(BODY, header, SECRET, tolerance=60, now=T - 60) == T
    for now in (T + 61, T - 61, T + 86_400):
        with pytest.raises(InvalidSignature, match="tolerance"):
            verify(BODY, header, SECRET, tolerance=60, now=now)


def test_the_default_tolerance_is_five_minutes_and_zero_turns_it_off() -> None:
    header = sign(BODY, SECRET, T)
    assert verify(BODY, header, SECRET, now=T + 300) == T
    with pytest.raises(InvalidSignature):
        verify(BODY, header, SECRET, now=T + 301)
    assert verify(BODY, header, SECRET, tolerance=0, now=T + 10**9) == T


def test_verify_against_the_real_clock_accepts_a_fresh_signature_only() -> None:
    now = int(time.time())
    assert verify(BODY, sign(BODY, SECRET, now), SECRET) == now
    with pytest.raises(InvalidSignature):
        verify(BODY, sign(BODY, SECRET, now - 3600), SECRET)
