"""Transcriptions and the rules about them: states, names, sorting, merging the speakers' lines
by time and writing the Markdown transcript. Pure."""

import re
from dataclasses import dataclass
from enum import StrEnum

from salon.errors import InvalidInput
from salon.ids import OrgId, RoomName, RoomSessionId
from salon.meetings.model import format_date_time

FILE_PATH = "/_salon/transcriptions/"
"""Where access links point: `FILE_PATH<transcriptionId>?expires=…&signature=…`."""


class TranscriptionState(StrEnum):
    IN_PROGRESS = "in_progress"
    READY = "ready"
    FAILED = "failed"


class TranscriptionType(StrEnum):
    LIVE = "LIVE_TRANSCRIPTION"
    RECORDING = "RECORDING_TRANSCRIPTION"


STORAGE_TYPE = "WHEREBY_HOSTED"
"""Transcripts are kept in Salon's data folder: Whereby's name for files the service keeps."""


@dataclass(frozen=True, slots=True)
class Transcription:
    id: str
    org_id: OrgId
    recording_id: str | None
    room_name: RoomName
    room_session_id: RoomSessionId | None
    kind: TranscriptionType
    state: TranscriptionState
    created_ms: int
    started_ms: int
    """When the recorded (or live) speech started."""
    ended_ms: int
    filename: str | None
    location: str | None
    """The transcript's path under the data folder."""
    duration_ms: int | None
    """The length of the audio transcribed (the billable time, in Whereby's terms)."""
    engine: str
    error: str | None


@dataclass(frozen=True, slots=True)
class Segment:
    """Words an engine heard, with their times in seconds from the start of its audio."""

    start_s: float
    end_s: float
    text: str


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a transcript: a speaker's words, timed from the start of the recording."""

    start_s: float
    end_s: float
    speaker: str
    text: str


def transcript_filename(room_name: RoomName, started_ms: int) -> str:
    """`[room name]-[start ISO].md`, as Whereby names transcripts."""
    return f"{room_name.lstrip('/')}-{format_date_time(started_ms)}.md"


def lines_of(speaker: str, offset_s: float, segments: list[Segment]) -> list[Line]:
    """A track's segments as the speaker's lines on the recording's timeline."""
    return [
        Line(offset_s + segment.start_s, offset_s + segment.end_s, speaker, segment.text)
        for segment in segments
        if segment.text.strip()
    ]


def merge(tracks: list[list[Line]]) -> list[Line]:
    """Every speaker's lines in the order they were spoken; at the same instant, by speaker.
    Consecutive lines of one speaker less than `JOIN_GAP_S` apart become one line."""
    ordered = sorted(
        (line for lines in tracks for line in lines), key=lambda x: (x.start_s, x.speaker)
    )
    merged: list[Line] = []
    for line in ordered:
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.speaker == line.speaker
            and line.start_s - last.end_s < JOIN_GAP_S
        ):
            merged[-1] = Line(last.start_s, max(last.end_s, line.end_s), last.speaker,
                              f"{last.text} {line.text}")  # fmt: skip
        else:
            merged.append(line)
    return merged


JOIN_GAP_S = 1.0


def clock_of(seconds: float) -> str:
    """`HH:MM:SS` from the start of the recording."""
    whole = max(int(seconds), 0)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def _escaped(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def render_markdown(room_name: RoomName, started_ms: int, lines: list[Line]) -> str:
    """The transcript: a title, when it started, then one line per turn:
    `**[00:01:02] Ada:** words` (names and words escaped, so a name cannot inject markup)."""
    out = [
        f"# Transcript of {_escaped(room_name)}",
        "",
        f"Started {format_date_time(started_ms)}",
        "",
    ]
    if not lines:
        out.append("_No speech was recognised._")
    for line in lines:
        out.append(
            f"**[{clock_of(line.start_s)}] {_escaped(line.speaker)}:** {_escaped(line.text)}"
        )
        out.append("")
    return "\n".join(out).rstrip() + "\n"


_LINE = re.compile(r"^\*\*\[(\d\d):(\d\d):(\d\d)\] (.+?):\*\* (.*)$")
_UNESCAPE = re.compile(r"\\([\\`*_\[\]<>#|])")


def parse_markdown(text: str) -> list[Line]:
    """The lines of a transcript Salon wrote (for summaries); other lines are passed over."""
    found = []
    for raw in text.splitlines():
        matched = _LINE.match(raw)
        if matched is None:
            continue
        hours, minutes, seconds, speaker, words = matched.groups()
        start = int(hours) * 3600 + int(minutes) * 60 + int(seconds)
        found.append(
            Line(float(start), float(start), _UNESCAPE.sub(r"\1", speaker),
                 _UNESCAPE.sub(r"\1", words))
        )  # fmt: skip
    return found


_SORTABLE = {
    "roomName": "room_name",
    "startDate": "started_ms",
    "durationInSeconds": "duration_ms",
}


def sort_clause(sort_by: str | None, table: str = "") -> str:
    """`field:asc|desc` (Whereby's `sortBy`) as an ORDER BY clause; newest first by default."""
    prefix = f"{table}." if table else ""
    if sort_by is None or not sort_by:
        return f"{prefix}created_ms DESC, {prefix}id"
    field, _, direction = sort_by.partition(":")
    direction = direction or "asc"
    if field not in _SORTABLE or direction not in ("asc", "desc"):
        raise InvalidInput(
            "sortBy must be one of roomName, startDate, durationInSeconds,"
            " followed by :asc or :desc (e.g. startDate:desc)"
        )
    return f"{prefix}{_SORTABLE[field]} {direction.upper()}, {prefix}id"


def render_transcription(transcription: Transcription) -> dict[str, object]:
    """Whereby's Transcription object."""
    rendered: dict[str, object] = {
        "transcriptionId": transcription.id,
        "roomSessionId": transcription.room_session_id or "",
        "roomName": transcription.room_name,
        "startDate": format_date_time(transcription.started_ms),
        "endDate": format_date_time(transcription.ended_ms),
        "state": transcription.state.value,
        "createdAt": format_date_time(transcription.created_ms),
        "type": transcription.kind.value,
        "storageType": STORAGE_TYPE,
    }
    if transcription.filename is not None:
        rendered["filename"] = transcription.filename
    if transcription.duration_ms is not None:
        rendered["durationInSeconds"] = round(transcription.duration_ms / 1000, 3)
    return rendered


def event_data(
    transcription: Transcription, status: TranscriptionState, **extra: object
) -> dict[str, object]:
    """The `data` of a `transcription.*` webhook: the common fields, then the event's own."""
    return {
        "roomName": transcription.room_name,
        "roomSessionId": transcription.room_session_id,
        "transcriptionId": transcription.id,
        "type": transcription.kind.value,
        "status": status.value,
        **extra,
    }


def check_live_language(language: str | None, available: tuple[str, ...]) -> None:
    """A meeting's `liveTranscription.language` must be one the server's engine can do."""
    if language is not None and language not in available:
        raise InvalidInput(
            f"liveTranscription.language {language!r} is not available on this server;"
            f" available: {', '.join(available)}"
        )
