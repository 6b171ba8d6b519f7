"""Webhook endpoints and the delivery log; and the outbox write that room events make."""

import asyncio
import socket
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from salon.clock import Clock
from salon.errors import Conflict, InvalidInput, NotFound
from salon.ids import OrgId
from salon.meetings.model import Meeting
from salon.rooms.events import RoomEvent
from salon.storage import webhooks as rows
from salon.storage.db import Database, Row, Transaction
from salon.storage.settings import get_setting, put_setting
from salon.webhooks import events
from salon.webhooks.destinations import (
    Address,
    DestinationPolicy,
    is_special_name,
    parse_address,
)
from salon.webhooks.model import (
    Endpoint,
    check_url,
    new_delivery_id,
    new_endpoint_id,
    new_secret,
)

DELIVERY_LOG_MAX = 500
MAX_ENDPOINTS = 20
"""Endpoints one organization may have, by default."""
RESOLVE_WITHIN_S = 3.0
REFUSED_DESTINATION = (
    "url must point at a public address: loopback, private, link-local, unique-local, shared,"
    " multicast and reserved addresses are refused unless the operator allows their network"
)

Resolve = Callable[[str], Awaitable[list[Address]]]


SERVED_ORIGINS_SETTING = "served_origins"
"""Where the last `salon serve` answered, so the CLI refuses webhooks that point there too."""


async def remember_served_origins(db: Database, origins: frozenset[str]) -> None:
    await put_setting(db, SERVED_ORIGINS_SETTING, " ".join(sorted(origins)))


async def served_origins(db: Database) -> frozenset[str]:
    return frozenset((await get_setting(db, SERVED_ORIGINS_SETTING) or "").split())


async def resolve_host(host: str) -> list[Address]:
    """Every address `host` resolves to now; none when it does not resolve (in time)."""
    loop = asyncio.get_running_loop()
    try:
        found = await asyncio.wait_for(
            loop.getaddrinfo(host, None, type=socket.SOCK_STREAM), RESOLVE_WITHIN_S
        )
    except (OSError, TimeoutError, UnicodeError):
        return []
    addresses = (parse_address(str(info[4][0])) for info in found)
    return [address for address in addresses if address is not None]


