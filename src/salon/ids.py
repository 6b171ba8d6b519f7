"""Typed identifiers shared across the packages.

Each id is a plain `str` or `int` at run time; the distinct types keep a meeting id from being
passed where an organization id is expected.
"""

from typing import NewType

OrgId = NewType("OrgId", int)
Subdomain = NewType("Subdomain", str)
ApiKeyId = NewType("ApiKeyId", str)
MeetingId = NewType("MeetingId", str)
RoomName = NewType("RoomName", str)
"""Always starts with `/`, as on the wire."""
ParticipantId = NewType("ParticipantId", str)
RoomSessionId = NewType("RoomSessionId", str)
