"""Cloud recordings: starting and stopping them (for rooms), and reading, deleting and linking
to them (for `/v1/recordings`). The composition after a recording stops is a job
(`recording/job.py`), queued in the transaction that marks the recording stopped.

    host or trigger ──► start: a row (recording) ──► the SFU records into its folder
    room empties or host ──► stop: the SFU stops ──► row: processing + compose job (one tx)
"""

import dataclasses
import json
import secrets
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from salon.clock import Clock
from salon.errors import Forbidden, NotFound
from salon.ids import OrgId, RoomSessionId
from salon.jobs.runner import enqueue
from salon.meetings.model import Meeting, PageQuery, offset_of, offset_page
from salon.recording.model import (
    Recording,
    RecordingStatus,
    StorageKind,
    access_path,
    check_valid_for,
    link_is_valid,
    sort_clause,
)
from salon.recording.options import RecordingOptions, recording_options
from salon.storage import recordings as rows
from salon.storage.db import Database
from salon.storage.settings import get_or_insert_setting

COMPOSE_JOB = "recording.compose"
REMOVE_JOB = "recording.remove"
LINK_SECRET_SETTING = "recording_link_secret"  # noqa: S105 - a name, not a secret
TRACKS_FOLDER = "tracks"
"""Inside a recording's folder: the `.mjr` files Janus writes."""


class RecordingMedia(Protocol):
    """What recording needs of the SFU (`JanusGroupMedia`)."""

    async def record(self, room_name: str, folder: Path | None) -> None: ...


class RecordingService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        media: RecordingMedia | None,
        root: Path,
        link_secret: bytes,
        public_url: str,
        wake_jobs: Callable[[], None],
    ) -> None:
        self._db = db
        self._clock = clock
        self._media = media
        self._root = root
        self._link_secret = link_secret
        self._public_url = public_url.rstrip("/")
        self._wake_jobs = wake_jobs

    @staticmethod
    async def load_link_secret(db: Database) -> bytes:
        """The secret every node signs access links with, made by the first node that asks."""
        return bytes.fromhex(
            await get_or_insert_setting(db, LINK_SECRET_SETTING, secrets.token_hex(32))
        )

    def folder_of(self, recording_id: str) -> Path:
        return self._root / "recordings" / recording_id

    # --- for rooms (rooms/recording.py: CloudRecording) -------------------------------------

    def options(self, meeting: Meeting) -> RecordingOptions:
        if self._media is None:
            return RecordingOptions()
        return recording_options(meeting.options)

    async def start(self, meeting: Meeting, session_id: RoomSessionId | None) -> str:
        options = self.options(meeting)
        recording_id = str(uuid.uuid4())
        folder = self.folder_of(recording_id)
        destination = json.dumps(dataclasses.asdict(options.s3)) if options.s3 is not None else "{}"
        recording = Recording(
            id=recording_id,
            org_id=meeting.org_id,
            meeting_id=meeting.meeting_id,
            room_name=meeting.room_name,
            room_session_id=session_id,
            status=RecordingStatus.RECORDING,
            started_ms=self._clock(),
            ended_ms=None,
            file_format=options.file_format.value,
            filename=None,
            size_bytes=None,
            storage=StorageKind.S3 if options.s3 is not None else StorageKind.LOCAL,
            location=None,
            raw_dir=str(folder),
            destination=destination,
            error=None,
        )
        async with self._db.transaction() as tx:
            await rows.insert_recording(tx, recording)
        assert self._media is not None
        await self._media.record(meeting.room_name, folder / TRACKS_FOLDER)
        return recording_id

    async def stop(self, recording_id: str, meeting: Meeting) -> None:
        if self._media is not None:
            await self._media.record(meeting.room_name, None)
        async with self._db.transaction() as tx:
            await rows.mark_stopped(tx, recording_id, self._clock())
            await enqueue(tx, COMPOSE_JOB, json.dumps({"recordingId": recording_id}), self._clock())
        self._wake_jobs()

    # --- for /v1/recordings -------------------------------------------------------------------

    async def list_recordings(
        self, org_id: OrgId, query: PageQuery
    ) -> tuple[list[Recording], str | None]:
        order = sort_clause(query.sort_by)
        offset = offset_of(query.cursor)
        found = await rows.list_ready(
            self._db, org_id, query.room_name, order, offset, query.limit + 1
        )
        return offset_page(found, offset, query.limit)

    async def recent(self, org_id: OrgId, limit: int) -> list[Recording]:
        """The newest recordings in any state (recording, processing, ready, failed)."""
        return await rows.list_recent(self._db, org_id, limit)

    async def get(self, org_id: OrgId, recording_id: str) -> Recording:
        found = await rows.get_ready(self._db, org_id, recording_id)
        if found is None:
            raise NotFound(f"no recording with id {recording_id!r}")
        return found

    async def delete(self, org_id: OrgId, recording_ids: list[str]) -> None:
        """Idempotent: unknown ids, other organizations' and deleted ones are passed over.
        The files go in the background, by a job queued with the deletion."""
        now = self._clock()
        async with self._db.transaction() as tx:
            for recording_id in await rows.mark_deleted(tx, org_id, recording_ids, now):
                await enqueue(tx, REMOVE_JOB, json.dumps({"recordingId": recording_id}), now)
        self._wake_jobs()

    async def access_link(
        self, org_id: OrgId, recording_id: str, valid_for_s: int
    ) -> dict[str, object]:
        recording = await self.get(org_id, recording_id)
        if recording.storage is not StorageKind.LOCAL:
            raise Forbidden(
                "access links are for recordings kept by Salon; this one is in your S3 bucket"
            )
        expires = self._clock() + check_valid_for(valid_for_s) * 1000
        link = self._public_url + access_path(self._link_secret, recording_id, expires)
        return {"accessLink": link, "expires": expires}

    async def file_for_link(self, recording_id: str, expires: str, signature: str) -> Path:
        """The file an access link serves; `NotFound` for a bad, expired or stale link."""
        if link_is_valid(self._link_secret, recording_id, expires, signature, self._clock()):
            recording = await rows.get_any(self._db, recording_id)
            if (
                recording is not None
                and recording.status is RecordingStatus.READY
                and recording.storage is StorageKind.LOCAL
                and recording.location is not None
                and not await rows.is_deleted(self._db, recording_id)
            ):
                path = self._root / recording.location
                if path.is_file():
                    return path
        raise NotFound("this link is not valid, or has expired")
