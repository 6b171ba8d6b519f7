"""What one room, and one client address, may take of a server. Pure.

join ──► joins per address per minute ──► role ──► full? a host frees seats held only by
         people in their resume grace ──► locked? the door holds at most `door_cap` people
knock ──► knocks per address per minute ──► hosts hear the waiting list, coalesced
"""

from dataclasses import dataclass

DOOR_CAP = 50
"""People at one room's door (waiting to knock, or knocking) at once."""
KNOCKS_PER_MINUTE = 30
"""Knocks one client address may make per minute, over all rooms."""
JOINS_PER_MINUTE = 120
"""Joins one client address may make per minute, over all rooms (resumes are not counted)."""
KNOCK_LIST_INTERVAL_S = 0.25
"""Hosts hear the waiting list at most this often (4 times a second), as one message."""
KNOCK_LIST_MAX = 100
"""Knockers listed in one message; `total` says how many wait in all."""
KNOCK_WEBHOOK_EVERY_MS = 60_000
"""A knocker's `room.client.knocked` (and its cancel) is recorded at most once per minute."""


@dataclass(frozen=True, slots=True)
class RoomLimits:
    door_cap: int = DOOR_CAP
    knocks_per_minute: int = KNOCKS_PER_MINUTE
    """0 turns the limit off."""
    joins_per_minute: int = JOINS_PER_MINUTE
    """0 turns the limit off."""
    knock_list_interval_s: float = KNOCK_LIST_INTERVAL_S
