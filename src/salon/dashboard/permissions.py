"""Who may do what in the dashboard. Pure.

Owners manage everything. Members see and manage meetings and watch live rooms; everything else
(recordings, keys, domains, webhooks, people) is the owners'. Recordings are owners' like the API
that lists them: a member who may open a meeting may not thereby watch or delete what others
said in it. The web layer asks before every page and action,
so a member who types an owner's URL gets a 403 page, not the page.
"""

from enum import StrEnum

from salon.accounts.model import AccountRole


class Area(StrEnum):
    MEETINGS = "meetings"
    LIVE = "live"
    RECORDINGS = "recordings"
    KEYS = "keys"
    DOMAINS = "domains"
    WEBHOOKS = "webhooks"
    MEMBERS = "members"
    APPEARANCE = "appearance"
    INSIGHTS = "insights"


MEMBER_AREAS = frozenset({Area.MEETINGS, Area.LIVE})


def may_use(role: AccountRole, area: Area) -> bool:
    return role is AccountRole.OWNER or area in MEMBER_AREAS


def areas_of(role: AccountRole) -> list[Area]:
    """The areas in navigation order."""
    return [area for area in Area if may_use(role, area)]
