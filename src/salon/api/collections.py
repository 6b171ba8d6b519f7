"""What the organization's collection routes (recordings, transcriptions, summaries) share: the
query parameters of a page, bulk deletion's body and route, an expiring access link and the file
route it points at, and the page and no-content responses.

    GET  …?roomName&cursor&limit&sortBy ──► PageQuery ──► the service's page ──► `page`
    POST …/bulk-delete {<kind>Ids: [...]} ──► `bulk_delete` ──► the service's delete ──► 204
    GET  …/{id}/access-link ──► `access_link` ──► {accessLink, expires}
    GET  <file path>{id}?expires&signature ──► `file_response` (ranges; private cache)
"""

from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import FileResponse

from salon.api.deps import caller_of
from salon.api.responses import Json, parse_body
from salon.ids import OrgId
from salon.meetings.model import PageQuery

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


def _page_query(
    room_name: RoomNameFilter = None,
    cursor: Cursor = None,
    limit: Limit = 50,
    sort_by: SortBy = None,
) -> PageQuery:
    return PageQuery(room_name, cursor, limit, sort_by)


RoomPage = Annotated[PageQuery, Depends(_page_query)]
"""A listing route's parameter: the `PageQuery` of its query string."""


class AccessLinkOut(BaseModel):
    accessLink: str
    expires: int = Field(description="Epoch milliseconds, as Whereby's access links have it.")


class BulkDelete(BaseModel):
    """The body of a bulk deletion; each collection names its id list (`recordingIds`, …)."""

    model_config = ConfigDict(strict=True, extra="ignore")

    def ids(self) -> list[str]:
        raise NotImplementedError


Body = TypeVar("Body", bound=BulkDelete)
Deleter = Callable[[OrgId, list[str]], Awaitable[None]]
LinkMaker = Callable[[OrgId, str, int], Awaitable[dict[str, object]]]


def page(results: Sequence[object], cursor: str | None) -> Response:
    return Json({"results": list(results), "cursor": cursor})


def no_content() -> Response:
    return Response(status_code=204)


async def bulk_delete(request: Request, body: type[Body], delete: Deleter) -> Response:
    """Delete the caller's items the body names (idempotent, as the services are)."""
    who = caller_of(request)
    parsed = parse_body(body, await request.body())
    await delete(who.org_id, parsed.ids())
    return no_content()


async def access_link(request: Request, make: LinkMaker, item_id: str, valid_for: int) -> Response:
    return Json(await make(caller_of(request).org_id, item_id, valid_for))


def file_response(path: Path, media_type: str | None = None) -> Response:
    """The file an access link points at: ranges served (players seek), cached privately."""
    return FileResponse(
        path, filename=path.name, media_type=media_type, headers={"Cache-Control": "private"}
    )
