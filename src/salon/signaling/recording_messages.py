"""The recording messages of the signaling protocol. Pure. Both are a host's (the server checks
the role): `start-recording {}` and `stop-recording {}`. The server tells everyone in the room
`recording-status {recording, startedAt}` when it changes, and each newcomer on entering."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StartRecording:
    pass


@dataclass(frozen=True, slots=True)
class StopRecording:
    pass


RecordingMessage = StartRecording | StopRecording
RECORDING_WIRE_TYPES: dict[type, str] = {
    StartRecording: "start-recording",
    StopRecording: "stop-recording",
}


def parse_recording(kind: str) -> RecordingMessage | None:
    match kind:
        case "start-recording":
            return StartRecording()
        case "stop-recording":
            return StopRecording()
    return None


def recording_status(recording: bool, started_ms: int | None) -> dict[str, object]:
    return {"type": "recording-status", "recording": recording, "startedAt": started_ms}
