"""Transcripts: merging speakers by time, the Markdown file and reading it back, names, sorting
(pure)."""

import pytest

from salon.errors import InvalidInput
from salon.ids import RoomName
from salon.meetings.model import parse_date_time
from salon.transcription.model import (
    Line,
    Segment,
    clock_of,
    lines_of,
    merge,
    parse_markdown,
    render_markdown,
    sort_clause,
    transcript_filename,
)

START = parse_date_time("t", "2026-03-01T12:00:00Z")


def test_lines_are_placed_on_the_recordings_timeline_and_merged_by_time() -> None:
    ada = lines_of("Ada", 0.0, [Segment(1.0, 2.0, "hello"), Segment(6.0, 7.0, "again")])
    bruno = lines_of("Bruno", 3.0, [Segment(0.5, 1.5, "hi"), Segment(2.0, 2.5, "   ")])
    assert merge([ada, bruno]) == [
        Line(1.0, 2.0, "Ada", "hello"),
        Line(3.5, 4.5, "Bruno", "hi"),
        Line(6.0, 7.0, "Ada", "again"),
    ]


def test_a_speakers_turns_close_together_become_one_line() -> None:
    ada = lines_of("Ada", 0.0, [Segment(1.0, 2.0, "one"), Segment(2.5, 3.0, "two")])
    later = lines_of("Ada", 0.0, [Segment(4.5, 5.0, "three")])
    assert merge([ada + later]) == [
        Line(1.0, 3.0, "Ada", "one two"),
        Line(4.5, 5.0, "Ada", "three"),
    ]


def test_the_transcript_names_its_room_start_speakers_and_times_and_reads_back() -> None:
    lines = [
        Line(2.4, 3.0, "Ada *the* [host]", "budget # approved"),
        Line(3725.0, 3726.0, "Bruno", "see you"),
    ]
    text = render_markdown(RoomName("/team"), START, lines)
    assert text.splitlines() == [
        "# Transcript of /team",
        "",
        "Started 2026-03-01T12:00:00.000Z",
        "",
        r"**[00:00:02] Ada \*the\* \[host\]:** budget \# approved",
        "",
        "**[01:02:05] Bruno:** see you",
    ]
    assert parse_markdown(text) == [
        Line(2.0, 2.0, "Ada *the* [host]", "budget # approved"),
        Line(3725.0, 3725.0, "Bruno", "see you"),
    ]


def test_a_transcript_without_speech_says_so() -> None:
    assert "_No speech was recognised._" in render_markdown(RoomName("/r"), START, [])


def test_names_and_clock() -> None:
    assert transcript_filename(RoomName("/team"), START) == "team-2026-03-01T12:00:00.000Z.md"
    assert clock_of(0) == "00:00:00"
    assert clock_of(59.9) == "00:00:59"
    assert clock_of(86399) == "23:59:59"


def test_sort_by_takes_whereby_fields_only() -> None:
    assert sort_clause(None) == "created_ms DESC, id"
    assert sort_clause("durationInSeconds:desc") == "duration_ms DESC, id"
    assert sort_clause("roomName", "t") == "t.room_name ASC, t.id"
    for bad in ("size:asc", "roomName:up", "startDate;drop"):
        with pytest.raises(InvalidInput, match="sortBy must be one of roomName, startDate"):
            sort_clause(bad)
