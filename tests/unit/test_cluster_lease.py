"""The room lease's pure rules (`salon.cluster.lease`): the owner's value and its token, when
this node may trust a lease without asking Redis, renewals that find another token, and which
leases are let go."""

import pytest

from salon.cluster.lease import LeaseBook, Owner, owner_key, parse_owner
from salon.ids import RoomName

ROOM = RoomName("/room-1")


def test_the_owner_value_carries_the_node_and_its_token() -> None:
    assert Owner("node-1", 7).value == "node-1|7"
    assert parse_owner(b"node-1|7") == Owner("node-1", 7)
    assert parse_owner("a|b|12") == Owner("a|b", 12)  # the token follows the last separator
    assert owner_key(ROOM) == "salon:room:/room-1:owner"


def test_a_lease_is_trusted_until_a_margin_before_it_could_expire() -> None:
    book = LeaseBook("node-1", ttl_ms=5000, margin_s=1.5)
    book.took(ROOM, Owner("node-1", 3), asked_at=100.0)
    assert book.trusted(ROOM, 103.4) is not None
    assert book.trusted(ROOM, 103.5) is None  # 100 + 5 - 1.5: ask Redis again
    assert book.trusted(RoomName("/other"), 100.0) is None


def test_a_renewal_extends_trust_from_when_it_was_asked() -> None:
    book = LeaseBook("node-1", ttl_ms=5000, margin_s=1.5)
    lease = book.took(ROOM, Owner("node-1", 3), asked_at=0.0)
    assert book.renewed(lease, still_ours=True, asked_at=2.0) is False
    assert book.trusted(ROOM, 5.4) is not None
    assert book.trusted(ROOM, 5.5) is None


def test_a_renewal_that_finds_another_token_loses_the_room() -> None:
    book = LeaseBook("node-1")
    lease = book.took(ROOM, Owner("node-1", 3), asked_at=0.0)
    book.hold(ROOM)
    assert book.renewed(lease, still_ours=False, asked_at=1.0) is True
    assert book.trusted(ROOM, 1.0) is None
    assert book.leases() == []


def test_an_answer_about_an_older_lease_changes_nothing() -> None:
    book = LeaseBook("node-1")
    old = book.took(ROOM, Owner("node-1", 3), asked_at=0.0)
    stale = Owner("node-1", 3)
    book.took(ROOM, Owner("node-1", 9), asked_at=1.0)  # taken again meanwhile (a new token)
    assert old.owner == Owner("node-1", 9)  # one lease per room, updated in place
    from salon.cluster.lease import Lease

    assert book.renewed(Lease(ROOM, stale, 0.0), still_ours=False, asked_at=2.0) is False
    assert book.trusted(ROOM, 2.0) is not None


def test_only_leases_nobody_holds_of_rooms_no_longer_live_are_let_go() -> None:
    book = LeaseBook("node-1")
    busy, resuming, empty = RoomName("/busy"), RoomName("/resuming"), RoomName("/empty")
    for number, room in enumerate((busy, resuming, empty)):
        book.took(room, Owner("node-1", number), asked_at=0.0)
    book.hold(busy)
    book.hold(empty)
    book.let_go(empty)
    book.let_go(empty)  # never below zero
    idle = book.idle(lambda room: room == resuming)  # someone there is within the resume grace
    assert [lease.room for lease in idle] == [empty]
    assert sorted(lease.room for lease in book.leases()) == [busy, resuming]


def test_taking_keeps_the_sockets_counted() -> None:
    book = LeaseBook("node-1")
    book.took(ROOM, Owner("node-1", 1), asked_at=0.0)
    book.hold(ROOM)
    book.took(ROOM, Owner("node-1", 1), asked_at=10.0)
    assert book.idle(lambda room: False) == []


def test_only_this_nodes_leases_go_in_its_book() -> None:
    with pytest.raises(AssertionError):
        LeaseBook("node-1").took(ROOM, Owner("node-2", 1), asked_at=0.0)
