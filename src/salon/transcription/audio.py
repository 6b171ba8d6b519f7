"""Decoding a track for an engine: ffmpeg turns any audio file into 16 kHz mono 16-bit PCM."""

from pathlib import Path

from salon.jobs.model import JobFailed
from salon.jobs.subprocess import run_niced
from salon.transcription.engine import SAMPLE_RATE

DECODE_TIMEOUT_S = 1800.0


async def decode_pcm(path: Path) -> bytes:
    """The samples of `path`, or `JobFailed` when ffmpeg cannot read it."""
    try:
        return await run_niced(
            ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-i", str(path),
             "-vn", "-ac", "1", "-ar", str(SAMPLE_RATE), "-f", "s16le", "-"],
            timeout_s=DECODE_TIMEOUT_S,
        )  # fmt: skip
    except JobFailed as error:
        raise JobFailed(f"the audio of {path.name} could not be decoded: {error}") from None
