"""Organizations: creating them, finding them, and the default one a fresh install starts with."""

from salon.clock import Clock
from salon.errors import Conflict, InvalidInput, NotFound
from salon.ids import OrgId, Subdomain
from salon.orgs.domains import MAX_DOMAINS, check_origin
from salon.orgs.model import DEFAULT_SUBDOMAIN, Organization, check_subdomain
from salon.storage import domains as domain_rows
from salon.storage import orgs as org_rows
from salon.storage.db import Database, UniqueViolation


class OrgService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        # Organizations are never renamed, so a cached one cannot go stale.
        self._by_id: dict[OrgId, Organization] = {}

    async def ensure_default(self) -> tuple[Organization, bool]:
        """The default organization, and whether this call created it (a first start)."""
        existing = await org_rows.get_default_org(self._db)
        if existing is not None:
            return existing, False
        try:
            async with self._db.transaction() as tx:
                created = await org_rows.insert_org(
                    tx, DEFAULT_SUBDOMAIN, self._clock(), is_default=True
                )
        except UniqueViolation:
            raced = await org_rows.get_default_org(self._db)
            assert raced is not None
            return raced, False
        return created, True

    async def create(self, subdomain: str) -> Organization:
        checked = check_subdomain(subdomain)
        try:
            async with self._db.transaction() as tx:
                return await org_rows.insert_org(tx, checked, self._clock())
        except UniqueViolation:
            raise Conflict(f"an organization with subdomain {checked!r} exists already") from None

    async def list_orgs(self) -> list[Organization]:
        return await org_rows.list_orgs(self._db)

    async def get(self, org_id: OrgId) -> Organization:
        cached = self._by_id.get(org_id)
        if cached is not None:
            return cached
        org = await org_rows.get_org(self._db, org_id)
        if org is None:
            raise NotFound("organization not found")
        self._by_id[org_id] = org
        return org

    async def find(self, subdomain: str | None) -> Organization:
        """The organization named by `subdomain`, or the default one when it is None."""
        if subdomain is None:
            return (await self.ensure_default())[0]
        org = await org_rows.get_org_by_subdomain(self._db, Subdomain(subdomain))
        if org is None:
            raise NotFound(f"no organization with subdomain {subdomain!r}")
        return org

    # --- allowed domains ----------------------------------------------------------------------

    async def allowed_domains(self, org_id: OrgId) -> list[str]:
        """Read on every page load, so a change applies to the next one without a restart."""
        return await domain_rows.list_domains(self._db, org_id)

    async def add_domain(self, org_id: OrgId, origin: str) -> str:
        checked = check_origin(origin)
        if len(await self.allowed_domains(org_id)) >= MAX_DOMAINS:
            raise InvalidInput(f"an organization may allow at most {MAX_DOMAINS} domains")
        async with self._db.transaction() as tx:
            await domain_rows.insert_domain(tx, org_id, checked, self._clock())
        return checked

    async def remove_domain(self, org_id: OrgId, origin: str) -> str:
        checked = origin.strip().lower().rstrip("/")
        async with self._db.transaction() as tx:
            if not await domain_rows.delete_domain(tx, org_id, checked):
                raise NotFound(f"{checked!r} is not an allowed domain")
        return checked
