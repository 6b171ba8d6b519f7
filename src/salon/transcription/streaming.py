"""A speaker's audio transcribed as it arrives, for live captions.

PCM (16 kHz mono 16-bit) is cut into utterances by PocketSphinx's voice-activity `Endpointer`
(about 0.3 s of silence ends one). With PocketSphinx the decoder is fed each frame of an
utterance as it comes (`start_utt`/`process_raw`/`hyp`/`end_utt`), so the words so far are
heard every chunk (interim captions) and all of them when the utterance ends (final). An engine
without a streaming decoder (faster-whisper) transcribes each utterance when it ends: finals only.

A stream is synchronous and not thread-safe: the caller runs it in one worker thread at a time.
"""

import threading
from typing import Any, Protocol

from salon.transcription.captions import Heard
from salon.transcription.engine import BYTES_PER_SECOND, SAMPLE_RATE, SpeechEngine
from salon.transcription.pocketsphinx_engine import FILLERS

LIVE_DECODER: dict[str, Any] = {"fwdflat": False, "maxhmmpf": 3000, "maxwpf": 5}
"""A narrower search than recordings' (no second flat pass, fewer active HMMs and words per
frame): about half the CPU for the same words on the benchmark's speech, so captions keep up on
a shared core."""
MAX_UTTERANCE_S = 15.0
"""A longer utterance is ended here (a monologue without pauses still gets final captions)."""


class SpeechStream(Protocol):
    def accept(self, pcm: bytes) -> list[Heard]:
        """What was heard once `pcm` (any length) is added to the speaker's audio."""
        ...

    def finish(self) -> list[Heard]:
        """The utterance under way, ended (the audio stopped)."""
        ...


class DecoderPool:
    """PocketSphinx decoders, shared by every speaker of every room: one is taken when an
    utterance starts and given back when it ends. Loading one takes about a second of CPU during
    which the extension holds the GIL (the event loop stalls), so they are loaded once, and a
    process needs only as many as utterances overlap."""

    def __init__(self) -> None:
        self._idle: list[Any] = []
        self._lock = threading.Lock()

    def take(self) -> Any:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        import pocketsphinx

        return pocketsphinx.Decoder(samprate=SAMPLE_RATE, loglevel="FATAL", **LIVE_DECODER)

    def give(self, decoder: Any) -> None:
        with self._lock:
            self._idle.append(decoder)


DECODERS = DecoderPool()


def _words(text: str) -> str:
    return " ".join(word for word in text.split() if word not in FILLERS)


class _Framed:
    """Whole endpointer frames out of chunks of any length, with the time of each."""

    def __init__(self) -> None:
        import pocketsphinx

        self.endpointer: Any = pocketsphinx.Endpointer(sample_rate=SAMPLE_RATE)
        self._frame_bytes = int(self.endpointer.frame_bytes)
        self._pending = b""
        self.heard_s = 0.0
        """Seconds of audio given to the endpointer so far."""

    def frames(self, pcm: bytes) -> list[bytes]:
        data = self._pending + pcm
        whole = len(data) - len(data) % self._frame_bytes
        self._pending = data[whole:]
        return [data[at : at + self._frame_bytes] for at in range(0, whole, self._frame_bytes)]

    def advance(self, frame: bytes) -> None:
        self.heard_s += len(frame) / BYTES_PER_SECOND


class PocketsphinxStream:
    def __init__(self, pool: DecoderPool = DECODERS) -> None:
        self._framed = _Framed()
        self._pool = pool
        self._decoder: Any = None
        """Held from the start of an utterance to its end."""
        self._started_s: float | None = None

    def accept(self, pcm: bytes) -> list[Heard]:
        heard: list[Heard] = []
        grew = False
        endpointer = self._framed.endpointer
        for frame in self._framed.frames(pcm):
            was_speech = endpointer.in_speech
            speech = endpointer.process(frame)
            self._framed.advance(frame)
            if speech is None:
                continue
            if not was_speech or self._started_s is None:
                if self._decoder is None:
                    self._decoder = self._pool.take()
                self._decoder.start_utt()
                self._started_s = float(endpointer.speech_start)
            self._decoder.process_raw(speech, False, False)
            grew = True
            too_long = self._framed.heard_s - self._started_s > MAX_UTTERANCE_S
            if not endpointer.in_speech or too_long:
                heard += self._end(float(endpointer.speech_end) if not too_long else None)
                grew = False
        if grew and self._started_s is not None and self._decoder is not None:
            hypothesis = self._decoder.hyp()
            text = _words(hypothesis.hypstr) if hypothesis is not None else ""
            if text:
                heard.append(Heard(text, False, self._started_s, self._framed.heard_s))
        return heard

    def _end(self, end_s: float | None) -> list[Heard]:
        if self._started_s is None or self._decoder is None:
            return []
        self._decoder.end_utt()
        started, self._started_s = self._started_s, None
        hypothesis = self._decoder.hyp()
        decoder, self._decoder = self._decoder, None
        self._pool.give(decoder)
        text = _words(hypothesis.hypstr) if hypothesis is not None else ""
        end = end_s if end_s is not None else self._framed.heard_s
        return [Heard(text, True, started, end)] if text else []

    def finish(self) -> list[Heard]:
        return self._end(None)


class UtteranceStream:
    """For an engine that transcribes whole utterances: each is transcribed when it ends."""

    def __init__(self, engine: SpeechEngine) -> None:
        self._engine = engine
        self._framed = _Framed()
        self._speech = bytearray()
        self._started_s: float | None = None

    def accept(self, pcm: bytes) -> list[Heard]:
        heard: list[Heard] = []
        endpointer = self._framed.endpointer
        for frame in self._framed.frames(pcm):
            was_speech = endpointer.in_speech
            speech = endpointer.process(frame)
            self._framed.advance(frame)
            if speech is None:
                continue
            if not was_speech or self._started_s is None:
                self._started_s = float(endpointer.speech_start)
            self._speech += speech
            if not endpointer.in_speech or len(self._speech) > MAX_UTTERANCE_S * BYTES_PER_SECOND:
                heard += self.finish()
        return heard

    def finish(self) -> list[Heard]:
        if self._started_s is None:
            return []
        started, self._started_s = self._started_s, None
        pcm, self._speech = bytes(self._speech), bytearray()
        text = " ".join(segment.text for segment in self._engine.transcribe(pcm)).strip()
        return [Heard(text, True, started, started + len(pcm) / BYTES_PER_SECOND)] if text else []


def speech_stream(engine: SpeechEngine) -> SpeechStream:
    """A live stream over `engine`: PocketSphinx's decoder streams; others go by utterance."""
    if engine.name == "pocketsphinx":
        return PocketsphinxStream()
    return UtteranceStream(engine)
