"""What a member of a group room receives: the videos its screen shows, and the audio of the
loudest voices. Pure.

    sfu-view {videos: [{participantId, kind, substream}], pinned} ──► `View`
    View + the room's feeds + the loudest voices ──► `wanted` (feed, mid) pairs ──► Janus update

A member that has not described its screen yet (`view is None`: an older page, or the moment
between joining and the first `sfu-view`) receives the first DEFAULT_VIDEOS videos in publishing
order: every video of a room that fits a page, as small rooms always did, and never a
200-video offer to a newcomer in a large room. Audio
never depends on the page: the N loudest voices of the space plus whoever the member pinned.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

StreamKey = tuple[int, str]
"""(feed id, the publisher's mid)."""

Kind = Literal["camera", "screen"]

DEFAULT_VIDEOS = 25
"""The videos a member without a view receives: a laptop's page."""
MAX_VIDEOS = 49
"""The most videos a view may ask for: a page of 25, the stage, and room to spare."""


@dataclass(frozen=True, slots=True)
class ShownVideo:
    participant_id: str
    kind: Kind
    substream: int
    """The simulcast layer its tile's size needs: 0 small … 2 large."""


@dataclass(frozen=True, slots=True)
class View:
    videos: tuple[ShownVideo, ...]
    pinned: frozenset[str] = frozenset()

    def shows(self, participant_id: str, kind: Kind) -> ShownVideo | None:
        return next(
            (v for v in self.videos if v.participant_id == participant_id and v.kind == kind), None
        )


class FeedStreams(Protocol):
    """One publisher as the selection needs it: whose, and Janus's description of its streams."""

    @property
    def participant_id(self) -> str: ...

    @property
    def feed_id(self) -> int: ...

    @property
    def streams(self) -> Sequence[Mapping[str, Any]]: ...


def kind_of(stream: Mapping[str, Any]) -> Kind:
    return "screen" if stream.get("description") == "screen" else "camera"


def _live(stream: Mapping[str, Any], media: str) -> bool:
    return stream.get("type") == media and not stream.get("disabled")


def wanted(
    me: str,
    feeds: Iterable[FeedStreams],
    view: View | None,
    audible: frozenset[str] | None,
) -> set[StreamKey]:
    """The streams `me` should receive: the videos of its view (the first DEFAULT_VIDEOS without
    one) and the audio of the `audible` participants (everyone's when None) and of those it
    pinned."""
    want: set[StreamKey] = set()
    default_videos = DEFAULT_VIDEOS
    for feed in feeds:
        if feed.participant_id == me:
            continue
        hear = (
            audible is None
            or feed.participant_id in audible
            or (view is not None and feed.participant_id in view.pinned)
        )
        for stream in feed.streams:
            key = (feed.feed_id, str(stream.get("mid")))
            if _live(stream, "audio") and hear:
                want.add(key)
            elif _live(stream, "video") and kind_of(stream) == "screen":
                want.add(key)  # a screen share is always on the stage, whatever the page shows
            elif _live(stream, "video") and view is None and default_videos > 0:
                want.add(key)
                default_videos -= 1
            elif (
                _live(stream, "video")
                and view is not None
                and view.shows(feed.participant_id, kind_of(stream)) is not None
            ):
                want.add(key)
    return want


def layers(
    subscribed: Iterable[Mapping[str, Any]],
    feeds: Mapping[int, FeedStreams],
    view: View,
) -> dict[str, int]:
    """Subscriber mid → the simulcast layer the view asks for, for each camera it shows."""
    chosen: dict[str, int] = {}
    for stream in subscribed:
        feed = feeds.get(int(stream.get("feed_id", -1)))
        if feed is None or stream.get("type") != "video" or not stream.get("active", True):
            continue
        described = next(
            (s for s in feed.streams if str(s.get("mid")) == str(stream.get("feed_mid"))), {}
        )
        shown = view.shows(feed.participant_id, kind_of(described))
        if shown is not None and shown.kind == "camera":
            chosen[str(stream.get("mid"))] = shown.substream
    return chosen
