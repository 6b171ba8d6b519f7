"""`/v1/transcriptions` (Whereby's contract): transcribe a cloud recording, list, read, delete
and bulk-delete the organization's transcripts, and an expiring signed link to a transcript's
Markdown file; and the route that link points at."""

from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

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
from salon.api.responses import COMMON_ERRORS, Json, parse_body
from salon.api.webhook_shapes import DATE_TIME
from salon.recording.model import ACCESS_LINK_DEFAULT_S
from salon.services import services_of
from salon.transcription.model import FILE_PATH, render_transcription
from salon.transcription.service import TranscriptionService

router = APIRouter(prefix="/v1", tags=["transcriptions"], responses=COMMON_ERRORS)
files = APIRouter(include_in_schema=False)


class TranscriptionOut(BaseModel):
    """Whereby's Transcription object (`render_transcription`)."""

    transcriptionId: str
    roomSessionId: str
    roomName: str
    startDate: str = Field(json_schema_extra=DATE_TIME)
    endDate: str = Field(json_schema_extra=DATE_TIME)
    state: Literal["in_progress", "ready", "failed"]
    createdAt: str = Field(json_schema_extra=DATE_TIME)
    type: Literal["LIVE_TRANSCRIPTION", "RECORDING_TRANSCRIPTION"]
    storageType: Literal["WHEREBY_HOSTED", "SELF_HOSTED"]
    filename: str | None = None
    durationInSeconds: float | None = None


class TranscriptionListOut(BaseModel):
    results: list[TranscriptionOut]
    cursor: str | None


class CreateBody(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")
    recordingId: str = Field(min_length=1, max_length=64)


class CreatedOut(BaseModel):
    transcriptionId: str


class BulkDeleteBody(BulkDelete):
    transcriptionIds: BulkIds

    def ids(self) -> list[str]:
        return self.transcriptionIds


def _transcriptions(request: Request) -> TranscriptionService:
    return services_of(request).transcriptions


@router.post(
    "/transcriptions",
    status_code=201,
    summary="Create transcription",
    response_model=CreatedOut,
    openapi_extra=request_body_schema(CreateBody),
)
async def create_transcription(request: Request) -> Response:
    who = caller_of(request)
    body = parse_body(CreateBody, await request.body())
    created = await _transcriptions(request).create(who.org_id, body.recordingId)
    return Json({"transcriptionId": created}, status_code=201)


@router.get("/transcriptions", summary="Get transcriptions", response_model=TranscriptionListOut)
async def list_transcriptions(request: Request, query: RoomPage) -> Response:
    found, next_cursor = await _transcriptions(request).list_transcriptions(
        caller_of(request).org_id, query
    )
    return page([render_transcription(t) for t in found], next_cursor)


@router.get(
    "/transcriptions/{transcriptionId}",
    summary="Get transcription",
    response_model=TranscriptionOut,
)
async def get_transcription(transcriptionId: str, request: Request) -> Response:
    found = await _transcriptions(request).get(caller_of(request).org_id, transcriptionId)
    return Json(render_transcription(found))


@router.delete(
    "/transcriptions/{transcriptionId}",
    status_code=204,
    response_class=Response,
    summary="Delete transcription",
    responses=DELETED,
)
async def delete_transcription(transcriptionId: str, request: Request) -> Response:
    await _transcriptions(request).delete(caller_of(request).org_id, [transcriptionId])
    return no_content()


@router.get(
    "/transcriptions/{transcriptionId}/access-link",
    summary="Get transcription access link",
    response_model=AccessLinkOut,
)
async def access_link(
    transcriptionId: str,
    request: Request,
    valid_for: ValidFor = ACCESS_LINK_DEFAULT_S,
) -> Response:
    links = _transcriptions(request).access_link
    return await collections.access_link(request, links, transcriptionId, valid_for)


@router.post(
    "/transcriptions/bulk-delete",
    status_code=204,
    response_class=Response,
    summary="Bulk delete transcriptions",
    openapi_extra=request_body_schema(BulkDeleteBody),
)
async def bulk_delete(request: Request) -> Response:
    return await collections.bulk_delete(request, BulkDeleteBody, _transcriptions(request).delete)


@files.get(FILE_PATH + "{transcriptionId}")
async def transcript_file(
    transcriptionId: str,
    request: Request,
    expires: LinkExpires = "",
    signature: LinkSignature = "",
) -> Response:
    path = await _transcriptions(request).file_for_link(transcriptionId, expires, signature)
    return file_response(path, media_type="text/markdown; charset=utf-8")
