"""Transcriptions of cloud recordings for `/v1/transcriptions`: asking for one (a row and its
job, in one transaction with `transcription.started`), reading, deleting, and linking to the
Markdown file.

    POST ──► row: in_progress + job + transcription.started (one tx)
    job  ──► engine per speaker ──► transcript file ──► ready + transcription.finished (one tx)

Live transcription (`LIVE_TRANSCRIPTION`) keeps its session's final captions the same way:
    start ──► row: in_progress + transcription.started (one tx)
    stop  ──► transcript file ──► ready + transcription.finished (one tx)
"""

import asyncio
import json
import uuid
from collections.abc import Callable
from pathlib import Path

from salon.clock import Clock
from salon.errors import NotFound
from salon.ids import OrgId, RoomName, RoomSessionId
from salon.jobs.runner import enqueue
from salon.meetings.model import PageQuery, offset_of, offset_page
from salon.recording.model import check_valid_for, link_is_valid, signed_query
from salon.storage import recordings as recording_rows
from salon.storage import summaries as summary_rows
from salon.storage import transcriptions as rows
from salon.storage.db import Database
from salon.transcription.job import REMOVE_JOB, TRANSCRIBE_JOB, transcription_folder
from salon.transcription.model import (
    FILE_PATH,
    STORAGE_TYPE,
    Line,
    Transcription,
    TranscriptionState,
    TranscriptionType,
    event_data,
    parse_markdown,
    render_markdown,
    sort_clause,
    transcript_filename,
)
from salon.webhooks.events import TRANSCRIPTION_FINISHED, TRANSCRIPTION_STARTED
from salon.webhooks.service import WebhookService

LINK_SCOPE = "transcription:"
"""Signed into a transcript's links, so that no recording link is valid for a transcript."""


