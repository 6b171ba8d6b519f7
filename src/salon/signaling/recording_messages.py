"""The recording messages of the signaling protocol. Pure. Both are a host's (the server checks
the role): `start-recording {}` and `stop-recording {}`. The server tells everyone in the room
`recording-status {recording, startedAt}` when it changes, and each newcomer on entering."""

from salon.rooms.commands import RecordingCommand as RecordingMessage
from salon.rooms.commands import StartRecording, StopRecording


def parse_recording(kind: str) -> RecordingMessage | None:
    match kind:
        case "start-recording":
            return StartRecording()
        case "stop-recording":
            return StopRecording()
    return None
