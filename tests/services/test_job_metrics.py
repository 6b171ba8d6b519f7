"""The job queue's and group commit's metrics, scraped from the app's own exposition on SQLite
and PostgreSQL: a queued job shows in `salon_jobs` by kind, a run moves
`salon_job_duration_seconds` by kind and outcome, and every commit moves the group-commit
histograms (PostgreSQL's asyncpg batches as SQLite's)."""

import asyncio
import json

from prometheus_client.parser import text_string_to_metric_families

from helpers import Api
from salon.jobs.model import Job, JobFailed
from salon.jobs.runner import Commit, commit_nothing, enqueue
from salon.storage.db import Transaction
from services.test_jobs import until

KIND = "test.metrics"

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(api: Api) -> Samples:
    text, _ = await api.app.state.metrics.render()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text.decode())
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


class Flaky:
    """Fails the runs whose payload says so, and finishes the others."""

    def __init__(self) -> None:
        self.runs = 0

    async def run(self, job: Job) -> Commit:
        self.runs += 1
        if json.loads(job.payload)["fail"]:
            raise JobFailed("asked to")
        return commit_nothing

    async def failed(self, tx: Transaction, job: Job, error: str) -> None:
        return


async def test_a_job_moves_the_queue_gauge_its_duration_and_the_commit_histograms(
    api: Api,
) -> None:
    jobs = api.app.state.services.jobs
    handler = Flaky()
    jobs.handle(KIND, handler)
    before = await scrape(api)
    assert value(before, "salon_jobs", kind=KIND, status="pending") == 0
    assert value(before, "salon_jobs", kind="summary.write", status="pending") == 0  # every kind

    async with api.database.transaction() as tx:
        await enqueue(tx, KIND, json.dumps({"fail": False}), api.clock())
        await enqueue(tx, KIND, json.dumps({"fail": True}), api.clock(), max_attempts=1)
    queued = await scrape(api)
    assert value(queued, "salon_jobs", kind=KIND, status="pending") == 2
    grew = value(queued, "salon_db_commit_batch_size_count") - value(
        before, "salon_db_commit_batch_size_count"
    )
    assert grew >= 1, "the commit of the enqueue is counted"
    assert value(queued, "salon_db_commit_duration_seconds_count") >= 1

    running = asyncio.create_task(jobs.run())
    try:
        await until(lambda: handler.runs == 2 and jobs.busy == 0, "two job runs")
        after = await scrape(api)
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)

    def ran(outcome: str) -> float:
        name = "salon_job_duration_seconds_count"
        return value(after, name, kind=KIND, outcome=outcome) - value(
            before, name, kind=KIND, outcome=outcome
        )

    assert ran("done") == 1
    assert ran("failed") == 1
    assert value(after, "salon_jobs", kind=KIND, status="pending") == 0
    assert value(after, "salon_jobs", kind=KIND, status="running") == 0
