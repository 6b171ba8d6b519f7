"""Live captions and the rules about them: a meeting's `liveTranscription` option read back, when
its start trigger starts transcribing, which of a speaker's hypotheses are worth sending, and the
final captions gathered into the lines of the session's transcript. Pure."""

import json
from dataclasses import dataclass, field
from enum import StrEnum

from salon.transcription.model import Line, merge


class CaptionTrigger(StrEnum):
    NONE = "none"
    MANUAL = "manual"
    AUTOMATIC = "automatic"
    AUTOMATIC_2ND = "automatic-2nd-participant"


@dataclass(frozen=True, slots=True)
class LiveOptions:
    trigger: CaptionTrigger = CaptionTrigger.NONE
    language: str | None = None
    captions: bool = True
    """`liveCaptions: false`: the transcript is kept, but no caption is shown in the room."""


def live_options(stored: str | None) -> LiveOptions | None:
    """The meeting's `liveTranscription` option, or None when it has none (or it is unreadable:
    the API checked it at creation)."""
    try:
        options = json.loads(stored or "{}")
    except ValueError:
        return None
    live = options.get("liveTranscription") if isinstance(options, dict) else None
    if not isinstance(live, dict):
        return None
    try:
        trigger = CaptionTrigger(live.get("startTrigger") or CaptionTrigger.NONE.value)
    except ValueError:
        return None
    language = live.get("language")
    return LiveOptions(
        trigger,
        language if isinstance(language, str) else None,
        live.get("liveCaptions") is not False,
    )


def triggered(trigger: CaptionTrigger, participants: int) -> bool:
    """Does the start trigger start transcribing now that `participants` are in?"""
    return (trigger is CaptionTrigger.AUTOMATIC and participants >= 1) or (
        trigger is CaptionTrigger.AUTOMATIC_2ND and participants >= 2
    )


@dataclass(frozen=True, slots=True)
class Heard:
    """What a speaker's engine heard: the words so far of the utterance under way (`final`
    False), or all of them once it ended. Times are seconds from the start of their audio."""

    text: str
    final: bool
    start_s: float
    end_s: float


@dataclass(frozen=True, slots=True)
class Caption:
    """A caption as the room sends it: whose words, which, and when (epoch ms)."""

    participant_id: str
    display_name: str
    text: str
    final: bool
    start_ms: int
    end_ms: int


@dataclass
class SpeakerCaptions:
    """One speaker's captions: an interim one is sent only when its words changed (the engine
    repeats itself every chunk of audio), a final one always (it closes the utterance)."""

    last_interim: str = ""

    def worth_sending(self, heard: Heard) -> bool:
        text = " ".join(heard.text.split())
        if heard.final:
            self.last_interim = ""
            return bool(text)
        if not text or text == self.last_interim:
            return False
        self.last_interim = text
        return True


@dataclass
class CaptionLog:
    """The session's final captions, as the lines of its transcript (times from `started_ms`)."""

    started_ms: int
    lines: list[Line] = field(default_factory=list)
    speakers: dict[str, SpeakerCaptions] = field(default_factory=dict)

    def accept(self, caption: Caption) -> bool:
        """Keep a final caption; whether `caption` should be sent to the room at all."""
        speaker = self.speakers.setdefault(caption.participant_id, SpeakerCaptions())
        heard = Heard(caption.text, caption.final, 0.0, 0.0)
        if not speaker.worth_sending(heard):
            return False
        if caption.final:
            self.lines.append(
                Line(
                    max(0.0, (caption.start_ms - self.started_ms) / 1000),
                    max(0.0, (caption.end_ms - self.started_ms) / 1000),
                    caption.display_name,
                    " ".join(caption.text.split()),
                )
            )
        return True

    def transcript(self) -> list[Line]:
        """Every speaker's lines in the order they were spoken."""
        return merge([self.lines])
