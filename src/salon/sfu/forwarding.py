"""Forwarding a room's published streams out of the SFU: Janus forwards them (VideoRoom
`rtp_forward`, which needs the instance's admin key) to UDP ports on 127.0.0.1, where a sink
receives them. Two kinds of sink exist:

- live streaming: audio and video of everyone, to the room's live pipeline
  (`salon.recording.live`), which starts again with the new set of feeds when it changes;
- live captions: the audio alone, to the room's caption pipeline (`salon.transcription.live`),
  which keeps the speakers who stay and starts or stops the others.

Only the main room is forwarded (not its breakout groups). When the set of publishers changes,
the forwards follow and the sink is given the new set, once things settle (`SETTLE_S`: people
arriving together cause one change, not one each).
"""

import asyncio
import contextlib
import logging
import random
import socket
from dataclasses import dataclass, field
from typing import Any, Protocol

from salon.recording.live import (
    PAYLOAD_TYPES,
    RTP_MAPS,
    ForwardedFeed,
    ForwardedStream,
)
from salon.sfu.janus_client import JanusError, JanusHandle

log = logging.getLogger(__name__)

SETTLE_S = 1.0
PORTS = (20_000, 40_000)
"""Where forwarded RTP is received: an even port for RTP and the next for RTCP (ffmpeg opens
both)."""


class StreamedRoom(Protocol):
    key: str
    room_id: int
    secret: str
    monitor: JanusHandle | None

    @property
    def admin_key(self) -> str | None: ...

    def published(self) -> dict[int, list[dict[str, Any]]]:
        """Each publishing feed's streams, as Janus describes them."""
        ...

    def owner_of(self, feed_id: int) -> str:
        """Whose feed it is (a participant id)."""
        ...


class FeedSink(Protocol):
    """What receives a room's forwarded feeds."""

    @property
    def running(self) -> bool: ...

    async def start(self, feeds: list[ForwardedFeed]) -> None:
        """Receive exactly `feeds` from now on (the live pipeline restarts with them)."""
        ...

    async def stop(self) -> None: ...


def free_port_pair() -> int:
    """An even UDP port on 127.0.0.1 that is free, and whose next port is free too."""
    for _ in range(200):
        port = random.randrange(PORTS[0], PORTS[1], 2)
        sockets = []
        try:
            for candidate in (port, port + 1):
                udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                sockets.append(udp)
                udp.bind(("127.0.0.1", candidate))
            return port
        except OSError:
            continue
        finally:
            for udp in sockets:
                udp.close()
    raise OSError("no free UDP port pair for a forwarded stream")


AUDIO_AND_VIDEO = frozenset({"audio", "video"})
AUDIO_ONLY = frozenset({"audio"})


def streamable(
    streams: list[dict[str, Any]], kinds: frozenset[str] = AUDIO_AND_VIDEO
) -> list[dict[str, Any]]:
    """The streams of a feed, of `kinds`, that the live pipelines can read."""
    return [
        s
        for s in streams
        if s.get("type") in PAYLOAD_TYPES
        and s.get("type") in kinds
        and s.get("codec") in RTP_MAPS
        and not s.get("disabled")
    ]


@dataclass
class _Stream:
    pipeline: FeedSink
    forwarded: dict[int, tuple[ForwardedFeed, list[int]]] = field(default_factory=dict)
    """Each feed's forwarded streams and Janus's ids of its forwarders."""
    refresh: asyncio.Task[None] | None = None


