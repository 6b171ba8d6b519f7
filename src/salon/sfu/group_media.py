"""Group-room media on Janus's VideoRoom, negotiated by Salon on each browser's behalf.

    space (a room, or one of its breakout groups) ──► one VideoRoom (explicit publishers, bitrate,
        Opus, VP8 + H.264), watched by a monitor handle that hears who publishes what
    participant ──► a publisher handle (never for a viewer) ──► its feed
                └─► one multistream subscriber handle ──► every other feed of its space

The browser sends its publisher offer (`sfu-publish`), answers the subscriber offers Salon
forwards from Janus (`sfu-offer` → `sfu-answer`), and trickles candidates for both. When Janus
dies, every member hears `sfu-state: reconnecting`; once an instance is up again, its rooms are
made again and members hear `sfu-state: ready`, publish afresh, and are subscribed anew.
"""

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from salon.recording.live import LivePipeline
from salon.sfu import rtp_publishers
from salon.sfu.audio_selection import DEFAULT_VOICES, Loudness
from salon.sfu.forwarding import AUDIO_ONLY, FeedSink, RoomForwards
from salon.sfu.janus_client import JanusError
from salon.sfu.model import Feed, Member, Send, VideoRoom
from salon.sfu.pool import JanusPool, NoSfuUp
from salon.sfu.recording import RoomRecordings
from salon.sfu.subscription import Subscriptions
from salon.sfu.visibility import ShownVideo, View

log = logging.getLogger(__name__)

AUDIO_ACTIVE_PACKETS = 15
"""Janus judges who is talking every 15 audio packets (300 ms): a new voice is forwarded that
soon after it starts, plus one renegotiation."""
AUDIO_LEVEL_AVERAGE = 45
"""Talking is louder on average than -45 dBov (Janus's default, -25, misses quiet voices)."""
ROOM_BITRATE = 2_000_000
"""The REMB cap for each publisher: room for three simulcast layers (about 0.1, 0.4, 1.5 Mb/s)."""
FIR_FREQ_S = 10
H264_PROFILE = "42e01f"
"""Constrained baseline: what Safari and every other browser decode."""


@dataclass
class InstanceUsage:
    name: str
    """`managed`, or the URL given in `--janus` (a bounded set chosen by the operator)."""
    up: bool
    managed: bool
    rooms: int = 0
    publishers: int = 0
    forwarded_tracks: int = 0


def _random_id() -> int:
    return secrets.randbelow(2**52) + 1


