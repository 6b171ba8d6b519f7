"""The default engine: CMU PocketSphinx with the US English model its wheel ships.

Audio is cut into utterances by PocketSphinx's own voice-activity endpointer, and each is decoded
on its own, so every segment has the time it was spoken. A decoder is made per call (about 0.8 s
to load): decoders are not thread-safe, and one job transcribes one track at a time.

Vocabulary (the participants' names): a word the dictionary lacks cannot be recognised at all,
so each such name is added with espeak-ng's pronunciation (`pronounce.py`) when espeak-ng is
installed; names the dictionary has are left as they are. `bench/transcription.py` measures
what this changes.
"""

import io
import re
import shutil
import subprocess
from collections.abc import Sequence
from typing import Any

from salon.transcription.engine import SAMPLE_RATE
from salon.transcription.model import Segment
from salon.transcription.pronounce import arpabet

FILLERS = frozenset({"<s>", "</s>", "<sil>", "[NOISE]", "[SPEECH]"})
_WORD = re.compile(r"[a-z']{2,40}")
ESPEAK_TIMEOUT_S = 10.0


class PocketsphinxEngine:
    name = "pocketsphinx"
    languages: tuple[str, ...] = ("en", "en-US", "en-GB")
    """The model is US English; British speech is recognised by it, less well."""

    def __init__(self, *, learn_names: bool = True) -> None:
        import pocketsphinx  # a 40 MB package with its model: loaded when an engine is made

        self._ps = pocketsphinx
        self._espeak = shutil.which("espeak-ng") if learn_names else None

    def transcribe(self, pcm: bytes, vocabulary: Sequence[str] = ()) -> list[Segment]:
        decoder = self._ps.Decoder(samprate=SAMPLE_RATE, loglevel="FATAL")
        self._learn(decoder, vocabulary)
        segments = []
        for speech in self._ps.Segmenter(sample_rate=SAMPLE_RATE).segment(io.BytesIO(pcm)):
            decoder.start_utt()
            decoder.process_raw(speech.pcm, full_utt=True)
            decoder.end_utt()
            hypothesis = decoder.hyp()
            if hypothesis is None:
                continue
            words = [word for word in hypothesis.hypstr.split() if word not in FILLERS]
            if words:
                segments.append(Segment(speech.start_time, speech.end_time, " ".join(words)))
        return segments

    def _learn(self, decoder: Any, vocabulary: Sequence[str]) -> None:
        if self._espeak is None:
            return
        missing = sorted(
            {
                word
                for entry in vocabulary
                for word in _WORD.findall(entry.lower())
                if decoder.lookup_word(word) is None
            }
        )
        for word in missing:
            phones = arpabet(self._mnemonics(word))
            if phones:
                decoder.add_word(word, " ".join(phones), word == missing[-1])

    def _mnemonics(self, word: str) -> str:
        assert self._espeak is not None
        try:
            done = subprocess.run(
                [self._espeak, "-q", "-x", "-v", "en-us", word],
                capture_output=True,
                timeout=ESPEAK_TIMEOUT_S,
                check=True,
            )
        except (OSError, subprocess.SubprocessError):
            return ""
        return done.stdout.decode(errors="replace").strip()
