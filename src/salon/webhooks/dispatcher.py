"""The webhook dispatcher: claims due deliveries, signs and POSTs them, records every attempt.

    wake() or poll ──► claim (lease), round-robin ──► one task per delivery ──► POST, 5 s timeout
                                             └─► results ──► one transaction per batch:
                                                 delivered | retry at next_attempt_ms | failed

Retry state lives in columns, so a restart resumes where the last process stopped (a lease left by
a killed process expires after `LEASE_MS`). Claims go round-robin over organizations and their
endpoints (`fairness.plan`) within in-flight limits per endpoint, per organization and in all, and
each organization sends through a connection pool of its own: endpoints that hang or keep failing
hold up neither the other endpoints of their organization nor any other organization.
"""

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any, TypeVar

from salon.clock import Clock
from salon.storage import webhooks as rows
from salon.storage.db import Database, StorageUnavailable
from salon.webhooks.fairness import DueEndpoint, Limits, plan
from salon.webhooks.model import DeliveryStatus, Outcome, RetryPolicy
from salon.webhooks.sender import Sender

log = logging.getLogger(__name__)

_K = TypeVar("_K")

LEASE_MS = 15_000
POLL_S = 1.0


@dataclass
class Counters:
    delivered: int = 0
    retried: int = 0
    failed: int = 0

    def count(self, status: DeliveryStatus) -> None:
        if status is DeliveryStatus.DELIVERED:
            self.delivered += 1
        elif status is DeliveryStatus.PENDING:
            self.retried += 1
        else:
            self.failed += 1


@dataclass
class _Result:
    delivery_id: str
    org_id: int
    number: int
    at_ms: int
    outcome: Outcome


@dataclass
class _InFlight:
    by_endpoint: dict[str, int] = field(default_factory=dict)
    by_org: dict[int, int] = field(default_factory=dict)
    total: int = 0

    def add(self, endpoint: str, org: int, n: int) -> None:
        _bump(self.by_endpoint, endpoint, n)
        _bump(self.by_org, org, n)
        self.total += n


def _bump(table: dict[_K, int], key: _K, n: int) -> None:
    table[key] = table.get(key, 0) + n
    if not table[key]:
        del table[key]


class Dispatcher:
    def __init__(
        self,
        db: Database,
        sender: Sender,
        clock: Clock,
        policy: RetryPolicy | None = None,
        *,
        limits: Limits | None = None,
    ) -> None:
        self._db = db
        self._sender = sender
        self._clock = clock
        self.policy = policy or RetryPolicy()
        self.limits = limits or Limits()
        self._turn = 0
        self._wake = asyncio.Event()
        self._results: list[_Result] = []
        self._results_ready = asyncio.Event()
        self._in_flight = _InFlight()
        self._tasks: set[asyncio.Task[None]] = set()
        self.counters = Counters()
        """This process's results, all organizations together."""
        self._org_counters: dict[int, Counters] = {}
        self._storage_away = False

    def counters_for(self, org_id: int) -> Counters:
        """This process's results for one organization's deliveries."""
        return self._org_counters.get(org_id, Counters())

    def wake(self) -> None:
        """New deliveries were committed: look now rather than at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        """Claim and send until cancelled."""
        recorder = asyncio.create_task(self._record_forever())
        try:
            while True:
                claimed = await self._claim_unless_storage_is_away()
                if not claimed:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), POLL_S)
                    self._wake.clear()
        finally:
            recorder.cancel()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(recorder, *self._tasks, return_exceptions=True)
            await self._flush()

    async def _claim_unless_storage_is_away(self) -> int:
        """A database that is down or whose disk is full fails the claim: the deliveries wait for
        it, and this loop goes on (were it to end, every delivery would stay pending until a
        restart). One warning per outage."""
        try:
            claimed = await self.claim_and_send()
        except StorageUnavailable as error:
            if not self._storage_away:
                log.warning("webhooks: cannot claim deliveries (%s); retrying", error)
            self._storage_away = True
            return 0
        if self._storage_away:
            log.warning("webhooks: claiming deliveries again")
            self._storage_away = False
        return claimed

    async def claim_and_send(self) -> int:
        """One round: lease what is due (and fits) and start sending it; how many were started."""
        limits, flying = self.limits, self._in_flight
        if flying.total >= limits.total:
            return 0
        full_endpoints = [e for e, n in flying.by_endpoint.items() if n >= limits.per_endpoint]
        full_orgs = [o for o, n in flying.by_org.items() if n >= limits.per_org]
        now = self._clock()
        claimed: list[str] = []
        async with self._db.transaction() as tx:
            due = [
                DueEndpoint(row["endpoint_id"], int(row["org_id"]), int(row["due"]))
                for row in await rows.due_endpoints(
                    tx, now, limits.per_endpoint, full_endpoints, full_orgs
                )
            ]
            self._turn += 1
            taking = plan(due, flying.by_endpoint, flying.by_org, limits, flying.total, self._turn)
            for endpoint, n in taking.items():
                claimed += await rows.claim_due(tx, self._db.dialect, endpoint, now, LEASE_MS, n)
        for row in await rows.load_claimed(self._db, claimed):
            flying.add(row["endpoint_id"], int(row["org_id"]), 1)
            task = asyncio.create_task(self._send(row))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return len(claimed)

    async def _send(self, row: Any) -> None:
        number = int(row["attempts"]) + 1
        org = int(row["org_id"])
        at_ms = self._clock()
        try:
            outcome = await self._sender.post(
                row["url"], row["body"].encode(), row["secret"], self.policy.timeout_s, org
            )
        finally:
            self._in_flight.add(row["endpoint_id"], org, -1)
            self._wake.set()
        self._results.append(_Result(row["id"], org, number, at_ms, outcome))
        self._results_ready.set()

    async def _record_forever(self) -> None:
        while True:
            await self._results_ready.wait()
            self._results_ready.clear()
            try:
                await self._flush()
            except Exception:
                log.exception("could not record webhook attempts; retrying")
                await asyncio.sleep(POLL_S)

    async def _flush(self) -> None:
        """Write the finished attempts of the moment in one transaction."""
        if not self._results:
            return
        batch, self._results = self._results, []
        async with self._db.transaction() as tx:
            for result in batch:
                status, next_ms = self._next_state(result)
                await rows.record_attempt(
                    tx, result.delivery_id, result.number, result.at_ms, result.outcome,
                    status, next_ms,
                )  # fmt: skip

    def _next_state(self, result: _Result) -> tuple[DeliveryStatus, int]:
        status, next_ms = self._decide(result)
        self.counters.count(status)
        self._org_counters.setdefault(result.org_id, Counters()).count(status)
        return status, next_ms

    def _decide(self, result: _Result) -> tuple[DeliveryStatus, int]:
        outcome = result.outcome
        if outcome.delivered:
            return DeliveryStatus.DELIVERED, result.at_ms
        if outcome.retryable and self.policy.retries_left(result.number):
            return DeliveryStatus.PENDING, self._clock() + self.policy.delay_ms(result.number)
        return DeliveryStatus.FAILED, result.at_ms

    async def drain(self) -> None:
        """Wait for what is in flight and record it (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        await self._flush()
