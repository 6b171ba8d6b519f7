"""Live transcription of a room, as the room needs it (`rooms.captions.LiveCaptioning`): start
hearing its speakers through the group media server, stop, and keep the session's transcript.

    start ──► row in progress + transcription.started ──► media.caption(room, CaptionPipeline)
    stop  ──► media.caption(room, None) (the last utterances end) ──► keep(lines)
    keep  ──► Markdown file ──► ready + transcription.finished
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from salon.clock import Clock
from salon.ids import RoomSessionId
from salon.meetings.model import Meeting
from salon.transcription.engine import SpeechEngine
from salon.transcription.live import CaptionPipeline, OnHeard
from salon.transcription.model import Line, Transcription
from salon.transcription.service import TranscriptionService
from salon.transcription.streaming import SpeechStream, speech_stream

log = logging.getLogger(__name__)


class CaptionMedia(Protocol):
    async def caption(self, room_name: str, sink: CaptionPipeline | None) -> None: ...


@dataclass
class _Live:
    transcription: Transcription
    pipeline: CaptionPipeline


class LiveTranscriber:
    def __init__(
        self,
        media: CaptionMedia | None,
        engine: SpeechEngine,
        transcriptions: TranscriptionService,
        clock: Clock,
        new_stream: Callable[[], SpeechStream] | None = None,
    ) -> None:
        self._media = media
        self._engine = engine
        self._transcriptions = transcriptions
        self._clock = clock
        self._new_stream = new_stream or (lambda: speech_stream(engine))
        self._live: dict[str, _Live] = {}

    @property
    def available(self) -> bool:
        """Live transcription needs the group media server (it forwards the speakers' audio)."""
        return self._media is not None

    async def start(
        self,
        meeting: Meeting,
        session_id: RoomSessionId | None,
        started_ms: int,
        on_heard: OnHeard,
    ) -> str | None:
        """Start hearing the meeting's room; why not, when it cannot."""
        name = str(meeting.room_name)
        if self._media is None:
            return "live transcription needs this server's SFU"
        if name in self._live:
            return None
        transcription = await self._transcriptions.start_live(
            meeting.org_id, meeting.room_name, session_id, started_ms
        )
        pipeline = CaptionPipeline(self._new_stream, on_heard, self._clock)
        self._live[name] = _Live(transcription, pipeline)
        await self._media.caption(name, pipeline)
        log.info("captions: %s is transcribed live (%s)", name, self._engine.name)
        return None

    async def stop(self, meeting: Meeting) -> None:
        """Stop hearing; the utterances under way end (their final captions come first)."""
        live = self._live.get(str(meeting.room_name))
        if self._media is None or live is None:
            return
        await self._media.caption(str(meeting.room_name), None)
        await live.pipeline.stop()

    async def keep(self, meeting: Meeting, lines: list[Line], ended_ms: int) -> None:
        """Keep the session's transcript (after `stop`)."""
        live = self._live.pop(str(meeting.room_name), None)
        if live is None:
            return
        await self._transcriptions.finish_live(live.transcription, lines, ended_ms)
        log.info("captions: %s: %d lines kept", meeting.room_name, len(lines))
