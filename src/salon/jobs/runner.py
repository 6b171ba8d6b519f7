"""The job runner: claims due jobs, at most one per core, and runs each through its handler.

    wake() or poll ──► claim (lease + token) ──► handler.run(job) ──► one transaction:
                                                   job done + the handler's own writes
                                     on error ──► retry later, or (last attempt) failed +
                                                   handler.failed(...) in one transaction

A running job's lease is renewed while it runs; a node that dies leaves a lease that runs out,
and another node (or this one restarted) takes the job again. The handler's result commits in
the same transaction that marks the job done, and only while the claim is still this node's, so
what a job announces (a webhook) is announced once.
"""

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

from salon.clock import Clock
from salon.jobs.model import MAX_ATTEMPTS, Job, JobFailed, JobStatus, new_claim_token, new_job_id
from salon.jobs.model import retry_delay_ms as next_delay_ms
from salon.storage import jobs as rows
from salon.storage.db import Database, Dialect, Transaction

log = logging.getLogger(__name__)

Ran = Callable[[str, str, float], None]
"""Told (kind, outcome, seconds) after each attempt: `done`, `dropped` (its claim was taken over),
`retried` or `failed` (for good). Metrics."""

Commit = Callable[[Transaction], Awaitable[None]]
"""What a finished job writes, in the transaction that marks it done."""


async def commit_nothing(tx: Transaction) -> None:
    """The `Commit` of a job with nothing to write (its item went meanwhile)."""
    return


LEASE_MS = 60_000
POLL_S = 5.0
RETRY_DELAY_MS = 5_000
ERROR_MAX = 2000


class JobHandler(Protocol):
    async def run(self, job: Job) -> Commit: ...

    async def failed(self, tx: Transaction, job: Job, error: str) -> None:
        """The job's last attempt failed: the handler records why (and tells whom it tells)."""
        ...


async def enqueue(
    tx: Transaction, kind: str, payload: str, now_ms: int, max_attempts: int = MAX_ATTEMPTS
) -> str:
    """In the caller's transaction, so the job exists exactly when what asked for it does."""
    job_id = new_job_id()
    await rows.insert_job(tx, job_id, kind, payload, max_attempts, now_ms)
    return job_id


class JobRunner:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        slots: int | None = None,
        lease_ms: int = LEASE_MS,
        retry_delay_ms: int = RETRY_DELAY_MS,
        poll_s: float = POLL_S,
        on_finished: Callable[[], None] | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._handlers: dict[str, JobHandler] = {}
        self._slots = slots or os.cpu_count() or 1
        self._lease_ms = lease_ms
        self._retry_delay_ms = retry_delay_ms
        self._poll_s = poll_s
        self._on_finished = on_finished
        """Called once a job's result is committed (the webhook dispatcher's wake-up)."""
        self.on_ran: Ran | None = None
        """Told how each attempt went (the composition root sets it: metrics)."""
        self._wake = asyncio.Event()
        self._running: dict[str, asyncio.Task[None]] = {}

    def handle(self, kind: str, handler: JobHandler) -> None:
        self._handlers[kind] = handler

    def wake(self) -> None:
        self._wake.set()

    @property
    def kinds(self) -> list[str]:
        """The kinds of job this runner has a handler for."""
        return sorted(self._handlers)

    @property
    def busy(self) -> int:
        return len(self._running)

    async def run(self) -> None:
        """Claim and run until cancelled; cancelling gives running jobs back."""
        if self._db.dialect is Dialect.SQLITE:
            resumed = await rows.release_all_leases(self._db)
            if resumed:
                log.info("jobs: %d interrupted jobs are due again", resumed)
        try:
            while True:
                try:
                    while len(self._running) < self._slots and await self.claim_one():
                        pass
                except Exception:
                    log.exception("jobs: could not claim; retrying")
                self._wake.clear()
                # asyncio.timeout, not wait_for: on Python 3.11, wait_for can swallow a
                # cancellation that arrives as the wake-up does, and the runner never stops.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._poll_s):
                        await self._wake.wait()
        finally:
            tasks = list(self._running.values())
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def claim_one(self) -> bool:
        if not self._handlers:
            return False
        async with self._db.transaction() as tx:
            job = await rows.claim(
                tx,
                self._db.dialect,
                sorted(self._handlers),
                self._clock(),
                self._lease_ms,
                new_claim_token(),
            )
        if job is None:
            return False
        log.info("jobs: %s %s, attempt %d of %d", job.kind, job.id, job.attempts, job.max_attempts)
        task = asyncio.create_task(self._run(job))
        self._running[job.id] = task
        task.add_done_callback(lambda _: self._done(job.id))
        return True

    def _done(self, job_id: str) -> None:
        self._running.pop(job_id, None)
        self._wake.set()

    async def _run(self, job: Job) -> None:
        handler = self._handlers[job.kind]
        started = time.perf_counter()
        keeper = asyncio.create_task(self._keep_lease(job))
        try:
            commit = await handler.run(job)
        except asyncio.CancelledError:
            keeper.cancel()
            with contextlib.suppress(Exception):
                await asyncio.shield(rows.give_back(self._db, job))
            raise
        except Exception as error:
            keeper.cancel()
            reason = (str(error) if isinstance(error, JobFailed) else repr(error))[:ERROR_MAX]
            if not isinstance(error, JobFailed):
                log.exception("jobs: %s %s failed", job.kind, job.id)
            await self._failed(handler, job, reason)
            self._ran(job, "failed" if job.last_attempt else "retried", started)
            return
        keeper.cancel()
        async with self._db.transaction() as tx:
            finished = await rows.finish(tx, job, JobStatus.DONE, self._clock())
            if finished:
                await commit(tx)
            else:
                log.warning("jobs: %s %s was taken over; its result is dropped", job.kind, job.id)
        self._ran(job, "done" if finished else "dropped", started)
        if self._on_finished is not None:
            self._on_finished()

    def _ran(self, job: Job, outcome: str, started: float) -> None:
        if self.on_ran is not None:
            self.on_ran(job.kind, outcome, time.perf_counter() - started)

    async def _failed(self, handler: JobHandler, job: Job, reason: str) -> None:
        now = self._clock()
        async with self._db.transaction() as tx:
            if job.last_attempt:
                if await rows.finish(tx, job, JobStatus.FAILED, now, reason):
                    await handler.failed(tx, job, reason)
                log.warning("jobs: %s %s failed for good: %s", job.kind, job.id, reason)
            else:
                delay = next_delay_ms(job.attempts, self._retry_delay_ms)
                await rows.retry_later(tx, job, now + delay, reason)
                log.warning(
                    "jobs: %s %s failed (%s); retry in %d ms", job.kind, job.id, reason, delay
                )
        if job.last_attempt and self._on_finished is not None:
            self._on_finished()

    async def _keep_lease(self, job: Job) -> None:
        while True:
            await asyncio.sleep(self._lease_ms / 3000)
            try:
                await rows.renew(self._db, job, self._clock() + self._lease_ms)
            except Exception:
                log.exception("jobs: could not renew the lease of %s", job.id)
