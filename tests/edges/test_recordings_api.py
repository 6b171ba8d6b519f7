"""`/v1/recordings` through the ASGI app, on SQLite and PostgreSQL, over recordings written as the
composition job leaves them: list (roomName, sortBy, cursor, limit), get, delete and bulk-delete
(idempotent, the organization's own only, files removed by a job), and access links (signed,
expiring, served with range requests; 403 for a recording in the customer's S3 bucket)."""

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from helpers import Api, FakeClock
from salon.ids import MeetingId, OrgId, RoomName, RoomSessionId
from salon.recording.model import Recording, RecordingStatus, StorageKind
from salon.storage import recordings as rows

RECORDING_KEYS = ["recordingId", "roomSessionId", "roomName", "filename", "startDate", "endDate",
                  "sizeInMegaBytes"]  # fmt: skip
START_MS = 1_772_366_400_000  # 2026-03-01T12:00:00Z


async def add_recording(
    api: Api,
    tmp_path: Path,
    number: int,
    *,
    room: str = "/room-a",
    size: int = 1000,
    minutes: int = 1,
    storage: StorageKind = StorageKind.LOCAL,
    org_id: OrgId | None = None,
    status: RecordingStatus = RecordingStatus.READY,
) -> str:
    recording_id = f"00000000-0000-4000-8000-{number:012d}"
    folder = tmp_path / "recordings" / recording_id
    folder.mkdir(parents=True)
    filename = f"{room.lstrip('/')}-2026-03-01T12:0{number}:00.000Z.mp4"
    (folder / filename).write_bytes(bytes(range(256)) * (size // 256 + 1))
    recording = Recording(
        id=recording_id,
        org_id=org_id or api.org_id,
        meeting_id=MeetingId("1"),
        room_name=RoomName(room),
        room_session_id=RoomSessionId(f"session-{number}"),
        status=RecordingStatus.RECORDING,
        started_ms=START_MS + number * 60_000,
        ended_ms=None,
        file_format="mp4",
        filename=None,
        size_bytes=None,
        storage=storage,
        location=None,
        raw_dir=str(folder),
        destination="{}",
        error=None,
    )
    async with api.database.transaction() as tx:
        await rows.insert_recording(tx, recording)
        await rows.mark_stopped(tx, recording_id, recording.started_ms + minutes * 60_000)
        if status is RecordingStatus.READY:
            location = str((folder / filename).relative_to(tmp_path))
            await rows.mark_ready(tx, recording_id, filename, size, location)
    return recording_id


async def get(api: Api, path: str, **params: str | int) -> tuple[int, Any]:
    response = await api.client.get(path, params=params, headers=api.auth)
    return response.status_code, response.json()


async def test_list_and_get_give_whereby_s_recording_objects_of_ready_recordings_only(
    api: Api, tmp_path: Path
) -> None:
    first = await add_recording(api, tmp_path, 1, size=2_500_000, minutes=3)
    await add_recording(api, tmp_path, 2, status=RecordingStatus.PROCESSING)
    status, page = await get(api, "/v1/recordings")
    assert status == 200
    assert page == {
        "results": [
            {
                "recordingId": first,
                "roomSessionId": "session-1",
                "roomName": "/room-a",
                "filename": "room-a-2026-03-01T12:01:00.000Z.mp4",
                "startDate": "2026-03-01T12:01:00.000Z",
                "endDate": "2026-03-01T12:04:00.000Z",
                "sizeInMegaBytes": 2.5,
            }
        ],
        "cursor": None,
    }
    status, one = await get(api, f"/v1/recordings/{first}")
    assert status == 200
    assert list(one) == RECORDING_KEYS
    assert one == page["results"][0]
    status, missing = await get(api, "/v1/recordings/00000000-0000-4000-8000-000000000002")
    assert (status, missing) == (
        404,
        {"error": "no recording with id '00000000-0000-4000-8000-000000000002'",
         "code": "not_found"},
    )  # fmt: skip


async def test_list_filters_by_room_sorts_and_pages(api: Api, tmp_path: Path) -> None:
    ids = [
        await add_recording(api, tmp_path, 1, room="/b", size=300, minutes=5),
        await add_recording(api, tmp_path, 2, room="/a", size=100, minutes=1),
        await add_recording(api, tmp_path, 3, room="/c", size=200, minutes=9),
    ]

    async def order(**params: str | int) -> list[str]:
        status, page = await get(api, "/v1/recordings", **params)
        assert status == 200, page
        return [r["recordingId"] for r in page["results"]]

    assert await order() == [ids[2], ids[1], ids[0]]  # newest first
    assert await order(sortBy="roomName:asc") == [ids[1], ids[0], ids[2]]
    assert await order(sortBy="sizeInMegaBytes:desc") == [ids[0], ids[2], ids[1]]
    assert await order(sortBy="duration:asc") == [ids[1], ids[0], ids[2]]
    assert await order(sortBy="startDate") == ids
    assert await order(roomName="/c") == [ids[2]]
    status, page = await get(api, "/v1/recordings", limit=2, sortBy="startDate:asc")
    assert status == 200
    assert [r["recordingId"] for r in page["results"]] == ids[:2]
    cursor = page["cursor"]
    _, page = await get(api, "/v1/recordings", limit=2, sortBy="startDate:asc", cursor=cursor)
    assert ([r["recordingId"] for r in page["results"]], page["cursor"]) == ([ids[2]], None)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"sortBy": "size:asc"}, "sortBy must be one of roomName, startDate, duration,"
         " sizeInMegaBytes, followed by :asc or :desc (e.g. startDate:desc)"),
        ({"sortBy": "roomName:up"}, "sortBy must be one of roomName, startDate, duration,"
         " sizeInMegaBytes, followed by :asc or :desc (e.g. startDate:desc)"),
        ({"limit": 0}, "limit must be at least 1"),
        ({"limit": 101}, "limit must be at most 100"),
        ({"cursor": "nope"}, "cursor is not valid: pass the cursor of a previous page"),
    ],
)  # fmt: skip
async def test_bad_list_queries_are_refused_with_a_clear_400(
    api: Api, params: dict[str, str | int], message: str
) -> None:
    assert await get(api, "/v1/recordings", **params) == (
        400,
        {"error": message, "code": "invalid_input"},
    )


