"""`/v1/meetings`: create, list, read and delete meetings (Whereby's REST API v1)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from salon.api.collections import Cursor, Limit
from salon.api.deps import caller_of
from salon.api.openapi import request_body_schema
from salon.api.responses import COMMON_ERRORS, Json, parse_body
from salon.api.schemas import (
    CreateMeetingBody,
    MeetingOut,
    MeetingPageOut,
    parse_fields,
    render_meeting,
)
from salon.services import services_of
from salon.transcription.model import check_live_language

router = APIRouter(prefix="/v1", tags=["meetings"], responses=COMMON_ERRORS)

FieldsQuery = Annotated[
    str | None,
    Query(
        description="Extra fields, hostRoomUrl and viewerRoomUrl: comma-separated, or the"
        " parameter repeated (both forms are read; an empty value is refused)",
        examples=["hostRoomUrl,viewerRoomUrl"],
    ),
]


@router.post(
    "/meetings",
    status_code=201,
    summary="Create meeting",
    response_model=MeetingOut,
    response_model_exclude_none=True,
    responses={201: {"description": "The meeting was created."}},
    openapi_extra=request_body_schema(CreateMeetingBody),
)
async def create_meeting(request: Request) -> Response:
    # The body is parsed here rather than declared as a parameter: FastAPI's parameter machinery
    # costs a third of a create (measured), and the OpenAPI document gets the schema anyway.
    who = caller_of(request)
    body = parse_body(CreateMeetingBody, await request.body())
    if body.liveTranscription is not None:
        check_live_language(body.liveTranscription.language, services_of(request).speech_languages)
    view = await services_of(request).meetings.create(who.org_id, body.to_request())
    return Json(render_meeting(view), status_code=201)


@router.get(
    "/meetings",
    summary="Get meetings",
    response_model=MeetingPageOut,
)
async def list_meetings(
    request: Request,
    cursor: Cursor = None,
    limit: Limit = 50,
    fields: FieldsQuery = None,
    room_name_prefix: Annotated[
        str | None,
        Query(alias="roomName[startsWith]", max_length=200, examples=["/customer"]),
    ] = None,
) -> Response:
    page = await services_of(request).meetings.list_meetings(
        caller_of(request).org_id,
        cursor=cursor,
        limit=limit,
        name_prefix=room_name_prefix,
        fields=parse_fields(request.query_params.getlist("fields")),
    )
    return Json({"results": [render_meeting(view) for view in page.views], "cursor": page.cursor})


@router.get(
    "/meetings/{meetingId}",
    summary="Get meeting",
    response_model=MeetingOut,
    response_model_exclude_none=True,
)
async def get_meeting(
    meetingId: str,
    request: Request,
    fields: FieldsQuery = None,
) -> Response:
    view = await services_of(request).meetings.get(
        caller_of(request).org_id, meetingId, parse_fields(request.query_params.getlist("fields"))
    )
    return Json(render_meeting(view))


@router.delete(
    "/meetings/{meetingId}",
    status_code=204,
    summary="Delete meeting",
    response_class=Response,
    responses={204: {"description": "Deleted, or deleted already."}},
)
async def delete_meeting(
    meetingId: str,
    request: Request,
) -> Response:
    await services_of(request).meetings.delete(caller_of(request).org_id, meetingId)
    return Response(status_code=204)
