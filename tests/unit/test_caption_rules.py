"""Live captions' pure rules: the meeting's option read back, the start trigger, which
hypotheses are sent, and the final captions gathered into the transcript's lines; and the
signaling messages that carry them."""

import json

from salon.ids import ParticipantId
from salon.rooms.commands import StartLiveTranscription, StopLiveTranscription
from salon.rooms.notices import CaptionShown, TranscriptionStatus
from salon.signaling.messages import wire
from salon.signaling.protocol import parse
from salon.transcription.captions import (
    Caption,
    CaptionLog,
    CaptionTrigger,
    Heard,
    LiveOptions,
    SpeakerCaptions,
    live_options,
    triggered,
)


def test_the_meetings_option_is_read_back_with_whereby_s_trigger_values() -> None:
    stored = json.dumps(
        {"liveTranscription": {"startTrigger": "automatic-2nd-participant", "language": "en"}}
    )
    assert live_options(stored) == LiveOptions(CaptionTrigger.AUTOMATIC_2ND, "en", True)
    assert live_options(json.dumps({"liveTranscription": {"liveCaptions": False}})) == (
        LiveOptions(CaptionTrigger.NONE, None, False)
    )
    assert live_options(json.dumps({"recording": {"type": "cloud"}})) is None
    assert live_options(None) is None
    assert live_options("not json") is None
    assert live_options(json.dumps({"liveTranscription": {"startTrigger": "sometimes"}})) is None


def test_the_trigger_starts_with_the_first_or_the_second_participant_and_never_for_none() -> None:
    assert not triggered(CaptionTrigger.AUTOMATIC, 0)
    assert triggered(CaptionTrigger.AUTOMATIC, 1)
    assert not triggered(CaptionTrigger.AUTOMATIC_2ND, 1)
    assert triggered(CaptionTrigger.AUTOMATIC_2ND, 2)
    for manual in (CaptionTrigger.NONE, CaptionTrigger.MANUAL):
        assert not triggered(manual, 5)


def test_an_interim_caption_is_sent_when_its_words_change_and_a_final_one_always() -> None:
    speaker = SpeakerCaptions()
    assert speaker.worth_sending(Heard("the", False, 0, 0.5))
    assert not speaker.worth_sending(Heard("the ", False, 0, 0.6))
    assert speaker.worth_sending(Heard("the lighthouse", False, 0, 0.9))
    assert speaker.worth_sending(Heard("the lighthouse", True, 0, 1.0))
    assert speaker.worth_sending(Heard("the", False, 2, 2.5))  # a new utterance starts afresh
    assert not speaker.worth_sending(Heard("", True, 2, 3))
    assert not speaker.worth_sending(Heard("  ", False, 2, 3))


def caption(who: str, text: str, final: bool, start_ms: int, end_ms: int) -> Caption:
    return Caption(who, who.title(), text, final, start_ms, end_ms)


def test_final_captions_become_the_transcript_in_spoken_order_with_names_and_times() -> None:
    log = CaptionLog(started_ms=10_000)
    assert log.accept(caption("bruno", "please send", False, 13_000, 13_500))
    assert log.accept(caption("ada", "the lighthouse", True, 11_000, 12_000))
    assert log.accept(caption("bruno", "please send the  invoice", True, 13_000, 14_000))
    assert not log.accept(caption("ada", "", True, 15_000, 15_000))
    lines = log.transcript()
    assert [(line.speaker, line.text, line.start_s) for line in lines] == [
        ("Ada", "the lighthouse", 1.0),
        ("Bruno", "please send the invoice", 3.0),
    ]


def test_the_signaling_messages_of_live_transcription() -> None:
    assert parse('{"type":"start-live-transcription"}') == StartLiveTranscription()
    assert parse('{"type":"stop-live-transcription"}') == StopLiveTranscription()
    assert wire(TranscriptionStatus(True, 1000)) == {
        "type": "transcription-status", "transcribing": True, "startedAt": 1000, "captions": True,
    }  # fmt: skip
    assert wire(CaptionShown(ParticipantId("p1"), "Ada", "hello", False, 5, 9)) == {
        "type": "caption", "participantId": "p1", "displayName": "Ada", "text": "hello",
        "final": False, "startedAt": 5, "endedAt": 9,
    }  # fmt: skip
