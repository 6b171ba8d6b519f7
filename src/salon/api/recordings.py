"""`/v1/recordings` (as Whereby's REST API v1 has it): list, read, delete and bulk-delete the
organization's cloud recordings, and an expiring signed link to a recording kept by Salon; and the
route that link points at, which serves the file with HTTP range requests (players seek)."""

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import FileResponse

from salon.api.collections import (
    DELETED,
    AccessLinkOut,
    BulkIds,
    Cursor,
    Limit,
    LinkExpires,
    LinkSignature,
    RoomNameFilter,
    SortBy,
    ValidFor,
    no_content,
    page,
)
from salon.api.deps import caller_of
from salon.api.openapi import request_body_schema
from salon.api.responses import COMMON_ERRORS, Json, parse_body
from salon.api.webhook_shapes import DATE_TIME
from salon.recording.model import ACCESS_LINK_DEFAULT_S, FILE_PATH, render_recording
from salon.recording.service import RecordingService
from salon.services import services_of

router = APIRouter(prefix="/v1", tags=["recordings"], responses=COMMON_ERRORS)
files = APIRouter(include_in_schema=False)


class RecordingOut(BaseModel):
    """Whereby's Recording object (`render_recording`)."""

    recordingId: str
    roomSessionId: str | None
    roomName: str
    filename: str | None
    startDate: str = Field(json_schema_extra=DATE_TIME)
    endDate: str = Field(json_schema_extra=DATE_TIME)
    sizeInMegaBytes: float


class RecordingListOut(BaseModel):
    results: list[RecordingOut]
    cursor: str | None


class BulkDeleteBody(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")
    recordingIds: BulkIds


def _recordings(request: Request) -> RecordingService:
    return services_of(request).recordings


@router.get("/recordings", summary="Get recordings", response_model=RecordingListOut)
async def list_recordings(
    request: Request,
    room_name: RoomNameFilter = None,
    cursor: Cursor = None,
    limit: Limit = 50,
    sort_by: SortBy = None,
) -> Response:
    found, next_cursor = await _recordings(request).list_recordings(
        caller_of(request).org_id,
        room_name=room_name,
        cursor=cursor,
        limit=limit,
        sort_by=sort_by,
    )
    return page([render_recording(r) for r in found], next_cursor)


@router.get("/recordings/{recordingId}", summary="Get recording", response_model=RecordingOut)
async def get_recording(recordingId: str, request: Request) -> Response:
    found = await _recordings(request).get(caller_of(request).org_id, recordingId)
    return Json(render_recording(found))


@router.delete(
    "/recordings/{recordingId}",
    status_code=204,
    response_class=Response,
    summary="Delete recording",
    responses=DELETED,
)
async def delete_recording(recordingId: str, request: Request) -> Response:
    await _recordings(request).delete(caller_of(request).org_id, [recordingId])
    return no_content()


@router.get(
    "/recordings/{recordingId}/access-link",
    summary="Get recording access link",
    response_model=AccessLinkOut,
    responses={403: {"description": "The recording is in the customer's S3 bucket."}},
)
async def access_link(
    recordingId: str,
    request: Request,
    valid_for: ValidFor = ACCESS_LINK_DEFAULT_S,
) -> Response:
    link = await _recordings(request).access_link(caller_of(request).org_id, recordingId, valid_for)
    return Json(link)


@router.post(
    "/recordings/bulk-delete",
    status_code=204,
    response_class=Response,
    summary="Bulk delete recordings",
    openapi_extra=request_body_schema(BulkDeleteBody),
)
async def bulk_delete(request: Request) -> Response:
    who = caller_of(request)
    body = parse_body(BulkDeleteBody, await request.body())
    await _recordings(request).delete(who.org_id, body.recordingIds)
    return no_content()


@files.get(FILE_PATH + "{recordingId}")
async def recording_file(
    recordingId: str,
    request: Request,
    expires: LinkExpires = "",
    signature: LinkSignature = "",
) -> Response:
    path = await _recordings(request).file_for_link(recordingId, expires, signature)
    return FileResponse(path, filename=path.name, headers={"Cache-Control": "private"})
