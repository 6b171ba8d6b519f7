"""Room keys: the `roomKey` of `hostRoomUrl` and `viewerRoomUrl`. Pure.

A room key is a compact JWT (HS256) signed with the server's room-key secret, so that clients that
decode it as a JWT (as Whereby's SDK does) keep working. It names one meeting and one role; it is
deterministic, so asking for a meeting's URLs twice gives the same URLs. What it grants is decided
on the server: the signature, the meeting (which must still exist) and its time window.
"""

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass

from salon.ids import MeetingId
from salon.meetings.model import KEY_ROLES, RoomRole

_HEADER = {"alg": "HS256", "typ": "JWT"}


@dataclass(frozen=True, slots=True)
class RoomKeyClaims:
    meeting_id: MeetingId
    role: RoomRole


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _json_segment(value: dict[str, str]) -> str:
    return _b64encode(json.dumps(value, separators=(",", ":"), sort_keys=True).encode())


_HEADER_SEGMENT = _json_segment(_HEADER)


def _signature(signing_input: str, secret: bytes) -> str:
    return _b64encode(hmac.digest(secret, signing_input.encode("ascii"), hashlib.sha256))


def issue_room_key(meeting_id: MeetingId, role: RoomRole, secret: bytes) -> str:
    payload = {"meetingId": meeting_id, "roleName": role.value}
    signing_input = f"{_HEADER_SEGMENT}.{_json_segment(payload)}"
    return f"{signing_input}.{_signature(signing_input, secret)}"


def read_room_key(token: str, secret: bytes) -> RoomKeyClaims | None:
    """The claims of a key this server signed, or None for anything else."""
    if not token.isascii():
        return None
    parts = token.split(".")
    if len(parts) != 3:
        return None
    header, payload, signature = parts
    expected = _signature(f"{header}.{payload}", secret)
    if not hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii", "replace")):
        return None
    try:
        claims = json.loads(_b64decode(payload))
        role = RoomRole(claims["roleName"])
        if role not in KEY_ROLES:
            return None
        return RoomKeyClaims(MeetingId(str(claims["meetingId"])), role)
    except (ValueError, KeyError, TypeError, binascii.Error):
        return None
