"""Summaries for `/v1/summaries`: one per transcript (delete it to make another), written by a
job; read, listed and deleted."""

import json
import uuid
from collections.abc import Callable

from salon.clock import Clock
from salon.errors import Conflict, InvalidInput, NotFound
from salon.ids import OrgId
from salon.jobs.runner import enqueue
from salon.meetings.model import offset_of, offset_page
from salon.storage import summaries as rows
from salon.storage import transcriptions as transcription_rows
from salon.storage.db import Database, UniqueViolation
from salon.summaries.job import SUMMARY_JOB
from salon.summaries.model import Summary, Template, empty_summary
from salon.transcription.model import TranscriptionState, sort_clause


def _has_one(transcription_id: str, existing: str | None) -> Conflict:
    return Conflict(
        f"transcription {transcription_id!r} has a summary already ({existing});"
        " delete it to make another"
    )


class SummaryService:
    def __init__(
        self, db: Database, clock: Clock, summariser_name: str, wake_jobs: Callable[[], None]
    ) -> None:
        self._db = db
        self._clock = clock
        self._summariser_name = summariser_name
        self._wake_jobs = wake_jobs

    async def create(self, org_id: OrgId, transcription_id: str, template: Template) -> str:
        now = self._clock()
        summary_id = str(uuid.uuid4())
        try:
            async with self._db.transaction() as tx:
                transcription = await transcription_rows.get(tx, org_id, transcription_id)
                if transcription is None:
                    raise NotFound(f"no transcription with id {transcription_id!r}")
                if transcription.state is not TranscriptionState.READY:
                    raise InvalidInput(
                        f"transcription {transcription_id!r} is {transcription.state.value};"
                        " a summary needs a ready transcription"
                    )
                existing = await rows.live_for(tx, transcription_id)
                if existing is not None:
                    raise _has_one(transcription_id, existing)
                await rows.insert_summary(
                    tx,
                    summary_id,
                    org_id,
                    transcription_id,
                    template,
                    json.dumps(empty_summary(template)),
                    self._summariser_name,
                    now,
                )
                await enqueue(tx, SUMMARY_JOB, json.dumps({"summaryId": summary_id}), now)
        except UniqueViolation:
            # Another request (another node, or a transaction the check could not see yet)
            # inserted the transcript's summary after the check: the unique index of live
            # summaries refused this one, and the caller hears what the check would have said.
            existing = await rows.live_for(self._db, transcription_id)
            raise _has_one(transcription_id, existing) from None
        self._wake_jobs()
        return summary_id

    async def list_summaries(
        self, org_id: OrgId, *, cursor: str | None, limit: int, sort_by: str | None
    ) -> tuple[list[Summary], str | None]:
        order = sort_clause(sort_by, "t") if sort_by else "s.created_ms DESC, s.id"
        offset = offset_of(cursor)
        found = await rows.list_summaries(self._db, org_id, order, offset, limit + 1)
        return offset_page(found, offset, limit)

    async def get(self, org_id: OrgId, summary_id: str) -> Summary:
        found = await rows.get(self._db, org_id, summary_id)
        if found is None:
            raise NotFound(f"no summary with id {summary_id!r}")
        return found

    async def of_transcription(self, org_id: OrgId, transcription_id: str) -> list[Summary]:
        """The transcript's summary, if it has one (a list: the dashboard shows them all)."""
        return await rows.list_for_transcription(self._db, org_id, transcription_id)

    async def delete(self, org_id: OrgId, summary_id: str) -> None:
        """Idempotent."""
        async with self._db.transaction() as tx:
            await rows.mark_deleted(tx, org_id, summary_id, self._clock())
