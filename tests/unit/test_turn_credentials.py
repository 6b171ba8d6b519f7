"""TURN REST credentials (what coturn's `use-auth-secret` checks) and the ICE servers of a join
answer."""

import pytest

from salon.sfu.turn import IceServers, turn_credentials


def test_credentials_follow_the_turn_rest_scheme() -> None:
    # Computed independently: printf '1700043200:p-1' | openssl dgst -sha1 -hmac s3cret -binary
    #   | base64
    assert turn_credentials("s3cret", "p-1", 1_700_000_000, 43_200) == (
        "1700043200:p-1",
        "D8JHlOgVWGclf4+J4y9HeJX+SAs=",
    )


def test_each_participant_gets_its_own_expiring_credentials() -> None:
    servers = IceServers(
        stun_urls=("stun:s.example:3478",),
        turn_urls=("turn:t.example:3478", "turns:t.example:443?transport=tcp"),
        turn_secret="s3cret",
        ttl_s=600,
    )
    first = servers.for_participant("alice", 1_700_000_000_500)
    assert first[0] == {"urls": ["stun:s.example:3478"]}
    assert first[1]["urls"] == ["turn:t.example:3478", "turns:t.example:443?transport=tcp"]
    assert first[1]["username"] == "1700000600:alice"
    other = servers.for_participant("bob", 1_700_000_000_500)
    assert other[1]["credential"] != first[1]["credential"]


def test_no_servers_without_configuration() -> None:
    assert IceServers().for_participant("alice", 0) == []


@pytest.mark.parametrize(
    ("urls", "secret", "message"),
    [
        (("turn:t:3478",), None, "TURN URLs need a TURN secret (--turn-secret)"),
        (("stun:t:3478",), "s", "a TURN URL starts with turn: or turns:, not 'stun:t:3478'"),
    ],
)
def test_bad_turn_settings_are_refused(
    urls: tuple[str, ...], secret: str | None, message: str
) -> None:
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        IceServers(turn_urls=urls, turn_secret=secret)
