"""What the server sends: every outbound message of the signaling protocol, and the one encoder.
Pure.

    rooms ──Notice──► encode() ──► Frame(type, text) ──► each receiving Connection
    endpoint ──ErrorMessage──► encode() ──► Frame

A room's notices (`salon.rooms.notices`) are the typed server messages; this module alone knows
their wire shape (docs/signaling-protocol.md). A fan-out encodes its notice once and hands the
same frame to every receiver.
"""

import json
from dataclasses import dataclass
from typing import Any

from salon.rooms.errors import RoomErrorCode
from salon.rooms.notices import (
    CameraTurnedOff,
    CaptionShown,
    ChatMessage,
    Closing,
    Frame,
    Joined,
    KnockHeld,
    Knocking,
    KnockList,
    KnockRejected,
    MediaMessage,
    MediaPublished,
    Muted,
    Notice,
    ParticipantJoined,
    ParticipantLeft,
    ParticipantUpdated,
    Pong,
    RecordingPrompt,
    RecordingStatus,
    Relayed,
    Removed,
    RoomFull,
    RoomLocked,
    RoomUpdated,
    RoomView,
    StreamingPrompt,
    StreamingStatus,
    TranscriptionStatus,
)
from salon.rooms.state import Knocker, Participant
from salon.signaling.protocol import PROTOCOL_VERSION, CloseCode


@dataclass(frozen=True, slots=True)
class ErrorMessage:
    """A message refused (the socket goes on unless the endpoint closes it too)."""

    code: RoomErrorCode
    message: str
    about: str | None = None


ServerMessage = Notice | ErrorMessage

CLOSE_CODES: dict[Closing, CloseCode] = {closing: CloseCode[closing.name] for closing in Closing}
"""The close code of each reason a room closes a connection for."""


def close_code(closing: Closing) -> CloseCode:
    return CLOSE_CODES[closing]


def encode(message: ServerMessage) -> Frame:
    body = wire(message)
    return Frame(body["type"], json.dumps(body, separators=(",", ":"), ensure_ascii=False))


def wire(message: ServerMessage) -> dict[str, Any]:
    """The JSON object a message travels as."""
    match message:
        case Joined():
            return {
                "type": "joined",
                "v": PROTOCOL_VERSION,
                "participantId": message.participant_id,
                "resumeToken": message.resume_token,
                "role": message.role.value,
                "room": room_view(message.room),
                "participants": [participant_view(p) for p in message.participants],
                "knocks": [knocker_view(k) for k in message.knocks],
                "iceServers": message.ice_servers,
                "media": message.media.value,
                "recording": message.recording.value,
                "streaming": message.streaming,
                "liveTranscription": message.live_transcription,
            }
        case ParticipantJoined(participant):
            return {"type": "participant-joined", "participant": participant_view(participant)}
        case ParticipantUpdated(participant):
            return {"type": "participant-updated", "participant": participant_view(participant)}
        case ParticipantLeft(participant_id, reason):
            return {"type": "participant-left", "participantId": participant_id, "reason": reason}
        case RoomUpdated(room):
            return {"type": "room-updated", "room": room_view(room)}
        case RoomLocked(name):
            return {"type": "room-locked", "room": {"name": name, "locked": True}}
        case RoomFull(capacity, viewer):
            full: dict[str, Any] = {"type": "room-full", "capacity": capacity}
            if viewer:
                full["role"] = "viewer"
            return full
        case Removed(reason):
            return {"type": "removed", "reason": reason}
        case Pong(identifier):
            return {"type": "pong", "id": identifier}
        case Relayed(sender, payload):
            return {"type": "signal", "from": sender, **payload}
        case ChatMessage():
            chat: dict[str, Any] = {
                "type": "chat",
                "id": message.id,
                "from": message.sender,
                "displayName": message.display_name,
                "text": message.text,
                "at": message.at_ms,
            }
            if message.broadcast:
                chat["broadcast"] = True
            return chat
        case Knocking():
            return {"type": "knocking"}
        case KnockList(knockers, total):
            return {"type": "knocks", "knocks": [knocker_view(k) for k in knockers], "total": total}
        case KnockRejected(text):
            rejected: dict[str, Any] = {"type": "knock-rejected"}
            if text:
                rejected["message"] = text
            return rejected
        case KnockHeld(text):
            return {"type": "knock-held", "message": text}
        case Muted(by):
            return {"type": "muted", "by": by}
        case CameraTurnedOff(by):
            return {"type": "camera-turned-off", "by": by}
        case MediaPublished(description, publication):
            published: dict[str, Any] = {"type": "sfu-published", "description": description}
            if publication is not None:
                published["publication"] = publication
            return published
        case MediaMessage(body):
            return body
        case RecordingStatus(recording, started_ms):
            return {"type": "recording-status", "recording": recording, "startedAt": started_ms}
        case RecordingPrompt():
            return {"type": "recording-prompt"}
        case StreamingStatus(streaming, started_ms):
            return {"type": "streaming-status", "streaming": streaming, "startedAt": started_ms}
        case StreamingPrompt():
            return {"type": "streaming-prompt"}
        case TranscriptionStatus(transcribing, started_ms, captions):
            return {
                "type": "transcription-status",
                "transcribing": transcribing,
                "startedAt": started_ms,
                "captions": captions,
            }
        case CaptionShown():
            return {
                "type": "caption",
                "participantId": message.participant_id,
                "displayName": message.display_name,
                "text": message.text,
                "final": message.final,
                "startedAt": message.start_ms,
                "endedAt": message.end_ms,
            }
        case ErrorMessage(code, text, about):
            error: dict[str, Any] = {"type": "error", "code": code.value, "message": text}
            if about is not None:
                error["about"] = about
            return error


def room_view(room: RoomView) -> dict[str, Any]:
    breakout = room.breakout
    return {
        "name": room.name,
        "mode": room.mode.value,
        "locked": room.locked,
        "spotlight": room.spotlight,
        "capacity": room.capacity,
        "breakout": None
        if breakout is None
        else {
            "groups": list(breakout.groups),
            "assignments": dict(breakout.assignments),
            "allowChoose": breakout.allow_choose,
        },
        "timerStartedAt": room.timer_started_ms,
    }


def participant_view(participant: Participant) -> dict[str, Any]:
    return {
        "id": participant.id,
        "displayName": participant.display_name,
        "role": participant.role.value,
        "audio": participant.audio,
        "video": participant.video,
        "screen": participant.screen,
        "externalId": participant.external_id,
        "metadata": participant.metadata,
        "reconnecting": participant.reconnecting,
        "joinedAt": participant.joined_ms,
    }


def knocker_view(knocker: Knocker) -> dict[str, Any]:
    return {"id": knocker.id, "displayName": knocker.display_name, "at": knocker.at_ms}
