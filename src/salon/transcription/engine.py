"""What a speech engine is to Salon, and picking one from the settings.

An engine turns 16 kHz mono 16-bit PCM into timed segments of words. Engines are CPU-bound and
synchronous: the job runs them in a worker thread. Two exist:

- `PocketsphinxEngine` (the default): the `pocketsphinx` package, whose wheel carries a US
  English model, so it works on a machine with no internet;
- `WhisperEngine`: faster-whisper over a model folder the operator installed
  (`--transcription-model DIR`); neither the package nor a model is installed with Salon.
"""

from collections.abc import Sequence
from typing import Protocol

from salon.errors import InvalidInput
from salon.transcription.model import Segment

SAMPLE_RATE = 16_000
"""Every engine is given 16 kHz mono signed 16-bit little-endian samples."""
BYTES_PER_SECOND = SAMPLE_RATE * 2


class SpeechEngine(Protocol):
    name: str
    languages: tuple[str, ...]
    """Language codes (Whereby's) the engine can transcribe."""

    def transcribe(self, pcm: bytes, vocabulary: Sequence[str] = ()) -> list[Segment]:
        """Timed segments of what was said in `pcm`; `vocabulary` names words worth expecting
        (the participants' names), which an engine may use or ignore."""
        ...


class EngineUnavailable(InvalidInput):
    """The configured engine cannot be loaded; the message says why, for the operator."""


def build_engine(model_dir: str | None) -> SpeechEngine:
    """faster-whisper over `model_dir` when one is given; otherwise pocketsphinx."""
    if model_dir:
        from salon.transcription.whisper_engine import WhisperEngine

        return WhisperEngine(model_dir)
    from salon.transcription.pocketsphinx_engine import PocketsphinxEngine

    return PocketsphinxEngine()
