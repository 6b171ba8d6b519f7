"""The composition job of a stopped recording: compose its tracks into one file, keep it (data
folder or S3), then mark it ready and queue `recording.finished` in the transaction that
completes the job; after its retry fails, `recording.failed` with the reason."""

import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from salon.clock import Clock
from salon.jobs.model import Job, JobFailed
from salon.jobs.runner import Commit, commit_nothing
from salon.recording.compose import compose
from salon.recording.model import Recording, StorageKind, composite_filename
from salon.recording.options import S3Destination
from salon.recording.service import TRACKS_FOLDER
from salon.recording.stores import LocalStore, RecordingStore, S3Store
from salon.storage import recordings as rows
from salon.storage.db import Database, Transaction
from salon.webhooks.events import RECORDING_FAILED, RECORDING_FINISHED
from salon.webhooks.service import WebhookService

log = logging.getLogger(__name__)

CONVERTED_FOLDER = "raw-tracks"
"""Inside a recording's folder: each track converted on its own (kept beside the composite)."""


def store_for(recording: Recording, local: LocalStore) -> RecordingStore:
    if recording.storage is StorageKind.S3:
        return S3Store(S3Destination(**json.loads(recording.destination)))
    return local


Composer = Callable[[Path, Path, Path, str], Awaitable[float]]
"""`compose(raw_dir, tracks_dir, target, file_format)`: the composed file's duration."""


class CompositionJob:
    def __init__(
        self, db: Database, clock: Clock, root: Path, composer: Composer = compose
    ) -> None:
        self._db = db
        self._clock = clock
        self._compose = composer
        self._local = LocalStore(root)

    async def run(self, job: Job) -> Commit:
        recording_id = json.loads(job.payload)["recordingId"]
        recording = await rows.get_any(self._db, recording_id)
        if recording is None or await rows.is_deleted(self._db, recording_id):
            return commit_nothing  # deleted before it was composed
        folder = Path(recording.raw_dir)
        filename = composite_filename(
            recording.room_name, recording.started_ms, recording.file_format
        )
        target = folder / filename
        converted = folder / CONVERTED_FOLDER
        duration = await self._compose(
            folder / TRACKS_FOLDER, converted, target, recording.file_format
        )
        size = target.stat().st_size
        try:
            location = await store_for(recording, self._local).put(
                folder, target, sorted(converted.iterdir())
            )
        except Exception as error:  # the SDK's errors are many; the reason is kept
            raise JobFailed(f"storing the recording failed: {error}") from error
        log.info("recording %s: %s, %.1f s, %d bytes", recording_id, filename, duration, size)

        async def commit(tx: Transaction) -> None:
            await rows.mark_ready(tx, recording_id, filename, size, location)
            await WebhookService.enqueue_recording_event(
                tx,
                recording.org_id,
                RECORDING_FINISHED,
                {
                    "filename": filename,
                    "recordingId": recording_id,
                    "roomName": recording.room_name,
                    "status": "completed",
                },
                self._clock(),
            )

        return commit

    async def failed(self, tx: Transaction, job: Job, error: str) -> None:
        recording_id = json.loads(job.payload)["recordingId"]
        recording = await rows.get_any(tx, recording_id)
        if recording is None:
            return
        await rows.mark_failed(tx, recording_id, error)
        await WebhookService.enqueue_recording_event(
            tx,
            recording.org_id,
            RECORDING_FAILED,
            {
                "recordingId": recording_id,
                "roomName": recording.room_name,
                "status": "failed",
                "error": error,
            },
            self._clock(),
        )


class RemovalJob:
    """A deleted recording's files go: its folder, and the composite wherever it is kept."""

    def __init__(self, db: Database, root: Path) -> None:
        self._db = db
        self._local = LocalStore(root)

    async def run(self, job: Job) -> Commit:
        recording_id = json.loads(job.payload)["recordingId"]
        recording = await rows.get_any(self._db, recording_id)
        if recording is None or not recording.raw_dir:
            return commit_nothing
        await store_for(recording, self._local).delete(Path(recording.raw_dir), recording.location)

        async def commit(tx: Transaction) -> None:
            await rows.forget_files(tx, recording_id)

        return commit

    async def failed(self, tx: Transaction, job: Job, error: str) -> None:
        log.warning("recording files of %s could not be removed: %s", job.payload, error)