class RoomForwards:
    """The rooms whose feeds (of `kinds`) are forwarded, each to its sink."""

    def __init__(self, kinds: frozenset[str] = AUDIO_AND_VIDEO) -> None:
        self._kinds = kinds
        self._streams: dict[str, _Stream] = {}
        self._lock = asyncio.Lock()

    def forwarding(self, room_name: str) -> bool:
        return room_name in self._streams

    async def switch(
        self, room_name: str, sink: FeedSink | None, room: StreamedRoom | None
    ) -> None:
        """Forward `room_name`'s feeds to `sink`, or stop (None)."""
        async with self._lock:
            current = self._streams.pop(room_name, None)
            if current is not None:
                if current.refresh is not None:
                    current.refresh.cancel()
                await current.pipeline.stop()
                if room is not None:
                    await self._unforward(room, current, list(current.forwarded))
            if sink is not None:
                stream = self._streams[room_name] = _Stream(sink)
                if room is not None:
                    await self._follow(room, stream)

    def changed(self, room: StreamedRoom) -> None:
        """Publishers came or went: follow them once things settle."""
        stream = self._streams.get(room.key)
        if stream is None:
            return
        if stream.refresh is not None and not stream.refresh.done():
            stream.refresh.cancel()
        stream.refresh = asyncio.create_task(self._settle(room, stream))

    async def _settle(self, room: StreamedRoom, stream: _Stream) -> None:
        await asyncio.sleep(SETTLE_S)
        async with self._lock:
            if self._streams.get(room.key) is stream:
                await self._follow(room, stream)

    async def _follow(self, room: StreamedRoom, stream: _Stream) -> None:
        published = {
            f: streamable(s, self._kinds)
            for f, s in room.published().items()
            if streamable(s, self._kinds)
        }
        gone = [feed for feed in stream.forwarded if feed not in published]
        new = [feed for feed in published if feed not in stream.forwarded]
        if not gone and not new and stream.pipeline.running:
            return
        log.info(
            "forwarding: %s: %d feeds (%d new, %d gone)", room.key, len(published), len(new),
            len(gone),
        )  # fmt: skip
        # The sink is not stopped here: the live pipeline restarts in `start`, the captions keep
        # the speakers who stay.
        await self._unforward(room, stream, gone)
        for feed_id in new:
            forwarded = await self._forward(room, feed_id, published[feed_id])
            if forwarded is not None:
                stream.forwarded[feed_id] = forwarded
        await stream.pipeline.start([feed for feed, _ in stream.forwarded.values()])

    async def _forward(
        self, room: StreamedRoom, feed_id: int, streams: list[dict[str, Any]]
    ) -> tuple[ForwardedFeed, list[int]] | None:
        if room.monitor is None:
            return None
        ports = [free_port_pair() for _ in streams]
        body: dict[str, Any] = {
            "request": "rtp_forward",
            "room": room.room_id,
            "publisher_id": feed_id,
            "secret": room.secret,
            "host": "127.0.0.1",
            "streams": [
                {"mid": str(s["mid"]), "port": port, "pt": PAYLOAD_TYPES[s["type"]]}
                for s, port in zip(streams, ports, strict=True)
            ],
        }
        if room.admin_key:
            body["admin_key"] = room.admin_key
        try:
            data, _ = await room.monitor.request(body)
        except JanusError as error:
            log.warning("forwarding: cannot forward feed %s of %s: %s", feed_id, room.key, error)
            return None
        ids = [int(f["stream_id"]) for f in data.get("forwarders", []) if "stream_id" in f]
        feed = ForwardedFeed(
            feed_id,
            tuple(
                ForwardedStream(str(s["type"]), str(s["codec"]), port)
                for s, port in zip(streams, ports, strict=True)
            ),
            room.owner_of(feed_id),
        )
        return feed, ids

    async def _unforward(self, room: StreamedRoom, stream: _Stream, feeds: list[int]) -> None:
        for feed_id in feeds:
            _feed, ids = stream.forwarded.pop(feed_id, (None, []))
            if room.monitor is None:
                continue
            for stream_id in ids:
                body: dict[str, Any] = {
                    "request": "stop_rtp_forward",
                    "room": room.room_id,
                    "publisher_id": feed_id,
                    "stream_id": stream_id,
                    "secret": room.secret,
                }
                if room.admin_key:
                    body["admin_key"] = room.admin_key
                with contextlib.suppress(JanusError):  # the publisher may have gone already
                    await room.monitor.request(body)

    async def close(self) -> None:
        for name in list(self._streams):
            await self.switch(name, None, None)