async def test_another_organization_s_recordings_are_invisible(api: Api, tmp_path: Path) -> None:
    other = await api.app.state.services.orgs.create("other-org")
    theirs = await add_recording(api, tmp_path, 1, org_id=other.org_id)
    assert await get(api, "/v1/recordings") == (200, {"results": [], "cursor": None})
    assert (await get(api, f"/v1/recordings/{theirs}"))[0] == 404
    assert (await get(api, f"/v1/recordings/{theirs}/access-link"))[0] == 404
    response = await api.client.delete(f"/v1/recordings/{theirs}", headers=api.auth)
    assert response.status_code == 204
    assert await rows.get_ready(api.database, other.org_id, theirs) is not None


async def test_delete_and_bulk_delete_are_idempotent_and_remove_the_files(
    api: Api, tmp_path: Path
) -> None:
    ids = [await add_recording(api, tmp_path, n) for n in range(1, 4)]
    folders = [tmp_path / "recordings" / rid for rid in ids]
    response = await api.client.delete(f"/v1/recordings/{ids[0]}", headers=api.auth)
    assert response.status_code == 204
    response = await api.client.post(
        "/v1/recordings/bulk-delete",
        json={"recordingIds": [ids[1], ids[2], "unknown", ids[0]]},
        headers=api.auth,
    )
    assert response.status_code == 204
    assert await get(api, "/v1/recordings") == (200, {"results": [], "cursor": None})
    runner = api.app.state.services.jobs
    task = asyncio.create_task(runner.run())
    try:
        for _ in range(400):
            if not any(folder.exists() for folder in folders):
                break
            await asyncio.sleep(0.05)
        assert not any(folder.exists() for folder in folders)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    response = await api.client.post(
        "/v1/recordings/bulk-delete", json={"recordingIds": ids}, headers=api.auth
    )
    assert response.status_code == 204
    response = await api.client.post(
        "/v1/recordings/bulk-delete", json={"recordingIds": "all"}, headers=api.auth
    )
    assert response.json() == {"error": "recordingIds must be an array", "code": "invalid_input"}


async def test_an_access_link_serves_ranges_until_it_expires(
    api: Api, tmp_path: Path, clock: FakeClock
) -> None:
    recording_id = await add_recording(api, tmp_path, 1, size=5000)
    status, link = await get(api, f"/v1/recordings/{recording_id}/access-link", validForSeconds=60)
    assert status == 200
    assert link == {"accessLink": link["accessLink"], "expires": clock() + 60_000}
    url = link["accessLink"]
    assert url.startswith(f"https://meet.example.test/_salon/recordings/{recording_id}?expires=")
    path = url.removeprefix("https://meet.example.test")
    stored = next((tmp_path / "recordings" / recording_id).glob("*.mp4")).read_bytes()
    whole = await api.client.get(path)
    assert (whole.status_code, whole.content) == (200, stored)
    part = await api.client.get(path, headers={"Range": "bytes=10-19"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 10-19/{len(stored)}"
    assert part.content == stored[10:20]
    assert (await api.client.get(path[:-1] + ("0" if path[-1] != "0" else "1"))).status_code == 404
    assert (
        await api.client.get(path.replace(recording_id, recording_id[:-1] + "9"))
    ).status_code == 404
    clock.advance(60_000)
    expired = await api.client.get(path)
    assert expired.status_code == 404
    assert expired.json() == {
        "error": "this link is not valid, or has expired",
        "code": "not_found",
    }


@pytest.mark.parametrize("seconds", [0, 43_201, -5])
async def test_an_access_link_s_validity_is_bounded(api: Api, tmp_path: Path, seconds: int) -> None:
    recording_id = await add_recording(api, tmp_path, 1)
    assert await get(
        api, f"/v1/recordings/{recording_id}/access-link", validForSeconds=seconds
    ) == (
        400,
        {"error": "validForSeconds must be between 1 and 43200", "code": "invalid_input"},
    )


async def test_a_recording_in_the_customer_s_bucket_has_no_access_link(
    api: Api, tmp_path: Path
) -> None:
    recording_id = await add_recording(api, tmp_path, 1, storage=StorageKind.S3)
    assert await get(api, f"/v1/recordings/{recording_id}/access-link") == (
        403,
        {"error": "access links are for recordings kept by Salon; this one is in your S3 bucket",
         "code": "forbidden"},
    )  # fmt: skip
    assert json.dumps(await get(api, f"/v1/recordings/{recording_id}"))
