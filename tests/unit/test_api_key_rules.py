"""API keys: `salon_<id>_<secret>`, stored as a SHA-256 digest of the secret only."""

import hashlib
import re

import pytest

from salon.errors import InvalidInput
from salon.ids import ApiKeyId, OrgId
from salon.keys.model import (
    ApiKey,
    NewKey,
    check_name,
    digest,
    generate_key,
    secret_matches,
    split_key,
)

KEY_SHAPE = re.compile(r"salon_([a-z0-9]{12})_([A-Za-z0-9_-]{43})")
WELL_FORMED = "salon_abcdefghij12_" + "A" * 20 + "-_" + "z" * 21


def test_generate_key_has_the_documented_shape() -> None:
    key = generate_key()
    match = KEY_SHAPE.fullmatch(key.plaintext)
    assert match is not None, key.plaintext
    assert match.group(1) == key.key_id
    assert key.display_prefix == f"salon_{key.key_id}"
    assert key.plaintext.startswith(key.display_prefix + "_")


def test_the_stored_digest_is_the_sha256_of_the_secret_never_the_plaintext() -> None:
    key = generate_key()
    secret = key.plaintext.split("_", 2)[2]
    assert key.secret_digest == hashlib.sha256(secret.encode()).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", key.secret_digest)
    assert secret not in key.secret_digest
    assert key.plaintext not in key.secret_digest
    assert secret not in repr(key.secret_digest)


def test_generated_keys_are_unique_and_use_the_whole_id_alphabet() -> None:
    keys = [generate_key() for _ in range(200)]
    assert len({k.key_id for k in keys}) == 200
    assert len({k.plaintext for k in keys}) == 200
    assert len({k.secret_digest for k in keys}) == 200
    id_chars = {c for k in keys for c in k.key_id}
    assert id_chars == set("abcdefghijklmnopqrstuvwxyz0123456789")


def test_a_generated_key_splits_back_and_matches_its_digest() -> None:
    key = generate_key()
    split = split_key(key.plaintext)
    assert split is not None
    key_id, secret = split
    assert key_id == key.key_id
    assert secret_matches(secret, key.secret_digest)
    assert not secret_matches(secret[:-1] + ("A" if secret[-1] != "A" else "B"), key.secret_digest)
    assert not secret_matches(secret, generate_key().secret_digest)


def test_split_key_reads_id_and_secret() -> None:
    assert split_key(WELL_FORMED) == (ApiKeyId("abcdefghij12"), "A" * 20 + "-_" + "z" * 21)


def test_a_secret_may_start_with_an_underscore() -> None:
    # token_urlsafe can produce `_` anywhere; the fixed-length id keeps the split unambiguous.
    assert split_key("salon_abcdefghij12__" + "b" * 42) == (
        ApiKeyId("abcdefghij12"),
        "_" + "b" * 42,
    )


@pytest.mark.parametrize(
    "presented",
    [
        "",
        "salon_",
        WELL_FORMED[:-1],  # 42-character secret
        WELL_FORMED + "A",  # 44-character secret
        WELL_FORMED.replace("salon_", "Salon_"),
        WELL_FORMED.replace("salon_", "whereby_"),
        WELL_FORMED.replace("salon_", ""),
        WELL_FORMED.replace("abcdefghij12", "ABCDEFGHIJ12"),  # the id is lower case
        WELL_FORMED.replace("abcdefghij12", "abcdefghij1"),  # 11-character id
        WELL_FORMED.replace("abcdefghij12", "abcdefghij123"),  # 13-character id
        WELL_FORMED.replace("abcdefghij12", "abcdefghij-2"),
        WELL_FORMED.replace("_A", "-A", 1),  # the separator after the id
        WELL_FORMED[:-1] + "=",
        WELL_FORMED[:-1] + "+",
        WELL_FORMED[:-1] + "é",
        " " + WELL_FORMED,
        WELL_FORMED + "\n",
        "Bearer " + WELL_FORMED,
    ],
)
def test_split_key_rejects_malformed_keys(presented: str) -> None:
    assert split_key(presented) is None


def test_digest_is_sha256_hex() -> None:
    assert digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert secret_matches("abc", digest("abc"))
    assert not secret_matches("abd", digest("abc"))
    assert not secret_matches("abc", "")
    assert not secret_matches("abc", digest("abc").upper())


def test_display_prefixes_name_the_key_without_its_secret() -> None:
    stored = ApiKey(ApiKeyId("abcdefghij12"), OrgId(1), "ci", created_ms=0, last_used_ms=None)
    assert stored.display_prefix == "salon_abcdefghij12"
    new = NewKey(ApiKeyId("abcdefghij12"), digest("s"), "salon_abcdefghij12_s")
    assert new.display_prefix == "salon_abcdefghij12"


# --- names -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kept"),
    [("ci", "ci"), ("  production  ", "production"), ("\tweb app\n", "web app"),
     ("x" * 100, "x" * 100), ("  " + "x" * 100 + "  ", "x" * 100), ("é" * 100, "é" * 100)],
)  # fmt: skip
def test_check_name_strips_and_keeps_valid_names(name: str, kept: str) -> None:
    assert check_name(name) == kept


@pytest.mark.parametrize("name", ["", " ", "\t\n"])
def test_check_name_rejects_empty_names(name: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_name(name)
    assert caught.value.message == "name must not be empty"


@pytest.mark.parametrize("name", ["x" * 101, " " + "x" * 101 + " "])
def test_check_name_rejects_long_names(name: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_name(name)
    assert caught.value.message == "name must be at most 100 characters"