class JanusGroupMedia:
    def __init__(
        self, pool: JanusPool, voices: int = DEFAULT_VOICES, rtp_publishers: bool = False
    ) -> None:
        self._pool = pool
        self._voices = voices
        self.allows_rtp_publishers = rtp_publishers
        """`--sfu-rtp-publishers`: participants may publish plain RTP (`sfu-publish-rtp`)."""
        self._rooms: dict[str, VideoRoom] = {}
        self._members: dict[str, Member] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._recordings = RoomRecordings()
        self._subscriptions = Subscriptions(self.room_of, self.member, self._spawn)
        self._streams = RoomForwards()
        self._captions = RoomForwards(AUDIO_ONLY)
        pool.on_down = self._instance_down
        pool.on_up = self._instance_up
        pool.tracks = self.forwarded_tracks

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        self._pool.start()

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await self._streams.close()
        await self._captions.close()
        await self._pool.stop()

    # --- members --------------------------------------------------------------------------

    async def enter(
        self, space: str, participant_id: str, *, publishes: bool, capacity: int, send: Send
    ) -> None:
        """A participant is in `space`; publishing and receiving wait for the browser."""
        member = Member(participant_id, space, publishes, send)
        self._members[participant_id] = member
        room = self._rooms.get(space)
        if room is None:
            room = self._rooms[space] = VideoRoom(space, capacity, voices=self._voices)
        room.members[participant_id] = member
        # The room is made now, and the member's first subscription prepared (subscription.py);
        # it is offered when the browser asks (`sfu-subscribe`).
        self._spawn(self._prepare(room, member))

    async def _prepare(self, room: VideoRoom, member: Member) -> None:
        if await self._ensure_room(room):
            await self._subscriptions.prepare(room, member)

    async def leave(self, participant_id: str) -> None:
        member = self._members.pop(participant_id, None)
        if member is None:
            return
        room = self._rooms.get(member.space)
        if room is not None:
            room.members.pop(participant_id, None)
            room.feeds.pop(member.feed_id, None)
            room.loudness.gone(member.feed_id)
            self._forwards_changed(room)
        await self._drop_handles(member)
        if room is not None and not room.members:
            await self._destroy(room)

    async def move(self, participant_id: str, space: str, capacity: int) -> None:
        """Into another space (a breakout group, or back): new handles, and a fresh start."""
        member = self._members.get(participant_id)
        if member is None or member.space == space:
            return
        await self.leave(participant_id)
        await self.enter(
            space, participant_id, publishes=member.publishes, capacity=capacity, send=member.send
        )
        member.send({"type": "sfu-state", "state": "ready"})

    def space_of(self, participant_id: str) -> str | None:
        member = self._members.get(participant_id)
        return None if member is None else member.space

    async def _drop_handles(self, member: Member) -> None:
        room = self._rooms.get(member.space)
        if member.remote and room is not None and room.monitor is not None:
            member.remote = False
            with contextlib.suppress(JanusError):
                await room.monitor.request(rtp_publishers.remove_request(room, member.feed_id))
        prepared = member.prepared.handle if member.prepared is not None else None
        handles = [h for h in (member.publisher, member.subscriber, prepared) if h is not None]
        member.publisher = member.subscriber = member.prepared = None
        member.reset()
        for handle in handles:
            with contextlib.suppress(JanusError):
                await handle.detach()

    # --- rooms ----------------------------------------------------------------------------

    async def _ensure_room(self, room: VideoRoom) -> bool:
        """Make the VideoRoom on an instance that is up; False when none is."""
        async with room.lock:
            if room.alive:
                return True
            try:
                instance = await self._pool.instance_for(room.key)
                assert instance.session is not None
                room.instance, room.room_id = instance, _random_id()
                room.secret = secrets.token_hex(16)
                room.feeds.clear()
                room.loudness = Loudness()
                handle = await instance.session.attach()
                recording = self._recordings.create_options(room.key)
                body: dict[str, Any] = {
                    "request": "create",
                    "room": room.room_id,
                    "secret": room.secret,
                    "publishers": room.capacity,
                    "bitrate": ROOM_BITRATE,
                    "bitrate_cap": True,
                    "fir_freq": FIR_FREQ_S,
                    "audiocodec": "opus",
                    "videocodec": "vp8,h264",
                    "h264_profile": H264_PROFILE,
                    "is_private": True,
                    "permanent": False,
                    "notify_joining": False,
                    "audiolevel_event": True,
                    "audio_active_packets": AUDIO_ACTIVE_PACKETS,
                    "audio_level_average": AUDIO_LEVEL_AVERAGE,
                } | recording
                if instance.admin_key:
                    body["admin_key"] = instance.admin_key
                await handle.request(body)
                handle.on_event = lambda event: self._on_monitor_event(room, event)
                data, _ = await handle.request(
                    {
                        "request": "join",
                        "ptype": "publisher",
                        "room": room.room_id,
                        "id": _random_id(),
                        "display": "salon",
                    }
                )
                room.monitor = handle
                await self._recordings.catch_up(room, recording)
                self._publishers(room, data.get("publishers", []))
                room.ready.set()
                return True
            except (JanusError, NoSfuUp) as error:
                log.warning("sfu: cannot make the room for %s: %s", room.key, error)
                room.ready.clear()
                room.lost = True  # made, and its members told, when an instance is up
                return False

    async def _destroy(self, room: VideoRoom) -> None:
        self._rooms.pop(room.key, None)
        self._pool.release(room.key)
        monitor, room.monitor = room.monitor, None
        room.ready.clear()
        if monitor is not None:
            with contextlib.suppress(JanusError):
                await monitor.request(
                    {"request": "destroy", "room": room.room_id, "secret": room.secret}
                )
                await monitor.detach()

    def _on_monitor_event(self, room: VideoRoom, event: dict[str, Any]) -> None:
        data = event.get("plugindata", {}).get("data", {})
        log.debug("sfu: room %s: %s", room.key, data)
        if "publishers" in data:
            self._publishers(room, data["publishers"])
        gone = data.get("unpublished", data.get("leaving"))
        if isinstance(gone, int) and gone in room.feeds:
            room.feeds[gone].streams = []
            room.loudness.gone(gone)
            self._forwards_changed(room)
            self._reconcile_all(room)
        kind, feed_id = data.get("videoroom"), data.get("id")
        if kind in ("talking", "stopped-talking") and isinstance(feed_id, int):
            self._talking(room, feed_id, kind == "talking", data.get("audio-level-dBov-avg"))

    def _talking(self, room: VideoRoom, feed_id: int, talking: bool, level: object) -> None:
        """A voice started or stopped: when that changes who is among the loudest, everyone's
        audio follows."""
        before = self._leaders(room)
        now = asyncio.get_running_loop().time()
        if talking:
            dbov = int(level) if isinstance(level, int | float) else 0
            room.loudness.heard(feed_id, dbov, now)
        else:
            room.loudness.quiet(feed_id, now)
        if self._leaders(room) != before:
            self._reconcile_all(room)

    @staticmethod
    def _leaders(room: VideoRoom) -> tuple[frozenset[str], frozenset[str]]:
        """The N and N + 1 loudest: what every member's choice of voices depends on."""
        ranking = room.loudness.ranking()
        return frozenset(ranking[: room.voices]), frozenset(ranking[: room.voices + 1])

    def _publishers(self, room: VideoRoom, publishers: list[dict[str, Any]]) -> None:
        """Janus says who publishes what: note it, apply pending moderation, and subscribe."""
        for publisher in publishers:
            feed_id = publisher.get("id")
            owner = next((m for m in room.members.values() if m.feed_id == feed_id), None)
            if owner is None or not isinstance(feed_id, int):
                continue
            room.feeds[feed_id] = Feed(owner.participant_id, feed_id, publisher.get("streams", []))
            self._recordings.note_feed(
                room.key, feed_id, owner.participant_id, room.feeds[feed_id].streams
            )
            room.loudness.publishing(feed_id, owner.participant_id)
            if owner.audio_muted:
                self._spawn(self._moderate(room, owner))
        self._reconcile_all(room)
        self._forwards_changed(room)

    def _reconcile_all(self, room: VideoRoom) -> None:
        for member in list(room.members.values()):
            self._spawn(self._subscriptions.reconcile(room, member))

    # --- publishing -----------------------------------------------------------------------

    async def publish(
        self, participant_id: str, offer: dict[str, Any], screen_mid: str | None, restart: bool
    ) -> dict[str, Any] | None:
        """The browser's publisher offer; Janus's answer, or None when there is no SFU now."""
        member = self._members.get(participant_id)
        if member is None or not member.publishes:
            return None
        room = self._rooms[member.space]
        if not await self._ensure_room(room):
            member.send({"type": "sfu-state", "state": "reconnecting"})
            return None
        assert room.instance is not None
        assert room.instance.session is not None
        descriptions = [{"mid": screen_mid, "description": "screen"}] if screen_mid else []
        member.screen_mid = screen_mid
        if restart and member.publisher is not None:
            old, member.publisher = member.publisher, None
            room.feeds.pop(member.feed_id, None)
            room.loudness.gone(member.feed_id)
            with contextlib.suppress(JanusError):
                await old.detach()
        if member.publisher is None:
            handle = await room.instance.session.attach()
            member.publisher = handle
            member.feed_id = _random_id()
            _, answer = await handle.request(
                {
                    "request": "joinandconfigure",
                    "ptype": "publisher",
                    "room": room.room_id,
                    "id": member.feed_id,
                    "display": participant_id,
                    "audio": True,
                    "video": True,
                    "descriptions": descriptions,
                },
                offer,
            )
        else:
            _, answer = await member.publisher.request(
                {"request": "configure", "descriptions": descriptions}, offer
            )
        return answer

    async def publish_rtp(self, participant_id: str) -> dict[str, Any] | None:
        """A plain-RTP publisher for the participant (`rtp_publishers.py`); where to send, or
        None when there is no SFU now or it already publishes."""
        member = self._members.get(participant_id)
        if member is None or not member.publishes or member.publisher or member.remote:
            return None
        room = self._rooms[member.space]
        if not await self._ensure_room(room) or room.monitor is None:
            return None
        member.feed_id, member.remote = _random_id(), True
        try:
            answer, _ = await room.monitor.request(
                rtp_publishers.add_request(room, member.feed_id, participant_id)
            )
        except JanusError as error:
            member.remote = False
            log.warning("sfu: no RTP publisher for %s: %s", participant_id, error)
            return None
        return rtp_publishers.published(answer)

    async def candidate(
        self, participant_id: str, target: str, candidate: dict[str, Any] | None
    ) -> None:
        member = self._members.get(participant_id)
        handle = None
        if member is not None:
            handle = member.publisher if target == "publisher" else member.subscriber
        if handle is not None:
            with contextlib.suppress(JanusError):
                await handle.trickle(candidate)

    async def view(
        self,
        participant_id: str,
        videos: Sequence[tuple[str, str, int]],
        pinned: Sequence[str],
    ) -> None:
        """`sfu-view`: the videos the browser shows and whom it pinned."""
        shown = tuple(
            ShownVideo(pid, "screen" if kind == "screen" else "camera", substream)
            for pid, kind, substream in videos
        )
        await self._subscriptions.set_view(participant_id, View(shown, frozenset(pinned)))

    # --- host moderation ------------------------------------------------------------------

    async def mute_audio(self, participant_id: str, muted: bool) -> None:
        """A host's mute stops the participant's audio in Janus, whatever the browser sends;
        it lasts until the participant turns the microphone on again."""
        member = self._members.get(participant_id)
        if member is None or member.audio_muted == muted:
            return
        member.audio_muted = muted
        room = self._rooms.get(member.space)
        if room is not None and member.feed_id in room.feeds:
            await self._moderate(room, member)

    async def _moderate(self, room: VideoRoom, member: Member) -> None:
        feed = room.feeds.get(member.feed_id)
        if feed is None or room.monitor is None:
            return
        for stream in feed.streams:
            if stream.get("type") == "audio" and not stream.get("disabled"):
                with contextlib.suppress(JanusError):
                    await room.monitor.request(
                        {
                            "request": "moderate",
                            "room": room.room_id,
                            "secret": room.secret,
                            "id": feed.feed_id,
                            "mid": stream["mid"],
                            "mute": member.audio_muted,
                        }
                    )

    async def kick(self, participant_id: str) -> None:
        """A host removed the participant: Janus drops its feed at once, then the handles go."""
        member = self._members.get(participant_id)
        room = self._rooms.get(member.space) if member is not None else None
        if member is not None and room is not None and room.monitor and member.publisher:
            with contextlib.suppress(JanusError):
                await room.monitor.request(
                    {
                        "request": "kick",
                        "room": room.room_id,
                        "secret": room.secret,
                        "id": member.feed_id,
                    }
                )
        await self.leave(participant_id)

    async def record(self, room_name: str, folder: Path | None) -> None:
        """Record every track published in `room_name` (and its breakout groups) into `folder`,
        or stop recording it (None)."""
        await self._recordings.switch(room_name, folder, list(self._rooms.values()))

    async def stream(self, room_name: str, target: tuple[str, str | None] | None) -> None:
        """Stream `room_name`'s main room live to `target` (URL and RTMP tcUrl), or stop."""
        room = self._rooms.get(room_name)
        sink = None if target is None else LivePipeline(*target)
        await self._streams.switch(room_name, sink, room if room and room.alive else None)

    async def caption(self, room_name: str, sink: FeedSink | None) -> None:
        """Forward the audio of `room_name`'s main room to `sink` (live captions), or stop."""
        room = self._rooms.get(room_name)
        await self._captions.switch(room_name, sink, room if room and room.alive else None)

    def _forwards_changed(self, room: VideoRoom) -> None:
        self._streams.changed(room)
        self._captions.changed(room)

    # --- recovery -------------------------------------------------------------------------

    def _instance_down(self, name: str) -> None:
        for room in list(self._rooms.values()):
            if room.instance is not None and room.instance.name == name:
                room.ready.clear()
                room.instance = None
                room.monitor = None
                room.feeds.clear()
                room.lost = True
                self._pool.release(room.key)
                for member in room.members.values():
                    member.publisher = member.subscriber = member.prepared = None
                    member.reset()
                    member.receiving = member.remote = False
                    member.send({"type": "sfu-state", "state": "reconnecting"})
        self._spawn(self._recover())

    def _instance_up(self, _name: str) -> None:
        self._spawn(self._recover())

    async def _recover(self) -> None:
        """Make again every room that lost its instance, and tell its members to start over."""
        for room in [r for r in self._rooms.values() if r.lost]:
            if await self._ensure_room(room) and room.lost:
                room.lost = False
                for member in list(room.members.values()):
                    member.send({"type": "sfu-state", "state": "ready"})
                self._reconcile_all(room)

    def forwarded_tracks(self, key: str) -> int:
        """How many tracks Janus forwards for a room now: each member's subscription."""
        room = self._rooms.get(key)
        return 0 if room is None else sum(len(m.subscribed()) for m in room.members.values())

    # --- helpers --------------------------------------------------------------------------

    # --- receiving (subscription.py) -----------------------------------------------------------

    async def answer(
        self, participant_id: str, answer: dict[str, Any], subscription: int | None
    ) -> None:
        await self._subscriptions.answer(participant_id, answer, subscription)

    async def resubscribe(self, participant_id: str) -> None:
        await self._subscriptions.resubscribe(participant_id)

    def resend_offer(self, participant_id: str) -> None:
        self._subscriptions.resend_offer(participant_id)

    async def quality(self, participant_id: str, of: str, substream: int) -> None:
        await self._subscriptions.quality(participant_id, of, substream)

    def room_of(self, member: Member) -> VideoRoom | None:
        return self._rooms.get(member.space)

    def member(self, participant_id: str) -> Member | None:
        return self._members.get(participant_id)

    def usage(self) -> list[InstanceUsage]:
        """Each instance's state, rooms, publishers and forwarded tracks, for metrics."""
        by_name = {
            name: InstanceUsage(name, instance.up, instance.process is not None)
            for name, instance in self._pool.instances.items()
        }
        for room in self._rooms.values():
            usage = by_name.get(room.instance.name) if room.instance is not None else None
            if usage is None:
                continue
            usage.rooms += 1
            usage.publishers += len(room.feeds)
            usage.forwarded_tracks += sum(len(m.subscribed()) for m in room.members.values())
        return list(by_name.values())

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("sfu: background work failed", exc_info=task.exception())
