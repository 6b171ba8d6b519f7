"""The default engine: CMU PocketSphinx with the US English model its wheel ships.

Audio is cut into utterances by PocketSphinx's own voice-activity endpointer, and each is decoded
on its own, so every segment has the time it was spoken. A decoder is made per call (about 0.8 s
to load): decoders are not thread-safe, and one job transcribes one track at a time.

The participants' names (`vocabulary`) are not used: teaching the decoder the names its
dictionary lacks (with espeak-ng's pronunciations) changed nothing measurable in
`bench/transcription.py` (no name heard, with or without; docs/transcription.md), so it went.
"""

import io
from collections.abc import Sequence

from salon.transcription.engine import SAMPLE_RATE
from salon.transcription.model import Segment

FILLERS = frozenset({"<s>", "</s>", "<sil>", "[NOISE]", "[SPEECH]"})


class PocketsphinxEngine:
    name = "pocketsphinx"
    languages: tuple[str, ...] = ("en", "en-US", "en-GB")
    """The model is US English; British speech is recognised by it, less well."""

    def __init__(self) -> None:
        import pocketsphinx  # a 40 MB package with its model: loaded when an engine is made

        self._ps = pocketsphinx

    def transcribe(self, pcm: bytes, vocabulary: Sequence[str] = ()) -> list[Segment]:
        decoder = self._ps.Decoder(samprate=SAMPLE_RATE, loglevel="FATAL")
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
