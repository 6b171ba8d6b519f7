"""aiortc bots that join a group room through Salon's signaling protocol, as a browser would:
cheap extra publishers and subscribers for the SFU tests and the benchmark.

    join ──► joined (media "sfu") ──► publisher PC: offer ──sfu-publish──► sfu-published (answer)
         ◄── sfu-offer (Janus's subscriber offer) ──► subscriber PC: answer ──sfu-answer──►
         ◄── sfu-state ready (after a Janus restart) ──► both PCs afresh

A bot publishes a small moving picture (so every frame differs, as a camera's do) and a tone, and
counts what it receives per participant: decoded video frames and audio frames.

`count_without_decoding()` turns this process's bots into cheaper subscribers for the benchmark:
they count the complete encoded frames aiortc reassembles (video from its first keyframe on)
instead of decoding them, so two cores can hold more of them beside Janus.
"""

import asyncio
import contextlib
import fractions
import json
import logging
import queue
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy
from aiortc import (
    MediaStreamTrack,
    RTCBundlePolicy,
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCSessionDescription,
    rtcrtpreceiver,
)
from aiortc.jitterbuffer import JitterFrame
from aiortc.mediastreams import MediaStreamError
from av import AudioFrame, VideoFrame
from websockets.asyncio.client import ClientConnection, connect

log = logging.getLogger(__name__)

VIDEO_SIZE = (240, 180)
"""Small by default: tests run many bots on two cores (the benchmark asks for larger)."""
FPS = 15
AUDIO_RATE = 48_000
AUDIO_SAMPLES = 960  # 20 ms


