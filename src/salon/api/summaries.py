"""`/v1/summaries` (Whereby's contract, in beta there): summarise a ready transcript with one of
six templates, list, read and delete summaries."""

from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from salon.api.collections import DELETED, Cursor, Limit, SortBy, no_content, page
from salon.api.deps import caller_of
from salon.api.openapi import request_body_schema
from salon.api.responses import COMMON_ERRORS, Json, parse_body
from salon.api.webhook_shapes import DATE_TIME
from salon.services import services_of
from salon.summaries.model import parse_template, render_summary
from salon.summaries.service import SummaryService

router = APIRouter(prefix="/v1", tags=["summaries"], responses=COMMON_ERRORS)

TemplateName = Literal[
    "SOAP",
    "Extended SOAP",
    "General Narrative",
    "General Bulleted",
    "Educational Lecture",
    "Educational Tutoring",
]


class SummaryOut(BaseModel):
    """Whereby's Summary object (`render_summary`); `summary`'s keys depend on the template
    (docs/transcription.md)."""

    summaryId: str
    transcriptionId: str
    summary: dict[str, Any]
    roomSessionId: str
    roomName: str
    startDate: str = Field(json_schema_extra=DATE_TIME)
    endDate: str = Field(json_schema_extra=DATE_TIME)
    state: Literal["in_progress", "ready", "failed"]
    createdAt: str = Field(json_schema_extra=DATE_TIME)
    modifiedAt: str = Field(json_schema_extra=DATE_TIME)
    template: TemplateName


class SummaryListOut(BaseModel):
    results: list[SummaryOut]
    cursor: str | None


class CreateBody(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")
    transcriptionId: str = Field(min_length=1, max_length=64)
    template: str | None = Field(
        default=None, max_length=40, description="Default: General Bulleted."
    )


class CreatedOut(BaseModel):
    summaryId: str


def _summaries(request: Request) -> SummaryService:
    return services_of(request).summaries


@router.post(
    "/summaries",
    status_code=201,
    summary="Create summary",
    response_model=CreatedOut,
    openapi_extra=request_body_schema(CreateBody),
    responses={409: {"description": "The transcript has a summary already: delete it first."}},
)
async def create_summary(request: Request) -> Response:
    who = caller_of(request)
    body = parse_body(CreateBody, await request.body())
    template = parse_template(body.template)
    created = await _summaries(request).create(who.org_id, body.transcriptionId, template)
    return Json({"summaryId": created}, status_code=201)


@router.get("/summaries", summary="Get summaries", response_model=SummaryListOut)
async def list_summaries(
    request: Request,
    cursor: Cursor = None,
    limit: Limit = 50,
    sort_by: SortBy = None,
) -> Response:
    found, next_cursor = await _summaries(request).list_summaries(
        caller_of(request).org_id, cursor=cursor, limit=limit, sort_by=sort_by
    )
    return page([render_summary(s) for s in found], next_cursor)


@router.get("/summaries/{summaryId}", summary="Get summary", response_model=SummaryOut)
async def get_summary(summaryId: str, request: Request) -> Response:
    found = await _summaries(request).get(caller_of(request).org_id, summaryId)
    return Json(render_summary(found))


@router.delete(
    "/summaries/{summaryId}",
    status_code=204,
    response_class=Response,
    summary="Delete summary",
    responses=DELETED,
)
async def delete_summary(summaryId: str, request: Request) -> Response:
    await _summaries(request).delete(caller_of(request).org_id, summaryId)
    return no_content()
