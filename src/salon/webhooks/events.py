"""The webhook event catalogue and the exact bodies Salon sends. Pure.

Bodies are compact JSON in the key order of Whereby's example, because receivers that copied its
Node sample re-serialise the parsed body before checking the signature.
"""

import json
import secrets
from typing import Any

from salon.errors import InvalidInput
from salon.meetings.model import TimeWindow, format_date_time
from salon.rooms.events import RoomEvent, RoomEventType

API_VERSION = "1.0"
RECORDING_FINISHED = "recording.finished"
RECORDING_FAILED = "recording.failed"
"""Salon's addition: a cloud recording could not be composed or stored, even after a retry."""
TRANSCRIPTION_STARTED = "transcription.started"
TRANSCRIPTION_FINISHED = "transcription.finished"
TRANSCRIPTION_FAILED = "transcription.failed"
EVENT_TYPES = (
    *(kind.value for kind in RoomEventType),
    RECORDING_FINISHED,
    RECORDING_FAILED,
    TRANSCRIPTION_STARTED,
    TRANSCRIPTION_FINISHED,
    TRANSCRIPTION_FAILED,
)
TEST_EVENT_TYPE = "salon.webhook.test"
"""Sent to one endpoint when someone asks for a test (the dashboard); never subscribed to."""


def check_event_types(names: list[str]) -> list[str]:
    unknown = [name for name in names if name not in EVENT_TYPES]
    if unknown:
        raise InvalidInput(
            f"unknown event type {unknown[0]!r}; known types: {', '.join(EVENT_TYPES)}"
        )
    if not names:
        raise InvalidInput("events must name at least one event type")
    return list(dict.fromkeys(names))


def should_send(event: RoomEvent, window: TimeWindow) -> bool:
    """In-room events are sent only for activity inside the meeting's time window."""
    return window.contains(event.at_ms)


def event_id() -> str:
    return secrets.token_hex(32)


def _data(event: RoomEvent, subdomain: str) -> dict[str, Any]:
    common = {"meetingId": event.meeting_id, "roomName": event.room_name, "subdomain": subdomain}
    person = event.participant or event.knocker
    if event.type in (RoomEventType.SESSION_STARTED, RoomEventType.SESSION_ENDED):
        return {**common, "roomSessionId": event.session_id}
    assert person is not None
    if event.type in (RoomEventType.CLIENT_KNOCKED, RoomEventType.KNOCK_CANCELLED):
        return {
            "displayName": person.display_name,
            **common,
            "participantId": person.id,
            "roomSessionId": event.session_id,
            "metadata": person.metadata,
            "externalId": person.external_id,
        }
    assert event.participant is not None
    assert event.count_by_role is not None
    return {
        "roleName": event.participant.role.value,
        "displayName": person.display_name,
        **common,
        "numClients": event.num_clients,
        "numClientsByRoleName": event.count_by_role,
        "metadata": person.metadata,
        "externalId": person.external_id,
        "participantId": person.id,
        "roomSessionId": event.session_id,
        "isDialIn": False,
    }


def envelope(event: RoomEvent, subdomain: str, identifier: str) -> bytes:
    """The exact bytes of the delivery body."""
    body = {
        "id": identifier,
        "apiVersion": API_VERSION,
        "createdAt": format_date_time(event.at_ms),
        "type": event.type.value,
        "data": _data(event, subdomain),
    }
    try:
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    except UnicodeEncodeError:  # a lone surrogate: only its \u escape is valid UTF-8
        return json.dumps(body, separators=(",", ":")).encode()


def test_envelope(endpoint_id: str, subdomain: str, identifier: str, at_ms: int) -> bytes:
    """The body of a test delivery: the same envelope, signed the same way, with no room."""
    body = {
        "id": identifier,
        "apiVersion": API_VERSION,
        "createdAt": format_date_time(at_ms),
        "type": TEST_EVENT_TYPE,
        "data": {"webhookId": endpoint_id, "subdomain": subdomain, "test": True},
    }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def recording_envelope(kind: str, data: dict[str, Any], identifier: str, at_ms: int) -> bytes:
    """A recording event's body: `data` as the caller ordered it (Whereby documents
    `filename`, `recordingId`, `roomName`, `status` for `recording.finished`)."""
    body = {
        "id": identifier,
        "apiVersion": API_VERSION,
        "createdAt": format_date_time(at_ms),
        "type": kind,
        "data": data,
    }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
