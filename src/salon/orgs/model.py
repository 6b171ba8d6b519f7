"""Organizations: the tenant that owns keys and meetings. Pure."""

import re
from dataclasses import dataclass

from salon.errors import InvalidInput
from salon.ids import OrgId, Subdomain

DEFAULT_SUBDOMAIN = Subdomain("default")

# One DNS label: the subdomain becomes `<subdomain>.<base domain>` in multi-org hosting.
_SUBDOMAIN_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


@dataclass(frozen=True, slots=True)
class Organization:
    org_id: OrgId
    subdomain: Subdomain
    created_ms: int


def check_subdomain(value: str) -> Subdomain:
    if not _SUBDOMAIN_RE.fullmatch(value):
        raise InvalidInput("subdomain must be 1-63 lower-case letters, digits or inner hyphens")
    return Subdomain(value)
