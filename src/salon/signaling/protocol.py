"""Salon's signaling protocol, version 1 (docs/signaling-protocol.md), inbound. Sans-I/O: text
frames in, typed room commands (`salon.rooms.commands`) out. No socket, no clock, no await.

    frame ──► parse() ──► Join | Knock | Signal | Chat | Lock | … ──► rooms.service
    rooms.service ──► notices ──► messages.encode() (once per fan-out) ──► frame

This module holds the framing, the close codes and the core messages' parsing; the host's and
breakout messages' parsing lives in `host_messages.py`, the group rooms' in `sfu_messages.py`,
and `parse` hands their frames over. What the server sends is `messages.py`.
"""

import json
import re
import unicodedata
from enum import IntEnum
from typing import Any

import orjson

from salon.ids import ParticipantId, RoomName
from salon.rooms.commands import (
    NAMES,
    CancelKnock,
    Chat,
    Join,
    Knock,
    Leave,
    MediaState,
    Ping,
    Resume,
    RoomCommand,
    SetName,
    SfuAnswer,
    SfuCandidate,
    SfuPublish,
    SfuPublishRtp,
    SfuQuality,
    SfuSubscribe,
    SfuView,
    Signal,
)
from salon.rooms.errors import RoomErrorCode
from salon.rooms.sdp import has_forbidden_characters, offers_to_send
from salon.signaling.host_messages import parse_host
from salon.signaling.recording_messages import parse_recording
from salon.signaling.sfu_messages import SDP_MAX, parse_sfu
from salon.signaling.stats_messages import Stats, parse_stats
from salon.signaling.streaming_messages import parse_streaming
from salon.signaling.transcription_messages import parse_transcription

PROTOCOL_VERSION = 1
MAX_FRAME_BYTES = 64 * 1024
NAME_MAX = 100
CHAT_MAX = 4000
METADATA_MAX = 512
_EXTERNAL_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,36}")
_ID_MAX = 64
MAX_NESTING = 1024
"""orjson refuses JSON nested deeper than this while it parses, without recursing in Python; no
message of the protocol nests beyond a few levels, and none is handed on with more than one."""


class CloseCode(IntEnum):
    """Why a socket closed; reused in logs and (later) webhook payloads."""

    NORMAL = 1000
    TOO_BIG = 1009
    SERVICE_RESTART = 1012
    """The server is stopping: reconnect (to it once it is back, or to another node)."""
    LEFT = 4000
    REMOVED = 4001
    MEETING_ENDED = 4002
    MEETING_OVER = 4003
    ROOM_FULL = 4004
    KNOCK_REJECTED = 4005
    TOO_SLOW = 4008
    REPLACED = 4009
    FLOODING = 4029
    PROTOCOL = 4400
    NO_SFU = 4503


__all__ = [
    "SDP_MAX",
    "CancelKnock",
    "Chat",
    "Join",
    "Knock",
    "Leave",
    "MediaState",
    "Ping",
    "Resume",
    "SetName",
    "SfuAnswer",
    "SfuCandidate",
    "SfuPublish",
    "SfuPublishRtp",
    "SfuQuality",
    "SfuSubscribe",
    "SfuView",
    "Signal",
    "offers_to_send",
]  # fmt: skip


