"""The host-and-breakout messages of the signaling protocol: their parsing (the commands they
become are `salon.rooms.commands`), for
`protocol.parse`. Pure. Every one of them is a host's action (the server checks the role), except
`breakout-choose`, a participant's own pick when the host allows it.

    lock {locked}    admit {participantId}    reject {participantId, message?}
    hold {participantId, message}    remove | mute | camera-off {participantId}
    spotlight {participantId | null}    end-meeting {}    timer {running}
    breakout-start {groups, allowChoose?}    breakout-assign {participantId, group}
    breakout-choose {group}    breakout-broadcast {text}    breakout-end {}
"""

from typing import Any, Protocol

from salon.ids import ParticipantId
from salon.rooms.commands import (
    Admit,
    BreakoutAssign,
    BreakoutBroadcast,
    BreakoutChoose,
    BreakoutEnd,
    BreakoutStart,
    CameraOff,
    EndMeeting,
    Hold,
    Lock,
    Mute,
    Reject,
    Remove,
    Spotlight,
    Timer,
)
from salon.rooms.commands import HostCommand as HostMessage

MESSAGE_MAX = 500


class Fields(Protocol):
    """The field reader `protocol.parse` hands over: each method reads one field of the frame, or
    raises the protocol's `bad_field` error naming the message."""

    def bad(self, message: str) -> Exception: ...

    def text(self, name: str, *, maximum: int, required: bool = False) -> str | None: ...

    def required_text(self, name: str, *, maximum: int) -> str: ...

    def chat_text(self) -> str: ...

    def flag(self, name: str) -> bool: ...

    def participant(self, name: str = "participantId") -> ParticipantId: ...


def _spotlight(fields: Fields, data: dict[str, Any]) -> Spotlight:
    if data.get("participantId") is None:
        return Spotlight(None)
    return Spotlight(fields.participant())


def _group(fields: Fields, data: dict[str, Any]) -> int | None:
    group = data.get("group")
    if group is not None and (type(group) is not int or not 0 <= group < 20):
        raise fields.bad("group must be a group's index (0-19) or null for the main room")
    return group


def _breakout_start(fields: Fields, data: dict[str, Any]) -> BreakoutStart:
    groups = data.get("groups")
    if not isinstance(groups, list) or not all(isinstance(name, str) for name in groups):
        raise fields.bad("groups must be a list of group names")
    allow = data.get("allowChoose", False)
    if not isinstance(allow, bool):
        raise fields.bad("allowChoose must be true or false")
    return BreakoutStart([name[:100] for name in groups[:50]], allow)


def parse_host(kind: str, data: dict[str, Any], fields: Fields) -> HostMessage | None:
    """One host-or-breakout message of type `kind` from its decoded frame; None for any other
    type, which is not this module's to read."""
    match kind:
        case "lock":
            return Lock(fields.flag("locked"))
        case "admit":
            return Admit(fields.participant())
        case "reject":
            return Reject(fields.participant(), fields.text("message", maximum=MESSAGE_MAX))
        case "hold":
            return Hold(fields.participant(), fields.required_text("message", maximum=MESSAGE_MAX))
        case "remove":
            return Remove(fields.participant())
        case "mute":
            return Mute(fields.participant())
        case "camera-off":
            return CameraOff(fields.participant())
        case "spotlight":
            return _spotlight(fields, data)
        case "end-meeting":
            return EndMeeting()
        case "breakout-start":
            return _breakout_start(fields, data)
        case "breakout-assign":
            return BreakoutAssign(fields.participant(), _group(fields, data))
        case "breakout-choose":
            return BreakoutChoose(_group(fields, data))
        case "breakout-broadcast":
            return BreakoutBroadcast(fields.chat_text())
        case "breakout-end":
            return BreakoutEnd()
        case "timer":
            return Timer(fields.flag("running"))
    return None
