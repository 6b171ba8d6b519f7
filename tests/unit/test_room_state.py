"""`RoomState`, the pure rules of one live room: who may enter (every role, locked or not, in a
normal room of 4 where viewers count and in a group room of 200 participants plus 400 viewers),
the participant and knocker books, the spotlight, and what only a host may do."""

import pytest

from salon.ids import ParticipantId, RoomName
from salon.meetings.model import RoomMode, RoomRole
from salon.rooms.state import Entry, Knocker, NoSuchParticipant, NotAllowed, Participant, RoomState

ROLES = list(RoomRole)
T0 = 1_772_366_400_000


def pid(n: int | str) -> ParticipantId:
    return ParticipantId(f"p-{n}")


def person(n: int | str, role: RoomRole = RoomRole.VISITOR) -> Participant:
    return Participant(id=pid(n), display_name=f"P{n}", role=role, joined_ms=T0)


def room(
    mode: RoomMode = RoomMode.NORMAL, *, locked: bool = False, people: dict[str, int] | None = None
) -> RoomState:
    """A room holding `people` by role, e.g. {"host": 1, "viewer": 3}."""
    state = RoomState(RoomName("/r"), mode, locked)
    n = 0
    for role_name, count in (people or {}).items():
        for _ in range(count):
            state.add(person(n, RoomRole(role_name)))
            n += 1
    return state


def open_or_knock(role: RoomRole, locked: bool) -> Entry:
    return Entry.KNOCK if locked and role is RoomRole.VISITOR else Entry.ENTER


# --- entering: normal rooms -----------------------------------------------------------------


@pytest.mark.parametrize("locked", [False, True])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("present", [{}, {"host": 1}, {"viewer": 2, "visitor": 1}])
def test_normal_room_with_room_left(role: RoomRole, locked: bool, present: dict[str, int]) -> None:
    assert room(locked=locked, people=present).decide_entry(role) is open_or_knock(role, locked)


@pytest.mark.parametrize("locked", [False, True])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "present",
    [
        {"host": 4},
        {"host": 1, "visitor": 3},
        {"host": 1, "viewer": 3},  # viewers take places in a normal room
        {"viewer": 4},
        {"granted_visitor": 2, "visitor": 1, "viewer": 1},
    ],
)
def test_normal_room_of_four_is_full_for_everyone(
    role: RoomRole, locked: bool, present: dict[str, int]
) -> None:
    state = room(locked=locked, people=present)
    assert state.capacity == 4
    assert state.decide_entry(role) is Entry.FULL


# --- entering: group rooms ----------------------------------------------------------------------


@pytest.mark.parametrize("locked", [False, True])
@pytest.mark.parametrize(
    ("present", "expected"),
    [
        ({}, dict.fromkeys(ROLES)),
        ({"host": 1, "visitor": 198, "viewer": 400}, {RoomRole.VIEWER: Entry.FULL}),
        ({"host": 1, "visitor": 199}, {r: Entry.FULL for r in ROLES if r is not RoomRole.VIEWER}),
        ({"host": 100, "granted_visitor": 99, "viewer": 399}, {}),
        (
            {"host": 200, "viewer": 400},
            dict.fromkeys(ROLES, Entry.FULL),
        ),
    ],
    ids=["empty", "viewers-full", "participants-full", "one-place-of-each", "all-full"],
)
def test_group_room_counts_participants_and_viewers_apart(
    locked: bool, present: dict[str, int], expected: dict[RoomRole, Entry | None]
) -> None:
    """`expected` names the roles that get something other than enter-or-knock (None: that)."""
    state = room(RoomMode.GROUP, locked=locked, people=present)
    assert state.capacity == 200
    for role in ROLES:
        wanted = expected.get(role) or open_or_knock(role, locked)
        assert state.decide_entry(role) is wanted, role


def test_a_full_room_says_full_before_it_says_knock() -> None:
    assert room(locked=True, people={"host": 4}).decide_entry(RoomRole.VISITOR) is Entry.FULL
    assert (
        room(RoomMode.GROUP, locked=True, people={"host": 200}).decide_entry(RoomRole.VISITOR)
        is Entry.FULL
    )
    assert (
        room(RoomMode.GROUP, locked=True, people={"host": 200}).decide_entry(RoomRole.VIEWER)
        is Entry.ENTER
    )


# --- participants ------------------------------------------------------------------------------


