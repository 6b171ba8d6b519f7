"""The audio of a recording, speaker by speaker: each participant's audio track Janus wrote
(`.mjr`), converted once (the composition job's conversions are reused), with where it starts
on the recording's timeline and whose it is (`feeds.json`, written by the SFU beside the
tracks, maps each feed to its participant)."""

import json
from dataclasses import dataclass
from pathlib import Path

from salon.recording.compose import convert, find_tracks
from salon.recording.model import FEEDS_FILE


@dataclass(frozen=True, slots=True)
class SpeakerTrack:
    audio: Path
    """A file ffmpeg can read (Opus in Ogg, as `janus-pp-rec` writes it)."""
    offset_s: float
    """From the first packet of the recording (any track), as the composite has it."""
    feed: str
    participant_id: str | None


def feed_owners(tracks_dir: Path) -> dict[str, str]:
    try:
        feeds = json.loads((tracks_dir / FEEDS_FILE).read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(feeds, dict):
        return {}
    return {
        str(feed): str(info["participantId"])
        for feed, info in feeds.items()
        if isinstance(info, dict) and isinstance(info.get("participantId"), str)
    }


async def speaker_tracks(tracks_dir: Path, converted_dir: Path) -> list[SpeakerTrack]:
    """The audio tracks that have packets, earliest first."""
    tracks = await find_tracks(tracks_dir)
    if not tracks:
        return []
    start_us = min(track.timing.start_us for track in tracks)
    owners = feed_owners(tracks_dir)
    converted_dir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - one small folder
    found = []
    for track in sorted(tracks, key=lambda t: t.timing.start_us):
        if track.kind != "audio":
            continue
        audio = await convert(track, converted_dir)
        offset = (track.timing.start_us - start_us) / 1e6
        found.append(SpeakerTrack(audio, offset, track.feed, owners.get(track.feed)))
    return found
