"""Breakout groups: a host splits the room into named groups; each group is its own space for
media and chat until the host ends the session. Pure.

A participant with no group is in the main room. Signaling between two participants, and chat,
reach only people in the same space; a host's broadcast reaches everyone.
"""

from dataclasses import dataclass, field
from typing import Any

from salon.errors import InvalidInput
from salon.ids import ParticipantId

MAX_GROUPS = 20
GROUP_NAME_MAX = 40


def check_groups(names: list[str]) -> list[str]:
    """1 to 20 distinct names of 1-40 characters, trimmed."""
    cleaned = [name.strip() for name in names]
    if not 1 <= len(cleaned) <= MAX_GROUPS:
        raise InvalidInput(f"a breakout session has 1 to {MAX_GROUPS} groups")
    if any(not name or len(name) > GROUP_NAME_MAX for name in cleaned):
        raise InvalidInput(f"a group name has 1 to {GROUP_NAME_MAX} characters")
    if len(set(cleaned)) != len(cleaned):
        raise InvalidInput("group names must differ")
    return cleaned


@dataclass(slots=True)
class Breakout:
    groups: list[str]
    allow_choose: bool
    assignments: dict[ParticipantId, int] = field(default_factory=dict)

    def group_of(self, participant_id: ParticipantId) -> int | None:
        return self.assignments.get(participant_id)

    def same_space(self, first: ParticipantId, second: ParticipantId) -> bool:
        return self.group_of(first) == self.group_of(second)

    def assign(self, participant_id: ParticipantId, group: int | None) -> None:
        if group is None:
            self.assignments.pop(participant_id, None)
            return
        if not 0 <= group < len(self.groups):
            raise InvalidInput(f"there is no group {group}")
        self.assignments[participant_id] = group

    def view(self) -> dict[str, Any]:
        return {
            "groups": list(self.groups),
            "assignments": dict(self.assignments),
            "allowChoose": self.allow_choose,
        }
