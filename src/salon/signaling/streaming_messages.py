"""The live streaming messages of the signaling protocol. Pure. Both are a host's (the server
checks the role): `start-streaming {}` and `stop-streaming {}`. The server tells everyone in the
room `streaming-status {streaming, startedAt}` when it changes, and each newcomer on entering; a
host entering a meeting whose trigger is `prompt` is sent `streaming-prompt {}`."""

from salon.rooms.commands import StartStreaming, StopStreaming, StreamingCommand


def parse_streaming(kind: str) -> StreamingCommand | None:
    match kind:
        case "start-streaming":
            return StartStreaming()
        case "stop-streaming":
            return StopStreaming()
    return None
