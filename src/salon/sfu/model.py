"""What the Janus group media implementation keeps of each space and member: the shared types of
`group_media.py` (spaces, feeds, moderation, recovery) and `subscription.py` (each member's
subscriber handle), so neither module imports the other's."""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from salon.sfu.audio_selection import DEFAULT_VOICES, Loudness
from salon.sfu.janus_client import JanusHandle
from salon.sfu.pool import Instance
from salon.sfu.visibility import StreamKey, View

Send = Callable[[dict[str, Any]], None]


@dataclass
class Prepared:
    """A subscriber handle joined before the browser asked, and Janus's offer for it."""

    handle: JanusHandle
    data: dict[str, Any]
    jsep: dict[str, Any] | None
    spoiled: bool = False
    """Janus renegotiated it by itself meanwhile (a publisher left): the offer is stale."""


@dataclass
class Member:
    participant_id: str
    space: str
    publishes: bool
    send: Callable[[dict[str, Any]], None]
    publisher: JanusHandle | None = None
    feed_id: int = 0
    screen_mid: str | None = None
    audio_muted: bool = False
    subscriber: JanusHandle | None = None
    streams: list[dict[str, Any]] = field(default_factory=list)
    """The subscription as Janus last described it."""
    receiving: bool = False
    """The browser asked to receive (`sfu-subscribe`): it has a connection ready for offers."""
    unanswered: int = 0
    """Offers sent and not answered yet: Janus may renegotiate again before an answer comes, and
    then waits for the answer to its newest offer only (the browser answers each, in order)."""
    last_offer: dict[str, Any] | None = None
    prepared: Prepared | None = None
    remote: bool = False
    """It publishes plain RTP through a Janus remote publisher (`rtp_publishers.py`)."""
    view: View | None = None
    """What the browser shows (`sfu-view`); None until it says: then every video."""
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def reset(self) -> None:
        self.streams = []
        self.unanswered = 0
        self.last_offer = None

    def subscribed(self) -> set[StreamKey]:
        return {
            (int(s["feed_id"]), str(s["feed_mid"]))
            for s in self.streams
            if s.get("active", True) and "feed_id" in s and "feed_mid" in s
        }


@dataclass
class Feed:
    participant_id: str
    feed_id: int
    streams: list[dict[str, Any]] = field(default_factory=list)
    """Janus's description of each published stream (mid, type, description, disabled)."""


@dataclass
class VideoRoom:
    key: str
    capacity: int
    room_id: int = 0
    secret: str = ""
    instance: Instance | None = None
    monitor: JanusHandle | None = None
    members: dict[str, Member] = field(default_factory=dict)
    feeds: dict[int, Feed] = field(default_factory=dict)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    lost: bool = False
    """Its instance died: members wait for `sfu-state: ready`."""
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    loudness: Loudness = field(default_factory=Loudness)
    voices: int = DEFAULT_VOICES
    """How many of the loudest voices each member hears."""

    @property
    def alive(self) -> bool:
        return self.instance is not None and self.instance.up and self.ready.is_set()

    @property
    def admin_key(self) -> str | None:
        return self.instance.admin_key if self.instance is not None else None

    def published(self) -> dict[int, list[dict[str, Any]]]:
        return {feed_id: feed.streams for feed_id, feed in self.feeds.items()}

    def owner_of(self, feed_id: int) -> str:
        """The participant id of the feed's publisher, or "" when it is gone."""
        feed = self.feeds.get(feed_id)
        return feed.participant_id if feed is not None else ""