class MovingPicture(MediaStreamTrack):
    """A gradient that shifts each frame: cheap to make, and a real load for the encoder."""

    kind = "video"

    def __init__(self, size: tuple[int, int] = VIDEO_SIZE) -> None:
        super().__init__()
        width, height = size
        self._base = numpy.add.outer(numpy.arange(height), numpy.arange(width)).astype(numpy.uint16)
        self._count = 0
        self._start = 0.0

    async def recv(self) -> VideoFrame:
        if self._count == 0:
            self._start = time.monotonic()
        due = self._start + self._count / FPS
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        shade = ((self._base + self._count * 4) % 256).astype(numpy.uint8)
        picture = numpy.stack([shade, numpy.roll(shade, 40, axis=1), shade[::-1]], axis=2)
        frame = VideoFrame.from_ndarray(picture, format="rgb24")
        frame.pts = self._count * (90_000 // FPS)
        frame.time_base = fractions.Fraction(1, 90_000)
        self._count += 1
        return frame


class Tone(MediaStreamTrack):
    """A quiet 440 Hz tone in 20 ms frames; silence while `loud` is off (a participant who is
    not talking: Janus hears the difference in the audio level each packet carries)."""

    kind = "audio"

    def __init__(self, loud: bool = True) -> None:
        super().__init__()
        self.loud = loud
        self._silence = numpy.zeros(AUDIO_SAMPLES, dtype=numpy.int16)
        self._count = 0
        self._start = 0.0
        t = numpy.arange(AUDIO_SAMPLES) / AUDIO_RATE
        self._samples = (numpy.sin(2 * numpy.pi * 440 * t) * 3000).astype(numpy.int16)

    async def recv(self) -> AudioFrame:
        if self._count == 0:
            self._start = time.monotonic()
        due = self._start + self._count * AUDIO_SAMPLES / AUDIO_RATE
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        samples = self._samples if self.loud else self._silence
        frame = AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = AUDIO_RATE
        frame.pts = self._count * AUDIO_SAMPLES
        frame.time_base = fractions.Fraction(1, AUDIO_RATE)
        self._count += 1
        return frame


def _count_worker(
    loop: asyncio.AbstractEventLoop,
    encoded: "queue.Queue[tuple[Any, JitterFrame] | None]",
    frames: "asyncio.Queue[JitterFrame | None]",
    decode_error: threading.Event,
) -> None:
    """Stands in for aiortc's decoder thread: hands each complete encoded frame to the track,
    video only from its first keyframe on (before one, a decoder would have nothing to show)."""
    keyframe_seen = False
    while (task := encoded.get()) is not None:
        codec, frame = task
        if codec.name == "VP8" and not keyframe_seen:
            keyframe_seen = bool(frame.data) and frame.data[0] & 0x01 == 0  # RFC 7741: P bit
            if not keyframe_seen:
                continue
        asyncio.run_coroutine_threadsafe(frames.put(frame), loop)
    asyncio.run_coroutine_threadsafe(frames.put(None), loop)


def count_without_decoding() -> None:
    """From now on, this process's receivers count encoded frames instead of decoding them."""
    rtcrtpreceiver.decoder_worker = _count_worker  # type: ignore[assignment]


@dataclass
class Received:
    video_frames: int = 0
    audio_frames: int = 0
    first_frame_at: float | None = None
    first_video_at: float | None = None
    first_audio_at: float | None = None


@dataclass
class Bot:
    """One participant: a signaling socket and up to two peer connections."""

    base_url: str
    room: str
    name: str
    room_key: str | None = None
    publishes: bool = True
    speaking: bool = True
    """Whether its tone sounds (else it sends silence); `speak()` changes it."""
    view: list[dict[str, Any]] | None = None
    """The videos it asks for in `sfu-view` (None: it sends none, and receives every video)."""
    video_size: tuple[int, int] = VIDEO_SIZE
    id: str | None = None
    joined_at: float | None = None
    received: dict[str, Received] = field(default_factory=lambda: defaultdict(Received))
    frames: list[dict[str, Any]] = field(default_factory=list)
    states: list[str] = field(default_factory=list)
    _socket: ClientConnection | None = None
    _publisher: RTCPeerConnection | None = None
    _subscriber: RTCPeerConnection | None = None
    _mids: dict[str, str] = field(default_factory=dict)
    _subscription: int | None = None
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _ice: list[RTCIceServer] = field(default_factory=list)
    _tone: Tone | None = None
    _closed: bool = False

    @property
    def pid(self) -> str:
        assert self.id is not None, f"{self.name} has not joined"
        return self.id

    async def join(self) -> None:
        url = self.base_url.replace("http://", "ws://", 1) + "/_salon/signal"
        self._socket = await connect(url, max_size=2**20)
        join: dict[str, Any] = {"type": "join", "v": 1, "room": self.room, "displayName": self.name}
        if self.room_key:
            join["roomKey"] = self.room_key
        await self._send(join)
        self._tasks.append(asyncio.create_task(self._read()))

    async def _send(self, message: dict[str, Any]) -> None:
        assert self._socket is not None
        await self._socket.send(json.dumps(message))

    async def _read(self) -> None:
        assert self._socket is not None
        with contextlib.suppress(Exception):
            async for text in self._socket:
                message = json.loads(text)
                self.frames.append(message)
                try:
                    await self._on(message)
                except Exception:
                    log.exception("bot %s: %s failed", self.name, message.get("type"))

    async def _on(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "joined":
            self.id = message["participantId"]
            self.joined_at = time.monotonic()
            self._ice = [
                RTCIceServer(s["urls"], s.get("username"), s.get("credential"))
                for s in message.get("iceServers", [])
            ]
            assert message["media"] == "sfu", message
            if self.view is not None:
                await self._send({"type": "sfu-view", "videos": self.view})
            if self.publishes:
                await self._publish()
            await self._send({"type": "sfu-subscribe"})
        elif kind == "sfu-published":
            assert self._publisher is not None
            await self._publisher.setRemoteDescription(
                RTCSessionDescription(message["description"]["sdp"], "answer")
            )
        elif kind == "sfu-offer":
            await self._answer(message)
        elif kind == "sfu-state":
            self.states.append(message["state"])
            if message["state"] == "ready":
                await self._restart()

    def _new_pc(self) -> RTCPeerConnection:
        # max-bundle, as Janus offers: under aiortc's default (balanced), a second video stream
        # keeps the first one's pre-bundle transport, never starts, and its packets reach the
        # first video receiver, which fails to decode them and floods the publisher with PLIs.
        configuration = RTCConfiguration(self._ice, bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)
        return RTCPeerConnection(configuration)

    async def _publish(self) -> None:
        if self._publisher is not None:
            await self._publisher.close()
        pc = self._publisher = self._new_pc()
        self._tone = Tone(self.speaking)
        pc.addTrack(self._tone)
        pc.addTrack(MovingPicture(self.video_size))
        await pc.setLocalDescription(await pc.createOffer())
        offer = pc.localDescription
        await self._send(
            {
                "type": "sfu-publish",
                "description": {"type": "offer", "sdp": offer.sdp},
                "restart": True,
            }
        )

    async def _answer(self, message: dict[str, Any]) -> None:
        for stream in message["streams"]:
            self._mids[stream["mid"]] = stream["participantId"]
        if message["subscription"] != self._subscription and self._subscriber is not None:
            await self._subscriber.close()  # a new subscription: a new connection
            self._subscriber = None
        self._subscription = message["subscription"]
        if self._subscriber is None:
            pc = self._subscriber = self._new_pc()

            @pc.on("connectionstatechange")
            async def on_state() -> None:
                # Janus gave up on the connection (e.g. consent lost on a busy machine): start
                # receiving afresh, as the room page does.
                if pc is self._subscriber and pc.connectionState in ("failed", "closed"):
                    self._subscriber = None
                    if not self._closed:
                        await self._send({"type": "sfu-subscribe"})

            @pc.on("track")
            def on_track(track: MediaStreamTrack) -> None:
                transceiver = next(
                    (t for t in pc.getTransceivers() if t.receiver.track is track), None
                )
                mid = transceiver.mid if transceiver is not None else None
                self._tasks.append(asyncio.create_task(self._count(track, mid)))

        pc = self._subscriber
        await pc.setRemoteDescription(RTCSessionDescription(message["description"]["sdp"], "offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        await self._send(
            {
                "type": "sfu-answer",
                "description": {"type": "answer", "sdp": pc.localDescription.sdp},
                "subscription": self._subscription,
            }
        )
        # A bot watches thumbnails: the smallest simulcast layer, the cheapest to decode.
        for participant in {s["participantId"] for s in message["streams"]}:
            await self._send({"type": "sfu-quality", "participantId": participant, "substream": 0})

    async def _count(self, track: MediaStreamTrack, mid: str | None) -> None:
        while True:
            try:
                await track.recv()
            except MediaStreamError:
                return
            owner = self._mids.get(mid or "", "?")
            got = self.received[owner]
            if got.first_frame_at is None:
                got.first_frame_at = time.monotonic()
            if track.kind == "video":
                got.video_frames += 1
                if got.first_video_at is None:
                    got.first_video_at = time.monotonic()
            else:
                got.audio_frames += 1
                if got.first_audio_at is None:
                    got.first_audio_at = time.monotonic()

    async def _restart(self) -> None:
        if self._subscriber is not None:
            await self._subscriber.close()
            self._subscriber = None
        if self.publishes:
            await self._publish()
        await self._send({"type": "sfu-subscribe"})

    def speak(self, on: bool) -> None:
        self.speaking = on
        if self._tone is not None:
            self._tone.loud = on

    @property
    def publisher(self) -> RTCPeerConnection | None:
        return self._publisher

    async def send(self, message: dict[str, Any]) -> None:
        await self._send(message)

    async def close(self) -> None:
        self._closed = True
        for task in self._tasks:
            task.cancel()
        for pc in (self._publisher, self._subscriber):
            if pc is not None:
                await pc.close()
        if self._socket is not None:
            await self._socket.close()
