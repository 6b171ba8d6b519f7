"""The summary job: the transcript's Markdown to the summariser, then the summary object kept
with `ready` in the transaction that completes the job; `failed` with the reason after its
retry fails (Whereby has no summary webhook: clients poll `state`)."""

import json
from pathlib import Path

from salon.clock import Clock
from salon.jobs.model import Job, JobFailed
from salon.jobs.runner import Commit, commit_nothing
from salon.storage import summaries as rows
from salon.storage import transcriptions as transcription_rows
from salon.storage.db import Database, Transaction
from salon.summaries.llm import SummaryFailed
from salon.summaries.summariser import Summariser

SUMMARY_JOB = "summary.write"


class SummaryJob:
    def __init__(self, db: Database, clock: Clock, root: Path, summariser: Summariser) -> None:
        self._db = db
        self._clock = clock
        self._root = root
        self._summariser = summariser

    async def run(self, job: Job) -> Commit:
        summary_id = json.loads(job.payload)["summaryId"]
        summary = await rows.get_any(self._db, summary_id)
        if summary is None:
            return commit_nothing  # deleted meanwhile
        transcription = await transcription_rows.get_any(self._db, summary.transcription_id)
        if transcription is None or transcription.location is None:
            raise JobFailed("the transcript is no longer kept")
        try:
            text = (self._root / transcription.location).read_text(encoding="utf-8")
        except OSError as error:
            raise JobFailed(f"the transcript could not be read: {error.strerror}") from None
        try:
            written = await self._summariser.summarise(summary.template, text)
        except SummaryFailed as error:
            raise JobFailed(str(error)) from None
        body = json.dumps(written, ensure_ascii=False)

        async def commit(tx: Transaction) -> None:
            await rows.mark_ready(tx, summary_id, body, self._clock())

        return commit

    async def failed(self, tx: Transaction, job: Job, error: str) -> None:
        await rows.mark_failed(tx, json.loads(job.payload)["summaryId"], error, self._clock())