class ProtocolError(Exception):
    """A frame Salon refuses; answered with an `error` message, the socket goes on."""

    def __init__(self, code: RoomErrorCode, message: str, about: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.about = about


ClientMessage = RoomCommand | Stats

_WIRE_TYPES: dict[type, str] = {**NAMES, Stats: "stats"}


def wire_type(message: ClientMessage) -> str:
    """The `type` a message travels under."""
    return _WIRE_TYPES[type(message)]


# --- field readers -------------------------------------------------------------------------------


class _Fields:
    def __init__(self, data: dict[str, Any], about: str) -> None:
        self._data = data
        self.about = about

    def bad(self, message: str) -> ProtocolError:
        return ProtocolError(RoomErrorCode.BAD_FIELD, message, self.about)

    def text(self, name: str, *, maximum: int, required: bool = False) -> str | None:
        value = self._data.get(name)
        if value is None:
            if required:
                raise self.bad(f"{name} is required")
            return None
        if not isinstance(value, str):
            raise self.bad(f"{name} must be a string")
        if len(value) > maximum:
            raise self.bad(f"{name} must be at most {maximum} characters")
        if not _encodable(value):
            raise self.bad(f"{name} is not valid Unicode text")
        return value

    def required_text(self, name: str, *, maximum: int) -> str:
        value = self.text(name, maximum=maximum, required=True)
        assert value is not None
        return value

    def chat_text(self) -> str:
        """A chat message's `text`: 1-4000 characters, not only white space."""
        text = self.required_text("text", maximum=CHAT_MAX)
        if not text.strip():
            raise self.bad("text must not be empty")
        return text

    def flag(self, name: str) -> bool:
        value = self._data.get(name)
        if not isinstance(value, bool):
            raise self.bad(f"{name} must be true or false")
        return value

    def participant(self, name: str = "participantId") -> ParticipantId:
        return ParticipantId(self.required_text(name, maximum=_ID_MAX))


def _encodable(text: str) -> bool:
    """JSON can carry lone surrogates (`"\\ud800"`), which no UTF-8 body can hold."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _has_control(text: str) -> bool:
    """Control characters and line breaks; format characters (the joiners of emoji) are fine."""
    return any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in text)


def display_name(value: str | None, about: str) -> str | None:
    """A trimmed display name of 1-100 printable characters, or None when none was given."""
    if value is None:
        return None
    trimmed = value.strip()
    if not trimmed or len(trimmed) > NAME_MAX or _has_control(trimmed):
        raise ProtocolError(
            RoomErrorCode.BAD_FIELD,
            f"displayName must be 1-{NAME_MAX} characters, without control characters",
            about,
        )
    return trimmed


def _join(fields: _Fields, data: dict[str, Any]) -> Join:
    version = data.get("v")
    if type(version) is not int or version != PROTOCOL_VERSION:
        raise ProtocolError(
            RoomErrorCode.UNSUPPORTED_VERSION,
            f"this server speaks version {PROTOCOL_VERSION} of the protocol",
            "join",
        )
    room = fields.required_text("room", maximum=200)
    if not room.startswith("/"):
        raise fields.bad("room must be a room name starting with /")
    external_id = fields.text("externalId", maximum=36)
    if external_id is not None and not _EXTERNAL_ID_RE.fullmatch(external_id):
        raise fields.bad("externalId may hold only A-Z, a-z, 0-9, _ and -, at most 36")
    resume = None
    raw_resume = data.get("resume")
    if raw_resume is not None:
        if not isinstance(raw_resume, dict):
            raise fields.bad("resume must be an object")
        inner = _Fields(raw_resume, "join")
        resume = Resume(inner.participant(), inner.required_text("token", maximum=200))
    return Join(
        room=RoomName(room),
        room_key=fields.text("roomKey", maximum=2000),
        display_name=display_name(fields.text("displayName", maximum=1000), "join"),
        external_id=external_id,
        metadata=fields.text("metadata", maximum=METADATA_MAX),
        resume=resume,
    )


def _signal(fields: _Fields, data: dict[str, Any]) -> Signal:
    to = fields.participant("to")
    if "description" in data:
        description = data["description"]
        if (
            not isinstance(description, dict)
            or description.get("type") not in ("offer", "answer", "pranswer", "rollback")
            or not isinstance(description.get("sdp", ""), str)
            or len(description.get("sdp", "")) > SDP_MAX
        ):
            raise fields.bad("description must be {type: offer|answer|pranswer|rollback, sdp}")
        if has_forbidden_characters(description.get("sdp", "")):
            raise fields.bad("sdp must not hold control characters other than CRLF line ends")
        return Signal(
            to, {"description": {"type": description["type"], "sdp": description.get("sdp", "")}}
        )
    if "candidate" in data:
        candidate = data["candidate"]
        if candidate is not None and (
            not isinstance(candidate, dict)
            or not isinstance(candidate.get("candidate", ""), str)
            or not all(_flat(value) for value in candidate.values())
            or len(_json(candidate)) > 2000
        ):
            raise fields.bad("candidate must be an RTCIceCandidateInit object or null")
        return Signal(to, {"candidate": candidate})
    raise fields.bad("signal needs a description or a candidate")


def _flat(value: object) -> bool:
    """A value that holds no array or object (RTCIceCandidateInit's fields are all flat)."""
    return value is None or isinstance(value, str | int | float | bool)


def _set_name(fields: _Fields) -> SetName:
    name = display_name(fields.required_text("displayName", maximum=1000), "set-name")
    assert name is not None
    return SetName(name)


def _ping(fields: _Fields, data: dict[str, Any]) -> Ping:
    identifier = data.get("id")
    if identifier is not None and (
        not isinstance(identifier, str | int) or isinstance(identifier, bool)
    ):
        raise fields.bad("id must be a string or a number")
    if isinstance(identifier, str) and len(identifier) > _ID_MAX:
        raise fields.bad(f"id must be at most {_ID_MAX} characters")
    return Ping(identifier)


def parse(frame: str | bytes) -> ClientMessage:
    """One client frame as a typed message, or `ProtocolError` saying what is wrong with it."""
    try:
        data = orjson.loads(frame)
    except orjson.JSONDecodeError:
        raise ProtocolError(RoomErrorCode.BAD_FRAME, "a frame must be one JSON object") from None
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise ProtocolError(RoomErrorCode.BAD_FRAME, "a frame must be a JSON object with a type")
    kind: str = data["type"]
    fields = _Fields(data, kind)
    match kind:
        case "join":
            return _join(fields, data)
        case "knock":
            return Knock(display_name(fields.text("displayName", maximum=1000), kind))
        case "cancel-knock":
            return CancelKnock()
        case "leave":
            return Leave()
        case "signal":
            return _signal(fields, data)
        case "media":
            return MediaState(fields.flag("audio"), fields.flag("video"), fields.flag("screen"))
        case "chat":
            return Chat(fields.chat_text())
        case "set-name":
            return _set_name(fields)
        case "ping":
            return _ping(fields, data)
        case (
            "sfu-publish" | "sfu-answer" | "sfu-candidate" | "sfu-subscribe" | "sfu-quality"
            | "sfu-view" | "sfu-publish-rtp"
        ):  # fmt: skip
            return parse_sfu(kind, data, fields.bad)
        case "stats":
            return parse_stats(data, fields.bad)
    host_message = parse_host(kind, data, fields)
    if host_message is not None:
        return host_message
    recording_message = parse_recording(kind)
    if recording_message is not None:
        return recording_message
    streaming_message = parse_streaming(kind)
    if streaming_message is not None:
        return streaming_message
    transcription_message = parse_transcription(kind)
    if transcription_message is not None:
        return transcription_message
    raise ProtocolError(
        RoomErrorCode.UNKNOWN_TYPE, f"unknown message type {kind[:40]!r}", kind[:40]
    )


def _json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
