"""Meetings: list with filters, create with the API's fields, open as host, delete. Owners and
members alike."""

from dataclasses import dataclass

from fastapi import APIRouter, Request
from starlette.responses import Response

from salon.dashboard.meeting_form import field_of_date_error, meeting_request
from salon.dashboard.permissions import Area
from salon.dashboard.refusals import DashboardRoute
from salon.dashboard.render import flash, page
from salon.dashboard.web import (
    PREFIX,
    Form,
    Viewer,
    redirect,
    require,
    signed_in_form,
)
from salon.errors import InvalidInput
from salon.meetings.model import UrlField
from salon.meetings.service import MeetingView
from salon.services import Services, services_of

router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=DashboardRoute)
HERE = f"{PREFIX}/meetings"
PAGE_SIZE = 100
MAX_PAGES = 20
SHOWN = 200
STATUSES = {"all": "All", "upcoming": "Upcoming", "now": "In its time window", "ended": "Ended"}
MODES = {"normal": "Normal (up to 4, peer to peer)", "group": "Group (needs an SFU)"}
PATTERNS = {"uuid": "UUID", "human-short": "Short and readable"}
FORM_FIELDS = ("endDate", "startDate", "roomNamePrefix", "roomMode", "roomNamePattern")
CHECKS = ("isLocked", "viewerMode")
NOTICES = {
    "created": "Meeting created.",
    "deleted": "Meeting deleted; everyone in its room was removed.",
}


def _status(view: MeetingView, now_ms: int) -> str:
    meeting = view.meeting
    if now_ms < meeting.start_ms:
        return "upcoming"
    return "ended" if now_ms >= meeting.end_ms else "now"


async def _meetings(services: Services, viewer: Viewer, prefix: str) -> list[MeetingView]:
    """The organization's meetings whose room name starts with `prefix`, oldest first."""
    views: list[MeetingView] = []
    cursor = None
    for _ in range(MAX_PAGES):
        found = await services.meetings.list_meetings(
            viewer.org.org_id,
            cursor=cursor,
            limit=PAGE_SIZE,
            name_prefix=("/" + prefix.lstrip("/")) if prefix else None,
            fields=[UrlField.HOST_ROOM_URL],
        )
        views += found.views
        cursor = found.cursor
        if cursor is None:
            break
    return views


@dataclass(frozen=True, slots=True)
class _Row:
    view: MeetingView
    status: str
    present: int
    """How many people are in its room now."""


async def _page(
    request: Request,
    viewer: Viewer,
    *,
    form: Form | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    services = services_of(request)
    wanted = request.query_params.get("status", "all")
    wanted = wanted if wanted in STATUSES else "all"
    prefix = request.query_params.get("q", "").strip()
    filter_error = None
    try:
        views = await _meetings(services, viewer, prefix)
    except InvalidInput as invalid:
        views, filter_error = [], invalid.message
    return page(
        request,
        "meetings.html",
        viewer=viewer,
        area=Area.MEETINGS,
        status_code=status_code,
        here=HERE,
        flash=flash(request, NOTICES),
        statuses=STATUSES,
        modes=MODES,
        patterns=PATTERNS,
        wanted=wanted,
        prefix=prefix,
        filter_error=filter_error,
        rows=await _rows(services, viewer, views, wanted),
        shown=SHOWN,
        filtered=bool(views or prefix or wanted != "all"),
        form=_fields_of(form),
        errors=errors or {},
    )


async def _rows(
    services: Services, viewer: Viewer, views: list[MeetingView], wanted: str
) -> list[_Row]:
    """The meetings with the status `wanted` ("all": every one), newest first, with how many
    people are in each room now (on every node)."""
    now = services.clock()
    present = {
        room.room_name: len(room.participants)
        for room in await services.cluster.directory.rooms(viewer.org.org_id)
    }
    rows = []
    for view in reversed(views):
        status = _status(view, now)
        if wanted == "all" or status == wanted:
            rows.append(_Row(view, status, present.get(view.meeting.room_name, 0)))
    return rows


def _fields_of(form: Form | None) -> dict[str, str]:
    """The values to show again in the form (a checked box as present)."""
    if form is None:
        return {}
    values = {name: form[name] for name in FORM_FIELDS}
    return values | {name: "on" for name in CHECKS if form.has(name)}


@router.get("/meetings")
async def meetings_page(request: Request) -> Response:
    return await _page(request, await require(request, Area.MEETINGS))


@router.post("/meetings")
async def create_meeting(request: Request) -> Response:
    viewer, form = await signed_in_form(request, Area.MEETINGS)
    values = {name: form[name] for name in FORM_FIELDS}
    checked = {name for name in CHECKS if form.has(name)}
    made, errors = meeting_request(values, checked)
    if made is not None:
        try:
            await services_of(request).meetings.create(viewer.org.org_id, made)
        except InvalidInput as invalid:
            errors = {field_of_date_error(invalid.message): invalid.message}
        else:
            return redirect(HERE, notice="created")
    return await _page(request, viewer, form=form, errors=errors, status_code=400)


@router.post("/meetings/{meeting_id}/delete")
async def delete_meeting(request: Request, meeting_id: str) -> Response:
    viewer, _ = await signed_in_form(request, Area.MEETINGS)
    await services_of(request).meetings.delete(viewer.org.org_id, meeting_id)
    return redirect(HERE, notice="deleted")
