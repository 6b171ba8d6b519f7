"""The recording service and its composition job on SQLite and PostgreSQL, with the composer
replaced by one that writes a file (the real one, janus-pp-rec and ffmpeg over Janus's tracks,
is tests/sfu/test_sfu_recording.py): a stopped recording is composed once, kept in the data
folder or uploaded to S3 (moto's standalone server, an S3 emulator), and announced by exactly
one `recording.finished`; a composition that fails is retried once, then `recording.failed`
says why; a shutdown during composition leaves the job to the next start, which finishes it
once."""

import asyncio
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from e2e.salon_process import free_port
from helpers import Api
from salon.jobs.model import JobFailed
from salon.jobs.runner import JobRunner
from salon.meetings.model import Meeting
from salon.recording.job import CONVERTED_FOLDER, CompositionJob
from salon.recording.service import COMPOSE_JOB, RecordingService
from salon.storage import recordings as rows

WITHIN_S = 20.0
COMPOSED = b"composed video" * 1000
BUCKET = "customer-bucket"


class FakeMedia:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Path | None]] = []

    async def record(self, room_name: str, folder: Path | None) -> None:
        self.calls.append((room_name, folder))


class Composer:
    """Writes a composite and one converted track; fails `failures` times first, or waits for
    `release` when `hold` is set."""

    def __init__(self, failures: int = 0, hold: bool = False) -> None:
        self.failures = failures
        self.hold = hold
        self.release = asyncio.Event()
        self.started = asyncio.Event()
        self.runs = 0

    async def __call__(self, raw_dir: Path, tracks_dir: Path, target: Path, fmt: str) -> float:
        self.runs += 1
        self.started.set()
        if self.hold:
            await self.release.wait()
        if self.failures:
            self.failures -= 1
            raise JobFailed("ffmpeg exited with 1: no video")
        tracks_dir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - a test's small file
        (tracks_dir / "videoroom-1-user-2-3-video-0.webm").write_bytes(b"track")
        target.write_bytes(COMPOSED)  # noqa: ASYNC240 - a test's small file
        return 10.0