class WebhookService:
    """`policy` says where endpoints may point (checked again by the sender at each delivery);
    `resolve` looks names up (the system's resolver unless a test gives its own)."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        own_origins: frozenset[str],
        *,
        policy: DestinationPolicy | None = None,
        max_endpoints: int = MAX_ENDPOINTS,
        resolve: Resolve = resolve_host,
    ) -> None:
        self._db = db
        self._clock = clock
        self._own_origins = own_origins
        self._policy = policy or DestinationPolicy()
        self._max_endpoints = max_endpoints
        self._resolve = resolve

    async def _checked_url(self, url: str) -> str:
        """A valid URL whose host is (or resolves only to) an address the policy permits. A
        name that does not resolve yet is accepted, unless it can only be a private one: the
        sender checks the address again at every delivery."""
        url = check_url(url, self._own_origins)
        host = urlsplit(url).hostname or ""
        literal = parse_address(host)
        addresses = [literal] if literal is not None else await self._resolve(host)
        if not addresses:
            if is_special_name(host):
                raise InvalidInput(REFUSED_DESTINATION)
            return url
        if not self._policy.permits_all(addresses):
            raise InvalidInput(REFUSED_DESTINATION)
        return url

    # --- endpoints --------------------------------------------------------------------------

    async def create(self, org_id: OrgId, url: str, event_types: list[str] | None) -> Endpoint:
        now = self._clock()
        endpoint = Endpoint(
            id=new_endpoint_id(),
            org_id=org_id,
            url=await self._checked_url(url),
            events=tuple(
                events.check_event_types(
                    list(events.EVENT_TYPES) if event_types is None else event_types
                )
            ),
            secret=new_secret(),
            enabled=True,
            created_ms=now,
            updated_ms=now,
        )
        async with self._db.transaction() as tx:
            if await rows.count_endpoints(tx, org_id) >= self._max_endpoints:
                raise Conflict(
                    f"an organization can have at most {self._max_endpoints} webhook endpoints;"
                    " delete one to add another"
                )
            await rows.insert_endpoint(tx, endpoint)
        return endpoint

    async def get(self, org_id: OrgId, endpoint_id: str) -> Endpoint:
        endpoint = await rows.get_endpoint(self._db, org_id, endpoint_id)
        if endpoint is None:
            raise NotFound(f"no webhook endpoint with id {endpoint_id!r}")
        return endpoint

    async def list_endpoints(self, org_id: OrgId) -> list[Endpoint]:
        return await rows.list_endpoints(self._db, org_id)

    async def update(
        self,
        org_id: OrgId,
        endpoint_id: str,
        *,
        url: str | None = None,
        event_types: list[str] | None = None,
        enabled: bool | None = None,
        rotate_secret: bool = False,
    ) -> Endpoint:
        current = await self.get(org_id, endpoint_id)
        updated = Endpoint(
            id=current.id,
            org_id=org_id,
            url=current.url if url is None else await self._checked_url(url),
            events=current.events
            if event_types is None
            else tuple(events.check_event_types(event_types)),
            secret=new_secret() if rotate_secret else current.secret,
            enabled=current.enabled if enabled is None else enabled,
            created_ms=current.created_ms,
            updated_ms=self._clock(),
        )
        async with self._db.transaction() as tx:
            await rows.update_endpoint(tx, updated)
        return updated

    async def delete(self, org_id: OrgId, endpoint_id: str) -> None:
        async with self._db.transaction() as tx:
            if not await rows.delete_endpoint(tx, org_id, endpoint_id, self._clock()):
                raise NotFound(f"no webhook endpoint with id {endpoint_id!r}")

    # --- the outbox -------------------------------------------------------------------------

    @staticmethod
    async def enqueue(tx: Transaction, event: RoomEvent, meeting: Meeting, subdomain: str) -> int:
        """In the caller's transaction: the event and one delivery per interested endpoint."""
        if not events.should_send(event, meeting.window):
            return 0
        wanted = [
            endpoint
            for endpoint in await rows.list_endpoints(tx, meeting.org_id)
            if endpoint.enabled and event.type.value in endpoint.events
        ]
        if not wanted:
            return 0
        event_id = events.event_id()
        body = events.envelope(event, subdomain, event_id).decode()
        await rows.insert_event(tx, event_id, meeting.org_id, event.type.value, body, event.at_ms)
        for endpoint in wanted:
            await rows.insert_delivery(
                tx, new_delivery_id(), event_id, endpoint.id, meeting.org_id, event.at_ms
            )
        return len(wanted)

    @staticmethod
    async def enqueue_recording_event(
        tx: Transaction, org_id: OrgId, kind: str, data: dict[str, Any], at_ms: int
    ) -> int:
        """In the caller's transaction: a recording event for every endpoint that takes it."""
        wanted = [
            endpoint
            for endpoint in await rows.list_endpoints(tx, org_id)
            if endpoint.enabled and kind in endpoint.events
        ]
        if not wanted:
            return 0
        event_id = events.event_id()
        body = events.recording_envelope(kind, data, event_id, at_ms).decode()
        await rows.insert_event(tx, event_id, org_id, kind, body, at_ms)
        for endpoint in wanted:
            await rows.insert_delivery(tx, new_delivery_id(), event_id, endpoint.id, org_id, at_ms)
        return len(wanted)

    async def send_test(self, org_id: OrgId, endpoint_id: str, subdomain: str) -> dict[str, Any]:
        """Queue a test event for one endpoint (enabled or not, whatever events it takes)."""
        await self.get(org_id, endpoint_id)
        now = self._clock()
        event_id = events.event_id()
        body = events.test_envelope(endpoint_id, subdomain, event_id, now).decode()
        delivery_id = new_delivery_id()
        async with self._db.transaction() as tx:
            await rows.insert_event(tx, event_id, org_id, events.TEST_EVENT_TYPE, body, now)
            await rows.insert_delivery(tx, delivery_id, event_id, endpoint_id, org_id, now)
        return await self.delivery(org_id, delivery_id)

    # --- the delivery log -------------------------------------------------------------------

    async def deliveries(
        self, org_id: OrgId, endpoint_id: str | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        if endpoint_id is not None:
            await self.get(org_id, endpoint_id)
        if not 1 <= limit <= DELIVERY_LOG_MAX:
            raise InvalidInput(f"limit must be between 1 and {DELIVERY_LOG_MAX}")
        found = await rows.list_deliveries(self._db, org_id, endpoint_id, limit)
        return [delivery_view(row) for row in found]

    async def delivery(self, org_id: OrgId, delivery_id: str) -> dict[str, Any]:
        row = await rows.get_delivery(self._db, org_id, delivery_id)
        if row is None:
            raise NotFound(f"no webhook delivery with id {delivery_id!r}")
        view = delivery_view(row)
        view["attempts"] = [
            {
                "number": attempt["number"],
                "at": attempt["at_ms"],
                "status": attempt["status"],
                "latencyMs": attempt["latency_ms"],
                "error": attempt["error"],
                "response": attempt["response"],
            }
            for attempt in await rows.list_attempts(self._db, delivery_id)
        ]
        return view

    async def replay(self, org_id: OrgId, delivery_id: str) -> dict[str, Any]:
        """Send a delivery's event to its endpoint again, as a new delivery."""
        original = await rows.get_delivery(self._db, org_id, delivery_id)
        if original is None:
            raise NotFound(f"no webhook delivery with id {delivery_id!r}")
        await self.get(org_id, original["endpoint_id"])
        replay_id = new_delivery_id()
        async with self._db.transaction() as tx:
            await rows.insert_delivery(
                tx,
                replay_id,
                original["event_id"],
                original["endpoint_id"],
                org_id,
                self._clock(),
                replay_of=delivery_id,
            )
        return await self.delivery(org_id, replay_id)

    async def metrics(self, org_id: OrgId) -> dict[str, int]:
        counts = await rows.count_by_status(self._db, org_id)
        return {status: counts.get(status, 0) for status in ("pending", "delivered", "failed")}


def delivery_view(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "eventId": row["event_id"],
        "eventType": row["type"],
        "endpointId": row["endpoint_id"],
        "status": row["status"],
        "attempts": row["attempts"],
        "nextAttemptAt": row["next_attempt_ms"] if row["status"] == "pending" else None,
        "lastStatus": row["last_status"],
        "lastError": row["last_error"],
        "lastLatencyMs": row["last_latency_ms"],
        "replayOf": row["replay_of"],
        "createdAt": row["created_ms"],
        "finishedAt": row["finished_ms"],
    }


def endpoint_view(endpoint: Endpoint, *, with_secret: bool = False) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": endpoint.id,
        "url": endpoint.url,
        "events": list(endpoint.events),
        "enabled": endpoint.enabled,
        "createdAt": endpoint.created_ms,
        "updatedAt": endpoint.updated_ms,
    }
    if with_secret:
        view["secret"] = endpoint.secret
    return view