class TranscriptionService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        root: Path,
        link_secret: bytes,
        public_url: str,
        engine_name: str,
        wake_jobs: Callable[[], None],
    ) -> None:
        self._db = db
        self._clock = clock
        self._root = root
        self._link_secret = link_secret
        self._public_url = public_url.rstrip("/")
        self._engine_name = engine_name
        self._wake_jobs = wake_jobs

    async def create(self, org_id: OrgId, recording_id: str) -> str:
        recording = await recording_rows.get_ready(self._db, org_id, recording_id)
        if recording is None:
            raise NotFound(f"no recording with id {recording_id!r}")
        now = self._clock()
        transcription = Transcription(
            id=str(uuid.uuid4()),
            org_id=org_id,
            recording_id=recording_id,
            room_name=recording.room_name,
            room_session_id=recording.room_session_id,
            kind=TranscriptionType.RECORDING,
            state=TranscriptionState.IN_PROGRESS,
            created_ms=now,
            started_ms=recording.started_ms,
            ended_ms=recording.ended_ms or recording.started_ms,
            filename=None,
            location=None,
            duration_ms=None,
            engine=self._engine_name,
            error=None,
        )
        async with self._db.transaction() as tx:
            await rows.insert_transcription(tx, transcription)
            await enqueue(
                tx, TRANSCRIBE_JOB, json.dumps({"transcriptionId": transcription.id}), now
            )
            await WebhookService.enqueue_recording_event(
                tx,
                org_id,
                TRANSCRIPTION_STARTED,
                event_data(transcription, TranscriptionState.IN_PROGRESS),
                now,
            )
        self._wake_jobs()
        return transcription.id

    async def start_live(
        self, org_id: OrgId, room_name: RoomName, session_id: RoomSessionId | None, started_ms: int
    ) -> Transcription:
        """A live transcription begins: its row (in progress) and `transcription.started`."""
        transcription = Transcription(
            id=str(uuid.uuid4()),
            org_id=org_id,
            recording_id=None,
            room_name=room_name,
            room_session_id=session_id,
            kind=TranscriptionType.LIVE,
            state=TranscriptionState.IN_PROGRESS,
            created_ms=self._clock(),
            started_ms=started_ms,
            ended_ms=started_ms,
            filename=None,
            location=None,
            duration_ms=None,
            engine=self._engine_name,
            error=None,
        )
        async with self._db.transaction() as tx:
            await rows.insert_transcription(tx, transcription)
            await WebhookService.enqueue_recording_event(
                tx,
                org_id,
                TRANSCRIPTION_STARTED,
                event_data(transcription, TranscriptionState.IN_PROGRESS),
                transcription.created_ms,
            )
        return transcription

    async def finish_live(
        self, transcription: Transcription, lines: list[Line], ended_ms: int
    ) -> None:
        """The live transcription ended: the Markdown file of its final captions, then ready and
        `transcription.finished` in one transaction."""
        filename = transcript_filename(transcription.room_name, transcription.started_ms)
        markdown = render_markdown(transcription.room_name, transcription.started_ms, lines)
        folder = transcription_folder(self._root, transcription.id)
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f"{filename}.partial"
        partial.write_text(markdown, encoding="utf-8")
        partial.rename(folder / filename)
        location = str((folder / filename).relative_to(self._root))
        duration_ms = max(0, ended_ms - transcription.started_ms)
        async with self._db.transaction() as tx:
            await rows.mark_ready(tx, transcription.id, filename, location, duration_ms, ended_ms)
            data = event_data(
                transcription,
                TranscriptionState.READY,
                filename=filename,
                storageType=STORAGE_TYPE,
                durationInSeconds=round(duration_ms / 1000, 3),
                recordingId=None,
            )
            await WebhookService.enqueue_recording_event(
                tx, transcription.org_id, TRANSCRIPTION_FINISHED, data, self._clock()
            )

    async def list_transcriptions(
        self, org_id: OrgId, query: PageQuery
    ) -> tuple[list[Transcription], str | None]:
        order = sort_clause(query.sort_by)
        offset = offset_of(query.cursor)
        found = await rows.list_transcriptions(
            self._db, org_id, query.room_name, order, offset, query.limit + 1
        )
        return offset_page(found, offset, query.limit)

    async def get(self, org_id: OrgId, transcription_id: str) -> Transcription:
        found = await rows.get(self._db, org_id, transcription_id)
        if found is None:
            raise NotFound(f"no transcription with id {transcription_id!r}")
        return found

    async def recent(self, org_id: OrgId, limit: int) -> list[Transcription]:
        """The organization's transcripts in every state but deleted, newest first."""
        return await rows.list_recent(self._db, org_id, limit)

    async def lines(self, org_id: OrgId, transcription_id: str) -> tuple[Transcription, list[Line]]:
        """A transcript and its lines as its Markdown file has them (none until it is ready).
        Only the lines Salon writes are read back (`parse_markdown`): the file is never shown
        as it stands."""
        transcription = await self.get(org_id, transcription_id)
        if transcription.state is not TranscriptionState.READY or transcription.location is None:
            return transcription, []
        path = self._root / transcription.location
        try:
            text = await asyncio.to_thread(path.read_text, encoding="utf-8", errors="replace")
        except FileNotFoundError:
            raise NotFound(f"transcription {transcription_id!r} has no file (yet)") from None
        return transcription, parse_markdown(text)

    async def delete(self, org_id: OrgId, transcription_ids: list[str]) -> None:
        """Idempotent: unknown ids, other organizations' and deleted ones are passed over. The
        file goes in the background; the transcript's summary goes with it."""
        now = self._clock()
        async with self._db.transaction() as tx:
            for transcription_id in await rows.mark_deleted(tx, org_id, transcription_ids, now):
                await summary_rows.delete_for_transcriptions(tx, [transcription_id], now)
                await enqueue(
                    tx, REMOVE_JOB, json.dumps({"transcriptionId": transcription_id}), now
                )
        self._wake_jobs()

    async def access_link(
        self, org_id: OrgId, transcription_id: str, valid_for_s: int
    ) -> dict[str, object]:
        transcription = await self.get(org_id, transcription_id)
        if transcription.state is not TranscriptionState.READY:
            raise NotFound(f"transcription {transcription_id!r} has no file (yet)")
        expires = self._clock() + check_valid_for(valid_for_s) * 1000
        query = signed_query(self._link_secret, LINK_SCOPE + transcription_id, expires)
        link = f"{self._public_url}{FILE_PATH}{transcription_id}?{query}"
        return {"accessLink": link, "expires": expires}

    async def file_for_link(self, transcription_id: str, expires: str, signature: str) -> Path:
        """The file an access link serves; `NotFound` for a bad, expired or stale link."""
        scoped = LINK_SCOPE + transcription_id
        if link_is_valid(self._link_secret, scoped, expires, signature, self._clock()):
            found = await rows.get_any(self._db, transcription_id)
            if (
                found is not None
                and found.state is TranscriptionState.READY
                and found.location is not None
                and not await rows.is_deleted(self._db, transcription_id)
            ):
                path = self._root / found.location
                if path.is_file():
                    return path
        raise NotFound("this link is not valid, or has expired")
