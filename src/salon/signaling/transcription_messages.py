"""The live transcription messages of the signaling protocol. Pure. Both are a host's (the server
checks the role): `start-live-transcription {}` and `stop-live-transcription {}`. The server
tells everyone in the room `transcription-status {transcribing, startedAt, captions}` when it
changes, and each newcomer on entering; while it runs, everyone hears
`caption {participantId, displayName, text, final, startedAt, endedAt}`: the words of a speaker's
utterance so far (`final: false`, sent when they change) and all of them when it ends."""

from salon.rooms.commands import (
    StartLiveTranscription,
    StopLiveTranscription,
    TranscriptionCommand,
)


def parse_transcription(kind: str) -> TranscriptionCommand | None:
    match kind:
        case "start-live-transcription":
            return StartLiveTranscription()
        case "stop-live-transcription":
            return StopLiveTranscription()
    return None
