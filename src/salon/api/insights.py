"""`/v1/insights/…`: rooms, room sessions, participants and one participant's quality
(Whereby's insights API), for the caller's organization only. Times are ISO 8601 UTC with
milliseconds; lists are pages of at most `limit` (default 10) with a `cursor` (null on the last).
"""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from salon.api.deps import caller_of
from salon.api.responses import COMMON_ERRORS, Json
from salon.api.webhook_shapes import DATE_TIME
from salon.errors import InvalidInput
from salon.insights.service import FILTER_MAX, InsightsService, RoomFilter
from salon.meetings.model import parse_date_time
from salon.services import services_of

router = APIRouter(prefix="/v1/insights", tags=["insights"], responses=COMMON_ERRORS)

Limit = Annotated[int, Query(ge=1, le=100, description="Results per page (default 10).")]
Cursor = Annotated[str | None, Query(max_length=200, description="A previous page's cursor.")]
Text = Annotated[str | None, Query(max_length=FILTER_MAX)]


class _Figures(BaseModel):
    totalParticipantMinutes: int = Field(description="Rounded up per connection.")
    totalRecorderMinutes: int
    totalStreamerMinutes: int
    totalUniqueParticipants: int
    totalUniqueRecorders: int
    totalUniqueStreamers: int
    rating: float | None = Field(description="Session ratings: not collected (null).")
    totalRatings: float | None


class RoomInsightOut(_Figures):
    roomName: str
    createdAt: str = Field(json_schema_extra=DATE_TIME)
    endAt: str = Field(json_schema_extra=DATE_TIME)
    firstSessionStartedAt: str | None = Field(json_schema_extra=DATE_TIME)
    lastSessionStartedAt: str | None = Field(json_schema_extra=DATE_TIME)
    totalSessions: int


class RoomInsightPageOut(BaseModel):
    results: list[RoomInsightOut]
    cursor: str | None


class SessionInsightOut(_Figures):
    roomSessionId: str
    roomName: str
    startedAt: str = Field(json_schema_extra=DATE_TIME)
    endedAt: str | None = Field(json_schema_extra=DATE_TIME, description="Null while it goes on.")
    createdAt: str = Field(json_schema_extra=DATE_TIME, description="The same as startedAt.")
    endAt: str | None = Field(json_schema_extra=DATE_TIME, description="The same as endedAt.")


class SessionInsightPageOut(BaseModel):
    results: list[SessionInsightOut]
    cursor: str | None


class ParticipantInsightOut(BaseModel):
    roomSessionId: str
    participantId: str
    deviceId: str | None
    userId: str | None
    roleName: str
    displayName: str
    joinedAt: str = Field(json_schema_extra=DATE_TIME)
    leftAt: str | None = Field(json_schema_extra=DATE_TIME, description="Null while in the room.")
    externalId: str | None
    rating: float | None
    tags: list[str] | None
    comment: str | None


class ParticipantInsightPageOut(BaseModel):
    results: list[ParticipantInsightOut]
    cursor: str | None


class QualitySamplesOut(BaseModel):
    timeStamp: list[str]
    packetLossSend: list[float] = Field(description="Percent of packets lost.")
    packetLossRecv: list[float]
    bitrateSend: list[int] = Field(description="Bits per second.")
    bitrateRecv: list[int]


class ActivityEventOut(BaseModel):
    type: str = Field(examples=["joined", "camera_on", "microphone_off", "screenshare_started"])
    at: str = Field(json_schema_extra=DATE_TIME)


class ParticipantQualityOut(BaseModel):
    displayName: str
    userRole: str
    userAgent: str
    timeStamp: str = Field(json_schema_extra=DATE_TIME, description="When it joined.")
    sampleRateMs: int
    samples: QualitySamplesOut
    events: list[ActivityEventOut]


def _insights(request: Request) -> InsightsService:
    return services_of(request).insights


def _required(name: str, value: str | None) -> str:
    """Checked here rather than by FastAPI, so that a caller without a key hears `401` first."""
    if value is None:
        raise InvalidInput(f"{name} is required")
    return value


def _time(name: str, value: str | None) -> int | None:
    return None if value is None else parse_date_time(name, value)


@router.get("/rooms", summary="Get room insights", response_model=RoomInsightPageOut)
async def room_insights(
    request: Request,
    exact: Annotated[str | None, Query(alias="roomName[exact]", max_length=FILTER_MAX)] = None,
    starts_with: Annotated[
        str | None, Query(alias="roomName[startsWith]", max_length=FILTER_MAX)
    ] = None,
    contains: Annotated[
        str | None, Query(alias="roomName[contains]", max_length=FILTER_MAX)
    ] = None,
    created_from: Annotated[str | None, Query(alias="createdAt[from]", max_length=64)] = None,
    created_to: Annotated[str | None, Query(alias="createdAt[to]", max_length=64)] = None,
    sortBy: Text = None,
    cursor: Cursor = None,
    limit: Limit = 10,
) -> Response:
    found = RoomFilter(
        exact=exact,
        starts_with=starts_with,
        contains=contains,
        created_from=_time("createdAt[from]", created_from),
        created_to=_time("createdAt[to]", created_to),
    )
    page = await _insights(request).rooms(caller_of(request).org_id, found, sortBy, cursor, limit)
    return Json({"results": page.results, "cursor": page.cursor})


@router.get(
    "/room-sessions", summary="Get room session insights", response_model=SessionInsightPageOut
)
async def session_insights(
    request: Request,
    roomName: Annotated[str | None, Query(max_length=FILTER_MAX, description="Required.")] = None,
    roomSessionId: Text = None,
    sortBy: Text = None,
    cursor: Cursor = None,
    limit: Limit = 10,
) -> Response:
    who = caller_of(request)
    page = await _insights(request).sessions(
        who.org_id, _required("roomName", roomName), roomSessionId, sortBy, cursor, limit
    )
    return Json({"results": page.results, "cursor": page.cursor})


@router.get(
    "/participants",
    summary="Get participants (by roomSessionId or externalId)",
    response_model=ParticipantInsightPageOut,
)
async def participant_insights(
    request: Request,
    roomSessionId: Text = None,
    externalId: Text = None,
    sortBy: Text = None,
    cursor: Cursor = None,
    limit: Limit = 10,
) -> Response:
    page = await _insights(request).participants(
        caller_of(request).org_id, roomSessionId, externalId, sortBy, cursor, limit
    )
    return Json({"results": page.results, "cursor": page.cursor})


@router.get(
    "/participant",
    summary="Get details for a participant in a session",
    response_model=list[ParticipantQualityOut],
)
async def participant_quality(
    request: Request,
    roomSessionId: Annotated[
        str | None, Query(max_length=FILTER_MAX, description="Required.")
    ] = None,
    participantId: Annotated[
        str | None, Query(max_length=FILTER_MAX, description="Required.")
    ] = None,
) -> Response:
    who = caller_of(request)
    found = await _insights(request).participant(
        who.org_id,
        _required("roomSessionId", roomSessionId),
        _required("participantId", participantId),
    )
    return Json(found)
