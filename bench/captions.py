"""Benchmark: live caption latency, from a word spoken to its caption.

Run: `.venv/bin/python bench/captions.py [--voices N]`

espeak-ng reads the transcription benchmark's sentences (`bench/transcription.py`), in `--voices`
voices, with 1.5 s of silence between sentences: about 100 s of speech a voice (3 voices: five
minutes). The same audio goes two ways:

- **baseline, offline**: the live decoder (`salon.transcription.streaming`) is fed the PCM in the
  live path's chunks as fast as it goes. For each word of each sentence it recognises, the audio
  position of the first hypothesis holding the word is when it was "spoken" as far as the engine
  can tell (it cannot know the word before hearing it); the engine's own share of the latency is
  the chunk's wait (up to one chunk) plus the CPU time of that chunk. The real-time factor of the
  decoder is printed too.
- **live**: ffmpeg sends the audio as Opus RTP in real time (`-re`) to 127.0.0.1, as Janus's
  `rtp_forward` does, and Salon's `CaptionPipeline` receives it (ffmpeg decoding, chunks, the
  worker thread, the decoder): for each word recognised offline, the latency is the wall-clock
  time of the first caption (interim or final) holding it, minus the time that audio position was
  sent. The sender's start-up counts against Salon (the clock starts when it is spawned).

What is not measured: Janus (a forward on loopback), and the room's broadcast and the WebSocket to
the browser (microseconds to a few milliseconds on loopback, against seconds here). The figures
are printed last: p50 and p95 of each, the ratio of live to baseline p95, and the goal (p95 ≤ 2 s).
"""

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))
from salon.recording.live import ForwardedFeed, ForwardedStream  # noqa: E402
from salon.sfu.forwarding import free_port_pair  # noqa: E402
from salon.transcription.captions import Heard  # noqa: E402
from salon.transcription.engine import BYTES_PER_SECOND  # noqa: E402
from salon.transcription.live import CHUNK_S, CaptionPipeline  # noqa: E402
from salon.transcription.streaming import PocketsphinxStream  # noqa: E402
from transcription import CONDITIONS, SENTENCES, words_of  # noqa: E402

GAP_S = 1.5
GOAL_P95_S = 2.0
MIN_WORD = 4
"""Words shorter than this (the, and, was) are not measured: too many of them match by chance."""


@dataclass
class Sentence:
    start_s: float
    end_s: float
    words: set[str]


@dataclass
class Speech:
    pcm: bytes
    sentences: list[Sentence] = field(default_factory=list)


def synthesise(folder: Path, voices: int) -> Speech:
    speech = Speech(b"")
    pcm = bytearray()
    gap = bytes(int(GAP_S * BYTES_PER_SECOND))
    pcm += gap
    for voice, speed, _noisy in CONDITIONS[:voices]:
        for sentence in SENTENCES:
            wav = folder / "s.wav"
            subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(wav), sentence],
                           check=True)  # fmt: skip
            said = subprocess.run(
                ["ffmpeg", "-loglevel", "error", "-i", str(wav), "-ac", "1", "-ar", "16000",
                 "-f", "s16le", "-"], check=True, capture_output=True,
            ).stdout  # fmt: skip
            start = len(pcm) / BYTES_PER_SECOND
            pcm += said
            words = {w for w in words_of(sentence) if len(w) >= MIN_WORD}
            speech.sentences.append(Sentence(start, len(pcm) / BYTES_PER_SECOND, words))
            pcm += gap
    speech.pcm = bytes(pcm)
    return speech


def sentence_at(speech: Speech, at_s: float) -> int | None:
    """The sentence being heard at `at_s` (or just before it: the endpointer trails)."""
    for number, sentence in enumerate(speech.sentences):
        if sentence.start_s - 0.5 <= at_s <= sentence.end_s + GAP_S:
            return number
    return None


def first_heard(
    found: dict[tuple[int, str], float], speech: Speech, heard: Heard, at: float
) -> None:
    """Note when each word of a sentence first shows in a hypothesis (keyed by sentence)."""
    number = sentence_at(speech, heard.start_s)
    if number is None:
        return
    for word in words_of(heard.text):
        if word in speech.sentences[number].words:
            found.setdefault((number, word), at)


