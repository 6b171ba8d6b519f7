"""The transcription job: each participant's audio track is decoded and transcribed on its own,
so every line carries its speaker's display name without diarization; the lines are merged by
time into the Markdown transcript, kept in the data folder; then, in the transaction that
completes the job, the transcription is marked ready and `transcription.finished` queued. After
its retry fails, `transcription.failed` says why."""

import asyncio
import json
import logging
import shutil
from pathlib import Path

from salon.clock import Clock
from salon.jobs.model import Job, JobFailed
from salon.jobs.runner import Commit, commit_nothing
from salon.recording.job import CONVERTED_FOLDER
from salon.recording.service import TRACKS_FOLDER
from salon.storage import recordings as recording_rows
from salon.storage import transcriptions as rows
from salon.storage.db import Database, Transaction
from salon.transcription.audio import decode_pcm
from salon.transcription.engine import BYTES_PER_SECOND, SpeechEngine
from salon.transcription.model import (
    STORAGE_TYPE,
    Line,
    TranscriptionState,
    event_data,
    lines_of,
    merge,
    render_markdown,
    transcript_filename,
)
from salon.transcription.tracks import speaker_tracks
from salon.webhooks.events import TRANSCRIPTION_FAILED, TRANSCRIPTION_FINISHED
from salon.webhooks.service import WebhookService

log = logging.getLogger(__name__)

TRANSCRIBE_JOB = "transcription.run"
REMOVE_JOB = "transcription.remove"
UNKNOWN_SPEAKER = "Participant"


def transcription_folder(root: Path, transcription_id: str) -> Path:
    return root / "transcriptions" / transcription_id


class TranscriptionJob:
    def __init__(self, db: Database, clock: Clock, root: Path, engine: SpeechEngine) -> None:
        self._db = db
        self._clock = clock
        self._root = root
        self._engine = engine

    async def run(self, job: Job) -> Commit:
        transcription_id = json.loads(job.payload)["transcriptionId"]
        transcription = await rows.get_any(self._db, transcription_id)
        if transcription is None or await rows.is_deleted(self._db, transcription_id):
            return commit_nothing
        recording = (
            None
            if transcription.recording_id is None
            else await recording_rows.get_any(self._db, transcription.recording_id)
        )
        if recording is None or not recording.raw_dir:
            raise JobFailed("the recording's tracks are no longer kept")
        folder = Path(recording.raw_dir)
        tracks = await speaker_tracks(folder / TRACKS_FOLDER, folder / CONVERTED_FOLDER)
        if not tracks:
            raise JobFailed("the recording has no audio track with sound")
        owners = [track.participant_id for track in tracks if track.participant_id]
        names = await rows.display_names(self._db, owners)
        vocabulary = sorted({word for name in names.values() for word in name.split()})
        by_track: list[list[Line]] = []
        length_s = 0.0
        for track in tracks:
            pcm = await decode_pcm(track.audio)
            length_s = max(length_s, track.offset_s + len(pcm) / BYTES_PER_SECOND)
            try:
                segments = await asyncio.to_thread(self._engine.transcribe, pcm, vocabulary)
            except Exception as error:  # an engine's errors are its own; the reason is kept
                raise JobFailed(
                    f"the speech engine failed on {track.audio.name}: {error}"
                ) from error
            speaker = names.get(track.participant_id or "", UNKNOWN_SPEAKER)
            by_track.append(lines_of(speaker, track.offset_s, segments))
        filename = transcript_filename(transcription.room_name, transcription.started_ms)
        markdown = render_markdown(
            transcription.room_name, transcription.started_ms, merge(by_track)
        )
        target_dir = transcription_folder(self._root, transcription_id)
        target_dir.mkdir(parents=True, exist_ok=True)
        partial = target_dir / f"{filename}.partial"
        partial.write_text(markdown, encoding="utf-8")
        partial.rename(target_dir / filename)
        location = str((target_dir / filename).relative_to(self._root))
        duration_ms = round(length_s * 1000)
        log.info(
            "transcription %s: %d tracks, %.1f s, %s", transcription_id, len(tracks), length_s,
            self._engine.name,
        )  # fmt: skip

        async def commit(tx: Transaction) -> None:
            await rows.mark_ready(tx, transcription_id, filename, location, duration_ms)
            data = event_data(
                transcription,
                TranscriptionState.READY,
                filename=filename,
                storageType=STORAGE_TYPE,
                durationInSeconds=round(duration_ms / 1000, 3),
                recordingId=transcription.recording_id,
            )
            await WebhookService.enqueue_recording_event(
                tx, transcription.org_id, TRANSCRIPTION_FINISHED, data, self._clock()
            )

        return commit

    async def failed(self, tx: Transaction, job: Job, error: str) -> None:
        transcription_id = json.loads(job.payload)["transcriptionId"]
        transcription = await rows.get_any(tx, transcription_id)
        if transcription is None:
            return
        await rows.mark_failed(tx, transcription_id, error)
        await WebhookService.enqueue_recording_event(
            tx,
            transcription.org_id,
            TRANSCRIPTION_FAILED,
            event_data(transcription, TranscriptionState.FAILED, error=error),
            self._clock(),
        )


class RemovalJob:
    """A deleted transcription's file goes."""

    def __init__(self, root: Path, db: Database) -> None:
        self._root = root
        self._db = db

    async def run(self, job: Job) -> Commit:
        transcription_id = json.loads(job.payload)["transcriptionId"]
        folder = transcription_folder(self._root, transcription_id)
        await asyncio.to_thread(shutil.rmtree, folder, True)

        async def commit(tx: Transaction) -> None:
            await rows.forget_file(tx, transcription_id)

        return commit

    async def failed(self, tx: Transaction, job: Job, error: str) -> None:
        log.warning("transcript files of %s could not be removed: %s", job.payload, error)