@pytest.fixture(scope="module")
def s3() -> Iterator[str]:
    """moto's standalone S3 server (an emulator, not AWS) on a free loopback port."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    try:
        yield url
    finally:
        server.stop()


def s3_client(url: str) -> Any:
    return boto3.client(
        "s3",
        region_name="eu-west-1",
        endpoint_url=url,
        aws_access_key_id="AKIATEST",
        aws_secret_access_key="test-secret",
    )


async def recorded_meeting(api: Api, destination: dict[str, Any] | None = None) -> Meeting:
    response = await api.client.post(
        "/v1/meetings",
        json={
            "endDate": api.future(),
            "roomMode": "group",
            "recording": {
                "type": "cloud",
                "destination": destination or {"provider": "whereby"},
                "startTrigger": "none",
            },
        },
        headers=api.auth,
    )
    assert response.status_code == 201, response.text
    meeting: Meeting | None = await api.app.state.services.meetings.active_meeting(
        response.json()["roomName"]
    )
    assert meeting is not None
    return meeting


def service(api: Api, media: FakeMedia, tmp_path: Path, runner: JobRunner) -> RecordingService:
    return RecordingService(
        api.database, api.clock, media, tmp_path, b"k" * 32, "https://x.test", runner.wake
    )


def runner_with(api: Api, tmp_path: Path, composer: Composer) -> JobRunner:
    runner = JobRunner(api.database, api.clock, slots=1, poll_s=0.05, retry_delay_ms=1000)
    runner.handle(COMPOSE_JOB, CompositionJob(api.database, api.clock, tmp_path, composer))
    return runner


async def events_of(api: Api, kind: str) -> list[dict[str, Any]]:
    found = await api.database.fetch_all(
        "SELECT body FROM webhook_events WHERE type = :type", {"type": kind}
    )
    return [json.loads(row["body"]) for row in found]


async def until(condition: Any, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + WITHIN_S
    while not await condition():
        assert asyncio.get_running_loop().time() < deadline, f"{what} within {WITHIN_S} s"
        await asyncio.sleep(0.05)


async def status_of(api: Api, recording_id: str) -> str:
    found = await rows.get_any(api.database, recording_id)
    assert found is not None
    return found.status.value


async def record(api: Api, tmp_path: Path, runner: JobRunner, meeting: Meeting) -> str:
    media = FakeMedia()
    recordings = service(api, media, tmp_path, runner)
    recording_id = await recordings.start(meeting, None)
    api.clock.advance(10_000)
    await recordings.stop(recording_id, meeting)
    folder = tmp_path / "recordings" / recording_id / "tracks"
    assert media.calls == [(meeting.room_name, folder), (meeting.room_name, None)]
    return recording_id


async def test_a_stopped_recording_is_composed_kept_and_announced_once(
    api: Api, tmp_path: Path
) -> None:
    await api.app.state.services.webhooks.create(api.org_id, "https://hooks.example.com/x", None)
    meeting = await recorded_meeting(api)
    composer = Composer()
    runner = runner_with(api, tmp_path, composer)
    recording_id = await record(api, tmp_path, runner, meeting)
    task = asyncio.create_task(runner.run())
    try:

        async def ready() -> bool:
            return await status_of(api, recording_id) == "ready"

        await until(ready, "the recording is ready")
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    recording = await rows.get_any(api.database, recording_id)
    assert recording is not None
    folder = tmp_path / "recordings" / recording_id
    assert recording.location == str((folder / recording.filename).relative_to(tmp_path))  # type: ignore[operator]
    assert (folder / str(recording.filename)).read_bytes() == COMPOSED
    assert (folder / CONVERTED_FOLDER / "videoroom-1-user-2-3-video-0.webm").exists()
    finished = await events_of(api, "recording.finished")
    assert [event["data"] for event in finished] == [
        {
            "filename": f"{meeting.room_name.lstrip('/')}-2026-03-01T12:00:00.000Z.mp4",
            "recordingId": recording_id,
            "roomName": meeting.room_name,
            "status": "completed",
        }
    ]
    assert composer.runs == 1


async def test_a_recording_for_an_s3_destination_is_uploaded_with_its_tracks(
    api: Api, tmp_path: Path, s3: str
) -> None:
    client = s3_client(s3)
    bucket = f"{BUCKET}-{uuid.uuid4().hex[:8]}"
    client.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    meeting = await recorded_meeting(
        api,
        {
            "provider": "s3",
            "authenticationType": "accessKey",
            "bucket": f"{bucket}/meetings/2026",
            "region": "eu-west-1",
            "accessKeyId": "AKIATEST",
            "accessKeySecret": "test-secret",
            "endpointUrl": s3,
        },
    )
    runner = runner_with(api, tmp_path, Composer())
    recording_id = await record(api, tmp_path, runner, meeting)
    task = asyncio.create_task(runner.run())
    try:

        async def ready() -> bool:
            return await status_of(api, recording_id) == "ready"

        await until(ready, "the recording is uploaded")
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    recording = await rows.get_any(api.database, recording_id)
    assert recording is not None
    stem = f"{meeting.room_name.lstrip('/')}-2026-03-01T12:00:00.000Z"
    assert recording.location == f"meetings/2026/{stem}.mp4"
    listed = client.list_objects_v2(Bucket=bucket)["Contents"]
    assert sorted(item["Key"] for item in listed) == [
        f"meetings/2026/{stem}-tracks/videoroom-1-user-2-3-video-0.webm",
        f"meetings/2026/{stem}.mp4",
    ]
    uploaded = client.get_object(Bucket=bucket, Key=f"meetings/2026/{stem}.mp4")
    assert uploaded["Body"].read() == COMPOSED
    assert not (tmp_path / "recordings" / recording_id / f"{stem}.mp4").exists()
    link = await api.client.get(f"/v1/recordings/{recording_id}/access-link", headers=api.auth)
    assert link.status_code == 403


async def test_a_failing_composition_is_retried_once_then_reported_failed(
    api: Api, tmp_path: Path
) -> None:
    await api.app.state.services.webhooks.create(api.org_id, "https://hooks.example.com/x", None)
    meeting = await recorded_meeting(api)
    composer = Composer(failures=2)
    runner = runner_with(api, tmp_path, composer)
    recording_id = await record(api, tmp_path, runner, meeting)
    task = asyncio.create_task(runner.run())
    try:

        async def first_failed() -> bool:
            return composer.runs == 1 and runner.busy == 0

        await until(first_failed, "the first attempt fails")
        api.clock.advance(1000)

        async def failed() -> bool:
            return await status_of(api, recording_id) == "failed"

        await until(failed, "the recording fails")
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert composer.runs == 2
    assert await events_of(api, "recording.finished") == []
    assert [event["data"] for event in await events_of(api, "recording.failed")] == [
        {
            "recordingId": recording_id,
            "roomName": meeting.room_name,
            "status": "failed",
            "error": "ffmpeg exited with 1: no video",
        }
    ]


async def test_a_shutdown_during_composition_leaves_the_job_to_the_next_start(
    api: Api, tmp_path: Path
) -> None:
    await api.app.state.services.webhooks.create(api.org_id, "https://hooks.example.com/x", None)
    meeting = await recorded_meeting(api)
    stopped = Composer(hold=True)
    first = runner_with(api, tmp_path, stopped)
    recording_id = await record(api, tmp_path, first, meeting)
    task = asyncio.create_task(first.run())
    await asyncio.wait_for(stopped.started.wait(), WITHIN_S)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert await status_of(api, recording_id) == "processing"

    finishing = Composer()
    second = runner_with(api, tmp_path, finishing)
    task = asyncio.create_task(second.run())
    try:

        async def ready() -> bool:
            return await status_of(api, recording_id) == "ready"

        await until(ready, "the next start finishes it")
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert (stopped.runs, finishing.runs) == (1, 1)
    assert len(await events_of(api, "recording.finished")) == 1
