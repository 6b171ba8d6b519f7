"""`/v1/recordings` (as Whereby's REST API v1 has it): list, read, delete and bulk-delete the
organization's cloud recordings, and an expiring signed link to a recording kept by Salon; and the
route that link points at, which serves the file with HTTP range requests (players seek)."""

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from salon.api import collections
from salon.api.collections import (
    DELETED,
    AccessLinkOut,
    BulkDelete,
    BulkIds,
    LinkExpires,
    LinkSignature,
    RoomPage,
    ValidFor,
    file_response,
    no_content,
    page,
)
from salon.api.deps import caller_of
from salon.api.openapi import request_body_schema
from salon.api.responses import COMMON_ERRORS, Json
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


class BulkDeleteBody(BulkDelete):
    recordingIds: BulkIds

    def ids(self) -> list[str]:
        return self.recordingIds


def _recordings(request: Request) -> RecordingService:
    return services_of(request).recordings


@router.get("/recordings", summary="Get recordings", response_model=RecordingListOut)
async def list_recordings(request: Request, query: RoomPage) -> Response:
    found, next_cursor = await _recordings(request).list_recordings(
        caller_of(request).org_id, query
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
    return await collections.access_link(
        request, _recordings(request).access_link, recordingId, valid_for
    )


@router.post(
    "/recordings/bulk-delete",
    status_code=204,
    response_class=Response,
    summary="Bulk delete recordings",
    openapi_extra=request_body_schema(BulkDeleteBody),
)
async def bulk_delete(request: Request) -> Response:
    return await collections.bulk_delete(request, BulkDeleteBody, _recordings(request).delete)


@files.get(FILE_PATH + "{recordingId}")
async def recording_file(
    recordingId: str,
    request: Request,
    expires: LinkExpires = "",
    signature: LinkSignature = "",
) -> Response:
    return file_response(await _recordings(request).file_for_link(recordingId, expires, signature))
