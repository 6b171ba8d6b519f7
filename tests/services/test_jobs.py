"""The durable job runner on SQLite and PostgreSQL: each job runs once and commits its result with
its completion; a failure is retried once, then recorded; two runners on one database never run
one job twice; a job interrupted by a shutdown or a crash is taken again; at most `slots` run
at once."""

import asyncio
import json
from collections.abc import Callable

from helpers import FakeClock
from salon.jobs.model import Job, JobFailed, JobStatus
from salon.jobs.runner import Commit, JobRunner, enqueue
from salon.storage import jobs as rows
from salon.storage.db import Database, Dialect, Transaction

WITHIN_S = 20.0
KIND = "test.work"


class Work:
    """A handler whose runs the test scripts: each run waits for `release` when told to."""

    def __init__(self, failures: int = 0, hold: bool = False) -> None:
        self.failures = failures
        self.hold = hold
        self.release = asyncio.Event()
        self.started: list[str] = []
        self.active = 0
        self.most_active = 0
        self.failed_with: list[str] = []

    async def run(self, job: Job) -> Commit:
        self.started.append(job.id)
        self.active += 1
        self.most_active = max(self.most_active, self.active)
        try:
            if self.hold:
                await self.release.wait()
            if self.failures:
                self.failures -= 1
                raise JobFailed("the tool said no")
        finally:
            self.active -= 1
        name = json.loads(job.payload)["name"]

        async def commit(tx: Transaction) -> None:
            await tx.execute(
                "INSERT INTO server_settings (name, value) VALUES (:name, :value)",
                {"name": name, "value": job.id},
            )

        return commit

    async def failed(self, tx: Transaction, job: Job, error: str) -> None:
        self.failed_with.append(error)


async def until(condition: Callable[[], bool], what: str) -> None:
    deadline = asyncio.get_running_loop().time() + WITHIN_S
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, f"{what} within {WITHIN_S} s"
        await asyncio.sleep(0.02)


async def add_job(db: Database, clock: FakeClock, name: str) -> str:
    async with db.transaction() as tx:
        return await enqueue(tx, KIND, json.dumps({"name": name}), clock())


async def status(db: Database, job_id: str) -> str:
    row = await rows.get_job(db, job_id)
    assert row is not None
    return str(row["status"])


async def results(db: Database) -> dict[str, str]:
    found = await db.fetch_all(
        "SELECT name, value FROM server_settings WHERE name LIKE 'job-%' ORDER BY name"
    )
    return {row["name"]: row["value"] for row in found}


def runner(db: Database, clock: FakeClock, work: Work, slots: int = 2) -> JobRunner:
    made = JobRunner(db, clock, slots=slots, poll_s=0.05, retry_delay_ms=1000)
    made.handle(KIND, work)
    return made


