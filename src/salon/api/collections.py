"""What the organization's collection routes (recordings, transcriptions, summaries) share: the
query parameters of a page, bulk deletion's id list, an expiring access link and its file route's
parameters, and the page and no-content responses."""

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Query, Response
from pydantic import BaseModel, Field

from salon.api.responses import Json

BULK_MAX = 100

Cursor = Annotated[str | None, Query(max_length=200)]
Limit = Annotated[int, Query(ge=1, le=100)]
SortBy = Annotated[str | None, Query(alias="sortBy", max_length=40, examples=["startDate:desc"])]
RoomNameFilter = Annotated[str | None, Query(alias="roomName", max_length=200)]
BulkIds = Annotated[list[Annotated[str, Field(max_length=64)]], Field(max_length=BULK_MAX)]

ValidFor = Annotated[int, Query(alias="validForSeconds")]
LinkExpires = Annotated[str, Query(max_length=20)]
LinkSignature = Annotated[str, Query(max_length=64)]

DELETED: dict[int | str, dict[str, Any]] = {204: {"description": "Deleted, or deleted already."}}
"""The `responses` of a route deleting one item."""


class AccessLinkOut(BaseModel):
    accessLink: str
    expires: int = Field(description="Epoch milliseconds, as Whereby's access links have it.")


def page(results: Sequence[object], cursor: str | None) -> Response:
    return Json({"results": list(results), "cursor": cursor})


def no_content() -> Response:
    return Response(status_code=204)