def offline(speech: Speech) -> tuple[dict[tuple[int, str], float], list[float], float]:
    """Audio position of each word's first hypothesis; the engine's latency per word; CPU s."""
    stream = PocketsphinxStream()
    chunk = int(CHUNK_S * BYTES_PER_SECOND)
    spoken: dict[tuple[int, str], float] = {}
    engine_latency: dict[tuple[int, str], float] = {}
    cpu = 0.0
    for at in range(0, len(speech.pcm), chunk):
        started = time.process_time()
        heard = stream.accept(speech.pcm[at : at + chunk])
        spent = time.process_time() - started
        cpu += spent
        position = (at + chunk) / BYTES_PER_SECOND
        for one in heard:
            before = set(spoken)
            first_heard(spoken, speech, one, position)
            for key in set(spoken) - before:
                engine_latency[key] = CHUNK_S / 2 + spent  # the chunk's mean wait, then its work
    return spoken, list(engine_latency.values()), cpu


def write_wav(speech: Speech, folder: Path) -> Path:
    wav = folder / "all.wav"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-f", "s16le", "-ar", "16000", "-ac", "1",
         "-i", "-", "-ar", "48000", str(wav)], input=speech.pcm, check=True,
    )  # fmt: skip
    return wav


async def live(speech: Speech, wav: Path) -> dict[tuple[int, str], float]:
    """Wall-clock seconds from the audio start to each word's first caption."""
    port = free_port_pair()
    feed = ForwardedFeed(1, (ForwardedStream("audio", "opus", port),), "speaker")
    shown: dict[tuple[int, str], float] = {}
    origin = [0.0]

    def on_heard(_who: str, heard: Heard, _origin_ms: int) -> None:
        first_heard(shown, speech, heard, time.monotonic() - origin[0])

    pipeline = CaptionPipeline(PocketsphinxStream, on_heard, lambda: int(time.time() * 1000))
    await pipeline.start([feed])
    await asyncio.sleep(3.0)  # the decoder loads and ffmpeg listens before the speech starts
    origin[0] = time.monotonic()
    sender = await asyncio.create_subprocess_exec(
        "ffmpeg", "-loglevel", "error", "-re", "-i", str(wav), "-c:a", "libopus", "-b:a", "32k",
        "-payload_type", "111", "-f", "rtp", f"rtp://127.0.0.1:{port}",
        stdout=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    await sender.wait()
    await asyncio.sleep(5.0)  # the last captions (the pipeline may lag behind real time)
    await pipeline.stop()
    return shown


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voices", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="salon-bench-captions-") as name:
        folder = Path(name)
        speech = synthesise(folder, args.voices)
        audio_s = len(speech.pcm) / BYTES_PER_SECOND
        print(f"{audio_s:.0f} s of speech, {len(speech.sentences)} sentences")
        spoken, engine, cpu = offline(speech)
        print(f"offline: {len(spoken)} words heard, decoder {cpu / audio_s:.3f} CPU s per audio s")
        shown = asyncio.run(live(speech, write_wav(speech, folder)))
    latencies = [shown[key] - at for key, at in spoken.items() if key in shown]
    missed = len([key for key in spoken if key not in shown])
    print(f"live: {len(latencies)} of the words captioned ({missed} not heard live)")
    base50, base95 = percentile(engine, 0.5), percentile(engine, 0.95)
    live50, live95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
    print(f"baseline (offline decoder): p50 {base50:.3f} s, p95 {base95:.3f} s")
    print(f"live (RTP to caption):       p50 {live50:.3f} s, p95 {live95:.3f} s, max "
          f"{max(latencies):.3f} s, mean {statistics.mean(latencies):.3f} s")  # fmt: skip
    print(f"ratio live/baseline p95: {live95 / base95:.1f}; goal p95 <= {GOAL_P95_S} s: "
          f"{'met' if live95 <= GOAL_P95_S else 'NOT met'}")  # fmt: skip


if __name__ == "__main__":
    main()
