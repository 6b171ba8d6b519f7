"""Which due deliveries the dispatcher takes next: round-robin over organizations, then over each
organization's endpoints, within the in-flight limits. Pure.

Oldest-first over everyone let one tenant's backlog (or its endpoints that never answer) fill
every slot while another tenant's fresh event waited behind it. Here each organization with due
work gets a slot in turn, and inside it each endpoint in turn; an endpoint never has more than
`per_endpoint` deliveries in flight, an organization never more than `per_org`, the process
never more than `total`. The turn rotates from one claim to the next, so ties do not always
favour the same organization.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Limits:
    total: int = 256
    """Deliveries in flight in the whole process."""
    per_org: int = 64
    """In flight for one organization: what a tenant's hanging endpoints can hold at most."""
    per_endpoint: int = 16
    """In flight to one endpoint."""


@dataclass(frozen=True, slots=True)
class DueEndpoint:
    endpoint_id: str
    org_id: int
    due: int
    """Due deliveries not in flight (counted up to `per_endpoint`)."""


def plan(
    due: Sequence[DueEndpoint],
    in_flight_by_endpoint: Mapping[str, int],
    in_flight_by_org: Mapping[int, int],
    limits: Limits,
    in_flight_total: int,
    turn: int = 0,
) -> dict[str, int]:
    """How many deliveries to take from each endpoint now."""
    room = limits.total - in_flight_total
    by_org: dict[int, list[DueEndpoint]] = {}
    for endpoint in sorted(due, key=lambda e: (e.org_id, e.endpoint_id)):
        by_org.setdefault(endpoint.org_id, []).append(endpoint)
    orgs = _rotated(sorted(by_org), turn)
    left = {
        e.endpoint_id: min(e.due, limits.per_endpoint - in_flight_by_endpoint.get(e.endpoint_id, 0))
        for e in due
    }
    org_left = {org: limits.per_org - in_flight_by_org.get(org, 0) for org in orgs}
    queues = {org: _rotated(by_org[org], turn) for org in orgs}
    taken: dict[str, int] = {}
    progress = True
    while room > 0 and progress:
        progress = False
        for org in orgs:
            if room <= 0 or org_left[org] <= 0:
                continue
            queue = queues[org]
            for _ in range(len(queue)):
                endpoint = queue.pop(0)
                queue.append(endpoint)
                if left[endpoint.endpoint_id] > 0:
                    left[endpoint.endpoint_id] -= 1
                    taken[endpoint.endpoint_id] = taken.get(endpoint.endpoint_id, 0) + 1
                    org_left[org] -= 1
                    room -= 1
                    progress = True
                    break
    return taken


def _rotated(items: Sequence[_T], turn: int) -> list[_T]:
    if not items:
        return []
    start = turn % len(items)
    return [*items[start:], *items[:start]]
