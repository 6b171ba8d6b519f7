"""The live side of transcription: each speaker's forwarded audio heard as it arrives.

    Janus rtp_forward (audio only, sfu/forwarding.py) ──► UDP on 127.0.0.1
      └─ ffmpeg per speaker (reads the Opus RTP through an SDP) ──► 16 kHz mono PCM on its stdout
           └─ read in chunks of CHUNK_S ──► the room's one worker thread ──► SpeechStream.accept
                └─ Heard (interim / final) ──► `on_heard(participant id, heard, origin_ms)`

`CaptionPipeline` is what the forwarding machinery drives (`start(feeds)` with the feeds now
forwarded, `stop()`): a speaker who stays keeps their ffmpeg and decoder when others come or go.
The CPU work of a room runs in one thread of its own, so a room cannot take more than one core
and the event loop never decodes; when the thread falls behind, ffmpeg blocks on its pipe and the
kernel drops the RTP that does not fit (captions lag, they do not pile up).
"""

import asyncio
import contextlib
import logging
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from salon.children import niced_child, stop_child
from salon.recording.live import ForwardedFeed
from salon.transcription.captions import Heard
from salon.transcription.engine import BYTES_PER_SECOND, SAMPLE_RATE
from salon.transcription.streaming import SpeechStream

log = logging.getLogger(__name__)

CHUNK_S = 0.1
"""How much audio is handed to the engine at a time: the interim captions' step."""
STOP_WITHIN_S = 3.0

OnHeard = Callable[[str, Heard, int], None]
"""`(participant id, what was heard, epoch ms of the speaker's audio start)`, on the loop."""


def decode_command(sdp_path: Path, program: str = "ffmpeg") -> list[str]:
    """ffmpeg reading one speaker's forwarded Opus and writing 16 kHz mono 16-bit PCM."""
    return [
        program, "-nostdin", "-hide_banner", "-loglevel", "error",
        "-protocol_whitelist", "file,udp,rtp", "-reorder_queue_size", "16",
        "-fflags", "nobuffer", "-analyzeduration", "0", "-probesize", "32", "-i", str(sdp_path),
        "-vn", "-ac", "1", "-ar", str(SAMPLE_RATE), "-f", "s16le", "-flush_packets", "1", "pipe:1",
    ]  # fmt: skip


@dataclass
class _Speaker:
    feed: ForwardedFeed
    task: asyncio.Task[None]


class CaptionPipeline:
    def __init__(
        self,
        new_stream: Callable[[], SpeechStream],
        on_heard: OnHeard,
        clock: Callable[[], int],
        program: str = "ffmpeg",
    ) -> None:
        self._new_stream = new_stream
        self.on_heard = on_heard
        """Where what the speakers say goes (public: a test may speak for a speaker)."""
        self._clock = clock
        self._program = program
        self._speakers: dict[int, _Speaker] = {}
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="salon-captions")
        self._folder = tempfile.TemporaryDirectory(prefix="salon-captions-")
        self._closed = False

    @property
    def running(self) -> bool:
        return not self._closed and all(not s.task.done() for s in self._speakers.values())

    async def start(self, feeds: list[ForwardedFeed]) -> None:
        """Hear exactly `feeds` (each with an audio stream): new speakers start, gone ones stop,
        a speaker whose ffmpeg ended starts again."""
        if self._closed:
            return
        wanted = {feed.feed_id: feed for feed in feeds if feed.streams}
        for feed_id in list(self._speakers):
            speaker = self._speakers[feed_id]
            if wanted.get(feed_id) != speaker.feed or speaker.task.done():
                await self._end(self._speakers.pop(feed_id))
        for feed_id, feed in wanted.items():
            if feed_id not in self._speakers:
                task = asyncio.create_task(self._hear(feed))
                task.add_done_callback(self._ended)
                self._speakers[feed_id] = _Speaker(feed, task)

    async def stop(self) -> None:
        if self._closed:
            return
        for feed_id in list(self._speakers):
            await self._end(self._speakers.pop(feed_id))
        self._closed = True
        self._worker.shutdown(wait=False, cancel_futures=True)
        self._folder.cleanup()

    @staticmethod
    def _ended(task: "asyncio.Task[None]") -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("captions: a speaker's audio failed", exc_info=task.exception())

    @staticmethod
    async def _end(speaker: _Speaker) -> None:
        speaker.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await speaker.task

    async def _hear(self, feed: ForwardedFeed) -> None:
        loop = asyncio.get_running_loop()
        path = Path(self._folder.name) / f"feed-{feed.feed_id}.sdp"
        path.write_text(feed.sdp())
        log.info("captions: feed %s of %s: the decoder loads", feed.feed_id, feed.participant_id)
        stream = await loop.run_in_executor(self._worker, self._new_stream)
        process = await asyncio.create_subprocess_exec(
            *niced_child(decode_command(path, self._program), 0),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        origin_ms = self._clock()
        """The first sample comes about when ffmpeg starts: the RTP is already flowing."""
        chunk = int(CHUNK_S * BYTES_PER_SECOND)
        log.info("captions: ffmpeg %d hears feed %s", process.pid, feed.feed_id)
        try:
            assert process.stdout is not None
            while True:
                try:
                    pcm = await process.stdout.readexactly(chunk)
                except asyncio.IncompleteReadError as short:
                    pcm = short.partial
                if not pcm:
                    break
                for heard in await loop.run_in_executor(self._worker, stream.accept, pcm):
                    self.on_heard(feed.participant_id, heard, origin_ms)
            for heard in await loop.run_in_executor(self._worker, stream.finish):
                self.on_heard(feed.participant_id, heard, origin_ms)
            log.warning("captions: ffmpeg for feed %s ended (%s)", feed.feed_id, process.returncode)
        except asyncio.CancelledError:
            # the speaker left or captions stopped: their last words still count
            with contextlib.suppress(RuntimeError):  # the worker may be shut down already
                last = await asyncio.shield(loop.run_in_executor(self._worker, stream.finish))
                for heard in last:
                    self.on_heard(feed.participant_id, heard, origin_ms)
            raise
        finally:
            await stop_child(process, STOP_WITHIN_S)