async def test_a_job_runs_once_and_commits_its_result_with_its_completion(
    database: Database, clock: FakeClock
) -> None:
    work = Work()
    jobs = runner(database, clock, work)
    task = asyncio.create_task(jobs.run())
    try:
        job_id = await add_job(database, clock, "job-a")
        jobs.wake()
        await until(lambda: bool(work.started), "the job starts")
        await until(lambda: jobs.busy == 0, "the job ends")
        assert await status(database, job_id) == "done"
        assert await results(database) == {"job-a": job_id}
        assert work.started == [job_id]
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_a_failure_is_retried_once_then_recorded_with_its_reason(
    database: Database, clock: FakeClock
) -> None:
    work = Work(failures=1)
    jobs = runner(database, clock, work)
    task = asyncio.create_task(jobs.run())
    try:
        retried = await add_job(database, clock, "job-retried")
        await until(lambda: len(work.started) == 1 and jobs.busy == 0, "the first attempt")
        assert await status(database, retried) == "pending"  # not due before its delay
        clock.advance(1000)
        await until(lambda: len(work.started) == 2 and jobs.busy == 0, "the retry")
        assert await status(database, retried) == "done"

        work.failures = 2
        lost = await add_job(database, clock, "job-lost")
        await until(lambda: len(work.started) == 3 and jobs.busy == 0, "a first attempt")
        clock.advance(1000)
        await until(lambda: len(work.started) == 4 and jobs.busy == 0, "the last attempt")
        assert await status(database, lost) == "failed"
        row = await rows.get_job(database, lost)
        assert row is not None
        assert row["last_error"] == "the tool said no"
        assert work.failed_with == ["the tool said no"]
        clock.advance(60_000)
        jobs.wake()
        await asyncio.sleep(0.2)  # a failed job is never claimed again (no further start)
        assert len(work.started) == 4
        assert await results(database) == {"job-retried": retried}
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_two_runners_on_one_database_run_each_job_exactly_once_a_slot_each(
    database: Database, clock: FakeClock
) -> None:
    works = [Work(), Work()]
    runners = [runner(database, clock, work, slots=1) for work in works]
    ids = [await add_job(database, clock, f"job-{n:02d}") for n in range(12)]
    tasks = [asyncio.create_task(each.run()) for each in runners]
    try:
        await until(lambda: sum(len(w.started) for w in works) == 12, "all jobs start")
        await until(lambda: all(each.busy == 0 for each in runners), "all jobs end")
        started = [job for work in works for job in work.started]
        assert sorted(started) == sorted(ids)
        assert all(work.most_active <= 1 for work in works)
        assert len(await results(database)) == 12
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def test_at_most_slots_jobs_run_at_once(database: Database, clock: FakeClock) -> None:
    work = Work(hold=True)
    jobs = runner(database, clock, work, slots=2)
    for n in range(5):
        await add_job(database, clock, f"job-{n}")
    task = asyncio.create_task(jobs.run())
    try:
        await until(lambda: len(work.started) == 2, "two jobs start")
        await asyncio.sleep(0.2)  # a third would have been claimed by now (poll 0.05 s)
        assert len(work.started) == 2
        work.release.set()
        await until(lambda: len(work.started) == 5 and jobs.busy == 0, "all jobs end")
        assert work.most_active == 2
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_a_job_stopped_by_a_shutdown_runs_on_the_next_start_without_losing_an_attempt(
    database: Database, clock: FakeClock
) -> None:
    first = Work(hold=True)
    jobs = runner(database, clock, first)
    job_id = await add_job(database, clock, "job-x")
    task = asyncio.create_task(jobs.run())
    await until(lambda: bool(first.started), "the job starts")
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert await status(database, job_id) == "pending"

    second = Work()
    again = runner(database, clock, second)
    task = asyncio.create_task(again.run())
    try:
        await until(lambda: bool(second.started) and again.busy == 0, "the job runs again")
        row = await rows.get_job(database, job_id)
        assert row is not None
        assert (row["status"], row["attempts"]) == ("done", 1)
        assert await results(database) == {"job-x": job_id}
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_a_job_whose_node_died_is_taken_again_once(
    database: Database, clock: FakeClock
) -> None:
    """A crash leaves the job running under a lease: SQLite (one node) takes it back on start,
    PostgreSQL once the lease has run out; the dead node's late result is dropped."""
    job_id = await add_job(database, clock, "job-crash")
    async with database.transaction() as tx:
        dead = await rows.claim(tx, database.dialect, [KIND], clock(), 60_000, "dead-node")
    assert dead is not None
    assert dead.id == job_id
    work = Work()
    jobs = runner(database, clock, work)
    task = asyncio.create_task(jobs.run())
    try:
        if database.dialect is Dialect.POSTGRESQL:
            await asyncio.sleep(0.2)
            assert work.started == []  # the lease still holds
            clock.advance(60_001)
            jobs.wake()
        await until(lambda: bool(work.started) and jobs.busy == 0, "the job is taken again")
        row = await rows.get_job(database, job_id)
        assert row is not None
        assert (row["status"], row["attempts"]) == ("done", 2)
        async with database.transaction() as tx:
            assert not await rows.finish(tx, dead, JobStatus.DONE, clock())
        assert await results(database) == {"job-crash": job_id}
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
