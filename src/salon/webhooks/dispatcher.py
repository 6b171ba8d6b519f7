"""The webhook dispatcher: claims due deliveries, signs and POSTs them, records every attempt.

    wake() or poll ──► claim (lease) ──► one task per delivery ──► POST, 5 s timeout
                                             └─► results ──► one transaction per batch:
                                                 delivered | retry at next_attempt_ms | failed

Retry state lives in columns, so a restart resumes where the last process stopped (a lease left by
a killed process expires after `LEASE_MS`). Each endpoint has at most `per_endpoint` deliveries in
flight per claim and a saturated endpoint is skipped by the next claims, so one that hangs or keeps
failing cannot hold up the others.
"""

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

from salon.clock import Clock
from salon.storage import webhooks as rows
from salon.storage.db import Database
from salon.webhooks.model import DeliveryStatus, Outcome, RetryPolicy
from salon.webhooks.sender import Sender

log = logging.getLogger(__name__)

LEASE_MS = 15_000
POLL_S = 1.0


@dataclass
class Counters:
    delivered: int = 0
    retried: int = 0
    failed: int = 0


@dataclass
class _Result:
    delivery_id: str
    number: int
    at_ms: int
    outcome: Outcome


@dataclass
class _InFlight:
    by_endpoint: dict[str, int] = field(default_factory=dict)
    total: int = 0


class Dispatcher:
    def __init__(
        self,
        db: Database,
        sender: Sender,
        clock: Clock,
        policy: RetryPolicy | None = None,
        *,
        max_in_flight: int = 256,
        per_endpoint: int = 64,
    ) -> None:
        self._db = db
        self._sender = sender
        self._clock = clock
        self.policy = policy or RetryPolicy()
        self._max_in_flight = max_in_flight
        self._per_endpoint = per_endpoint
        self._wake = asyncio.Event()
        self._results: list[_Result] = []
        self._results_ready = asyncio.Event()
        self._in_flight = _InFlight()
        self._tasks: set[asyncio.Task[None]] = set()
        self.counters = Counters()

    def wake(self) -> None:
        """New deliveries were committed: look now rather than at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        """Claim and send until cancelled."""
        recorder = asyncio.create_task(self._record_forever())
        try:
            while True:
                claimed = await self.claim_and_send()
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

    async def claim_and_send(self) -> int:
        """One round: lease what is due (and fits) and start sending it; how many were started."""
        room = self._max_in_flight - self._in_flight.total
        if room <= 0:
            return 0
        busy = [
            endpoint
            for endpoint, n in self._in_flight.by_endpoint.items()
            if n >= self._per_endpoint
        ]
        async with self._db.transaction() as tx:
            claimed = await rows.claim_due(
                tx, self._db.dialect, self._clock(), LEASE_MS, room, self._per_endpoint, busy
            )
        for row in await rows.load_claimed(self._db, claimed):
            endpoint = row["endpoint_id"]
            self._in_flight.by_endpoint[endpoint] = self._in_flight.by_endpoint.get(endpoint, 0) + 1
            self._in_flight.total += 1
            task = asyncio.create_task(self._send(row))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return len(claimed)

    async def _send(self, row: Any) -> None:
        number = int(row["attempts"]) + 1
        at_ms = self._clock()
        try:
            outcome = await self._sender.post(
                row["url"], row["body"].encode(), row["secret"], self.policy.timeout_s
            )
        finally:
            endpoint = row["endpoint_id"]
            self._in_flight.by_endpoint[endpoint] -= 1
            if not self._in_flight.by_endpoint[endpoint]:
                del self._in_flight.by_endpoint[endpoint]
            self._in_flight.total -= 1
            self._wake.set()
        self._results.append(_Result(row["id"], number, at_ms, outcome))
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
        outcome = result.outcome
        if outcome.delivered:
            self.counters.delivered += 1
            return DeliveryStatus.DELIVERED, result.at_ms
        if outcome.retryable and self.policy.retries_left(result.number):
            self.counters.retried += 1
            return DeliveryStatus.PENDING, self._clock() + self.policy.delay_ms(result.number)
        self.counters.failed += 1
        return DeliveryStatus.FAILED, result.at_ms

    async def drain(self) -> None:
        """Wait for what is in flight and record it (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        await self._flush()