def test_add_remove_and_read() -> None:
    state = room(people={"host": 1, "viewer": 1})
    newcomer = person("new", RoomRole.GRANTED_VISITOR)
    state.add(newcomer)
    assert state.participant(pid("new")) is newcomer
    assert [p.id for p in state.others(pid("new"))] == [pid(0), pid(1)]
    assert [p.id for p in state.hosts()] == [pid(0)]
    assert state.count_by_role() == {"host": 1, "viewer": 1, "granted_visitor": 1}
    assert state.remove(pid("new")) is newcomer
    assert state.remove(pid("new")) is None
    assert pid("new") not in state.participants
    assert state.count_by_role() == {"host": 1, "viewer": 1}


def test_count_by_role_of_an_empty_room_is_empty() -> None:
    assert room().count_by_role() == {}
    assert room(people={"host": 2, "visitor": 3}).count_by_role() == {"host": 2, "visitor": 3}


def test_unknown_participants_are_named_in_the_error() -> None:
    state = room(people={"host": 1})
    with pytest.raises(NoSuchParticipant, match="no participant 'p-9' in this room"):
        state.participant(pid(9))
    with pytest.raises(NoSuchParticipant):
        state.update(pid(9), audio=True)
    assert list(state.participants) == [pid(0)]


def test_update_replaces_the_participant() -> None:
    state = room(people={"host": 1})
    before = state.participant(pid(0))
    updated = state.update(pid(0), audio=True, video=True, reconnecting=True)
    assert updated is state.participant(pid(0))
    assert (updated.audio, updated.video, updated.screen, updated.reconnecting) == (
        True,
        True,
        False,
        True,
    )
    assert (before.audio, before.video) == (False, False)
    assert updated.id == before.id
    assert updated.role is before.role


# --- spotlight ---------------------------------------------------------------------------------


def test_spotlight_set_cleared_and_cleared_when_its_participant_leaves() -> None:
    state = room(people={"host": 1, "visitor": 2})
    state.set_spotlight(pid(1))
    assert state.spotlight == pid(1)
    state.remove(pid(2))
    assert state.spotlight == pid(1)
    state.remove(pid(1))
    assert state.spotlight is None
    state.set_spotlight(pid(0))
    state.set_spotlight(None)
    assert state.spotlight is None


def test_spotlight_on_someone_absent_is_refused_and_changes_nothing() -> None:
    state = room(people={"host": 1})
    state.set_spotlight(pid(0))
    with pytest.raises(NoSuchParticipant):
        state.set_spotlight(pid(7))
    assert state.spotlight == pid(0)


# --- knockers ----------------------------------------------------------------------------------


def knocker(n: int) -> Knocker:
    return Knocker(id=pid(f"k{n}"), display_name=f"K{n}", at_ms=T0 + n)


def test_knockers_are_booked_held_and_removed() -> None:
    state = room(locked=True, people={"host": 1})
    state.add_knocker(knocker(1))
    state.add_knocker(knocker(2))
    assert state.knocker(pid("k1")) == knocker(1)
    held = state.hold_knocker(pid("k1"), "one minute")
    assert held.held_message == "one minute"
    assert state.knocker(pid("k1")).held_message == "one minute"
    assert state.knocker(pid("k2")).held_message is None
    assert state.remove_knocker(pid("k2")) == knocker(2)
    assert state.remove_knocker(pid("k2")) is None
    assert list(state.knockers) == [pid("k1")]
    assert not any(k in state.participants for k in state.knockers)


def test_unknown_knockers_are_named_in_the_error() -> None:
    state = room(locked=True, people={"host": 1})
    with pytest.raises(NoSuchParticipant, match="no one with id 'p-k3' is knocking"):
        state.knocker(pid("k3"))
    with pytest.raises(NoSuchParticipant):
        state.hold_knocker(pid("k3"), "wait")
    assert state.knockers == {}


def test_a_knocker_let_in_is_no_longer_knocking() -> None:
    state = room(locked=True, people={"host": 1})
    state.add_knocker(knocker(1))
    state.add(Participant(pid("k1"), "K1", RoomRole.GRANTED_VISITOR, T0))
    assert state.knockers == {}
    assert state.participant(pid("k1")).role is RoomRole.GRANTED_VISITOR


# --- host rules --------------------------------------------------------------------------------


def test_require_host_lets_a_host_through() -> None:
    RoomState.require_host(RoomRole.HOST, "lock")


@pytest.mark.parametrize("role", [RoomRole.VIEWER, RoomRole.VISITOR, RoomRole.GRANTED_VISITOR])
def test_require_host_refuses_every_other_role(role: RoomRole) -> None:
    with pytest.raises(NotAllowed, match=r"^only a host may send lock$"):
        RoomState.require_host(role, "send lock")
