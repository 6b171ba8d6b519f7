"""Where webhook deliveries may go (`DestinationPolicy`), and the round-robin claim plan. Pure."""

import ipaddress
import re

import pytest

from salon.webhooks.destinations import (
    DestinationPolicy,
    carried,
    is_public,
    is_special_name,
    parse_address,
    parse_networks,
)
from salon.webhooks.fairness import DueEndpoint, Limits, plan

REFUSED = [
    "127.0.0.1", "127.255.255.254", "0.0.0.0", "0.1.2.3", "10.0.0.1", "172.16.0.1",
    "172.31.255.255", "192.168.0.1", "169.254.169.254", "100.64.0.1", "100.127.255.255",
    "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255", "192.0.0.8", "192.0.2.1",
    "198.18.0.1", "198.51.100.7", "203.0.113.9", "192.88.99.1",
    "::", "::1", "fc00::1", "fd00::1", "fe80::1", "fec0::1", "ff02::1", "ff0e::1",
    "2001:db8::1", "2001::1", "3fff::1", "100::1", "64:ff9b:1::1",
    # IPv6 forms that carry a refused IPv4 address
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1",
    "::10.0.0.1", "64:ff9b::127.0.0.1", "64:ff9b::a9fe:a9fe", "2002:7f00:1::1",
    "2002:a9fe:a9fe::",
]  # fmt: skip
PUBLIC = [
    "8.8.8.8", "1.1.1.1", "93.184.215.14", "100.128.0.1", "172.32.0.1", "192.169.0.1",
    "2606:4700:4700::1111", "2a00:1450:4001::200e", "::ffff:8.8.8.8", "64:ff9b::808:808",
    "2002:808:808::1",
]  # fmt: skip


@pytest.mark.parametrize("text", REFUSED)
def test_internal_addresses_are_refused_in_every_form(text: str) -> None:
    address = ipaddress.ip_address(text)
    assert not is_public(address)
    assert not DestinationPolicy().permits(address)


@pytest.mark.parametrize("text", PUBLIC)
def test_public_addresses_are_permitted(text: str) -> None:
    assert DestinationPolicy().permits(ipaddress.ip_address(text))


def test_an_allowed_network_opens_that_network_only_in_all_its_forms() -> None:
    policy = DestinationPolicy.from_text(" 127.0.0.0/8 , fd12:3456::/32,10.1.2.3")
    allowed = ["127.0.0.1", "127.9.9.9", "::ffff:127.0.0.1", "::127.0.0.1", "fd12:3456::9",
               "10.1.2.3"]  # fmt: skip
    refused = ["10.1.2.4", "169.254.169.254", "fd00::1", "::1", "::ffff:192.168.1.1"]
    assert [policy.permits(ipaddress.ip_address(a)) for a in allowed] == [True] * len(allowed)
    assert [policy.permits(ipaddress.ip_address(a)) for a in refused] == [False] * len(refused)
    assert not policy.permits_all([])
    assert not policy.permits_all([ipaddress.ip_address(a) for a in ("8.8.8.8", "10.0.0.1")])


def test_allow_lists_parse_or_name_the_bad_network() -> None:
    assert parse_networks(None) == parse_networks("") == parse_networks(" , ") == ()
    assert [str(n) for n in parse_networks("127.0.0.1/8,::1")] == ["127.0.0.0/8", "::1/128"]
    with pytest.raises(ValueError, match=re.escape("'10.0.0.0/33' is not a network")):
        parse_networks("10.0.0.0/8,10.0.0.0/33")


def test_addresses_are_read_from_url_hosts_and_socket_addresses() -> None:
    assert parse_address("[::ffff:127.0.0.1]") == ipaddress.ip_address("::ffff:127.0.0.1")
    assert parse_address("fe80::1%eth0") == ipaddress.ip_address("fe80::1")
    assert parse_address("example.com") is None
    assert carried(ipaddress.ip_address("::ffff:10.0.0.1")) == ipaddress.ip_address("10.0.0.1")
    assert carried(ipaddress.ip_address("::1")) == ipaddress.ip_address("::1")


def test_names_that_can_only_be_internal() -> None:
    internal = ["localhost", "LOCALHOST.", "api.localhost", "metadata.google.internal",
                "printer.local", "nas.home.arpa", "redis"]  # fmt: skip
    assert [is_special_name(name) for name in internal] == [True] * len(internal)
    assert not is_special_name("hooks.example.com")
    assert not is_special_name("internal.example.com")


# --- fair claims ---------------------------------------------------------------------------------


def test_claims_go_round_robin_over_organizations_not_oldest_first() -> None:
    noisy = [DueEndpoint(f"a{n}", 1, 16) for n in range(25)]
    quiet = [DueEndpoint("b", 2, 1)]
    taken = plan([*noisy, *quiet], {}, {}, Limits(total=4, per_org=64, per_endpoint=16), 0)
    assert taken["b"] == 1, "the quiet organization waited behind the noisy one"
    assert sum(taken.values()) == 4
    assert all(n <= 1 for n in taken.values())  # one endpoint after the other inside an org


def test_claims_respect_every_in_flight_limit() -> None:
    limits = Limits(total=100, per_org=10, per_endpoint=4)
    due = [DueEndpoint("a1", 1, 16), DueEndpoint("a2", 1, 16), DueEndpoint("a3", 1, 16),
           DueEndpoint("b1", 2, 16), DueEndpoint("c1", 3, 2)]  # fmt: skip
    taken = plan(due, {"a1": 3, "b1": 4}, {1: 3, 2: 4}, limits, 7)
    assert taken == {"a1": 1, "a2": 3, "a3": 3, "c1": 2}
    assert plan(due, {}, {}, Limits(total=5, per_org=10, per_endpoint=4), 5) == {}


def test_the_turn_rotates_so_ties_do_not_favour_one_organization() -> None:
    due = [DueEndpoint("a", 1, 4), DueEndpoint("b", 2, 4)]
    firsts = {next(iter(plan(due, {}, {}, Limits(total=1), 0, turn))) for turn in (0, 1)}
    assert firsts == {"a", "b"}
