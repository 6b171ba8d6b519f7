"""Placing rooms on Janus instances: least loaded among those up, sticky while its instance
lives, moved when it dies; and the `--janus` list."""

import re

import pytest

from salon.sfu.placement import instance_loads, parse_instances, place

A, B, C = "ws://a:8188", "ws://b:8188", "ws://c:8188"
ALL = frozenset({A, B, C})


def test_a_new_room_goes_to_the_least_loaded_instance() -> None:
    assert place("/r", {}, {A: 3, B: 1, C: 2}, ALL) == B


def test_ties_go_to_the_first_listed() -> None:
    assert place("/r", {}, {A: 1, B: 1, C: 1}, ALL) == A


def test_a_room_stays_where_it_is_even_when_busier() -> None:
    assert place("/r", {"/r": A}, {A: 9, B: 0, C: 0}, ALL) == A


def test_a_room_moves_when_its_instance_is_down() -> None:
    assert place("/r", {"/r": A}, {A: 0, B: 5, C: 2}, frozenset({B, C})) == C


def test_no_instance_up_places_nothing() -> None:
    assert place("/r", {}, {A: 0}, frozenset()) is None


def test_instances_from_the_command_line() -> None:
    assert parse_instances(f" {A}, {B} ,") == [A, B]
    for spec, message in [
        (" , ", "no Janus URL given"),
        ("http://a", "a Janus instance is a ws:// or wss:// URL, not 'http://a'"),
        (f"{A},{A}", "a Janus URL is listed twice"),
    ]:
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            parse_instances(spec)


def test_load_is_forwarded_tracks_plus_one_per_room() -> None:
    tracks = {"/big": 400, "/a": 2, "/b": 2}
    placed = {"/big": A, "/a": B, "/b": B}
    loads = instance_loads([A, B, C], placed, lambda room: tracks[room])
    assert loads == {A: 401, B: 6, C: 0}
    # One big room weighs more than many small ones: the next room goes beside the small ones.
    assert place("/new", placed, {A: 401, B: 6}, frozenset({A, B})) == B
