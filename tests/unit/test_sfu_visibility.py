"""What a member of a group room receives: the videos its view shows (each in the layer its
tile's size asks), the loudest voices and whom it pinned; and the ranking of voices."""

from dataclasses import dataclass, field
from typing import Any

from salon.sfu.audio_selection import Loudness
from salon.sfu.visibility import ShownVideo, View, layers, wanted


@dataclass
class Feed:
    participant_id: str
    feed_id: int
    streams: list[dict[str, Any]] = field(default_factory=list)


def person(pid: str, feed_id: int, screen: bool = False) -> Feed:
    streams = [{"mid": "0", "type": "audio"}, {"mid": "1", "type": "video"}]
    if screen:
        streams.append({"mid": "2", "type": "video", "description": "screen"})
    return Feed(pid, feed_id, streams)


FEEDS = [person("me", 1), person("a", 2), person("b", 3, screen=True), person("c", 4)]


def test_without_a_view_a_member_receives_every_video_and_the_audible_voices() -> None:
    assert wanted("me", FEEDS, None, frozenset({"a", "c"})) == {
        (2, "0"), (2, "1"), (3, "1"), (3, "2"), (4, "0"), (4, "1"),
    }  # fmt: skip
    everyone = wanted("me", FEEDS, None, None)
    assert (1, "0") not in everyone
    assert len(everyone) == 7


def test_a_view_narrows_videos_to_the_tiles_shown_and_pins_add_voices() -> None:
    view = View(
        (ShownVideo("b", "screen", 2), ShownVideo("c", "camera", 0)), pinned=frozenset({"a"})
    )
    assert wanted("me", FEEDS, view, frozenset({"c"})) == {(3, "2"), (4, "1"), (4, "0"), (2, "0")}
    # A screen share is on the stage whatever the page shows: the page draws its stage tile only
    # once the stream arrives, so waiting for the view to name it would never show it.
    assert wanted("me", FEEDS, View(()), frozenset()) == {(3, "2")}


def test_disabled_streams_are_never_wanted() -> None:
    quiet = Feed("a", 2, [{"mid": "0", "type": "audio", "disabled": True}])
    assert wanted("me", [quiet], None, None) == set()


def test_layers_follow_the_view_for_cameras_only() -> None:
    subscribed = [
        {"mid": "0", "feed_id": 2, "feed_mid": "1", "type": "video"},
        {"mid": "1", "feed_id": 3, "feed_mid": "2", "type": "video"},
        {"mid": "2", "feed_id": 3, "feed_mid": "0", "type": "audio"},
        {"mid": "3", "feed_id": 4, "feed_mid": "1", "type": "video", "active": False},
    ]
    view = View(
        (
            ShownVideo("a", "camera", 1),
            ShownVideo("b", "screen", 2),
            ShownVideo("c", "camera", 2),
        )
    )
    feeds = {feed.feed_id: feed for feed in FEEDS}
    assert layers(subscribed, feeds, view) == {"0": 1}


def test_the_loudest_talking_voices_come_first_then_the_latest() -> None:
    loudness = Loudness()
    for feed_id, pid in enumerate("abcdefg"):
        loudness.publishing(feed_id, pid)
    assert loudness.loudest(3, exclude="a") == {"b", "c", "d"}  # nobody spoke: join order
    assert loudness.heard(5, 30, now=1.0) is True
    assert loudness.heard(5, 30, now=1.1) is False  # not news
    loudness.heard(6, 10, now=2.0)
    assert loudness.ranking()[:2] == ["g", "f"]  # talking, louder (lower dBov) first
    assert loudness.quiet(6, now=3.0) is True
    assert loudness.ranking()[:3] == ["f", "g", "a"]  # then the one who stopped last
    assert loudness.loudest(2, exclude="f") == {"g", "a"}
    loudness.gone(5)
    assert "f" not in loudness.ranking()
    assert loudness.talking() == []
    assert loudness.heard(99, 0, now=4.0) is False  # no such feed
    assert loudness.quiet(99, now=4.0) is False


def test_without_a_view_a_large_room_sends_only_the_first_page_of_videos() -> None:
    crowd = [person(f"p{n}", n + 10) for n in range(40)]
    want = wanted("me", crowd, None, frozenset())
    assert want == {(n + 10, "1") for n in range(25)}
