"""Meetings: list with filters, create with the API's fields, open as host, delete. Owners and
members alike."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from salon.dashboard.html import Html, html, join, when
from salon.dashboard.layout import (
    confirm_button,
    csrf_input,
    empty_state,
    error_text,
    field,
    heading,
    notice_of,
    page,
    section,
)
from salon.dashboard.meeting_form import field_of_date_error, meeting_request
from salon.dashboard.permissions import Area
from salon.dashboard.refusals import DashboardRoute
from salon.dashboard.web import (
    PREFIX,
    Form,
    Viewer,
    dashboard_of,
    redirect,
    require,
    signed_in_form,
)
from salon.errors import InvalidInput
from salon.meetings.model import UrlField
from salon.meetings.service import MeetingView

router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=DashboardRoute)
HERE = f"{PREFIX}/meetings"
PAGE_SIZE = 100
MAX_PAGES = 20
SHOWN = 200
STATUSES = {"all": "All", "upcoming": "Upcoming", "now": "In its time window", "ended": "Ended"}
NOTICES = {
    "created": "Meeting created.",
    "deleted": "Meeting deleted; everyone in its room was removed.",
}


def _status(view: MeetingView, now_ms: int) -> str:
    meeting = view.meeting
    if now_ms < meeting.start_ms:
        return "upcoming"
    return "ended" if now_ms >= meeting.end_ms else "now"


def _row(view: MeetingView, viewer: Viewer, status: str, present: int) -> Html:
    meeting = view.meeting
    return html(
        """<tr data-testid="meeting-row" data-room-name="{room}">
  <td data-label="Room"><a href="{url}" target="_blank" rel="noopener"><code>{room}</code></a>
    <div class="muted">{mode}{locked}</div></td>
  <td data-label="Starts">{start}</td>
  <td data-label="Ends">{end}</td>
  <td data-label="Status"><span class="pill {status}">{status_text}</span>{present}</td>
  <td class="actions">
    <a class="button secondary" href="{host}" target="_blank" rel="noopener"
      data-testid="meeting-open">Open as host</a>
    {delete}
  </td>
</tr>""",
        room=meeting.room_name,
        url=view.room_url,
        mode=meeting.room_mode.value,
        locked=" · locked" if meeting.is_locked else "",
        start=when(meeting.start_ms),
        end=when(meeting.end_ms),
        status=status,
        status_text=STATUSES[status],
        present=html(' <span class="pill live">{n} in the room</span>', n=present)
        if present
        else "",
        host=view.host_room_url or view.room_url,
        delete=confirm_button(
            f"{HERE}/{meeting.meeting_id}/delete",
            viewer.csrf,
            "Delete",
            "Everyone in the room is removed, and its links stop working.",
            "meeting-delete",
        ),
    )


def _select(name: str, label: str, options: dict[str, str], chosen: str, error: str | None) -> Html:
    return html(
        '<div class="field{invalid}"><label for="f-{name}">{label}</label>'
        '<select id="f-{name}" name="{name}">{options}</select>{error}</div>',
        invalid=Html(" invalid" if error else ""),
        name=name,
        label=label,
        options=join(
            html(
                '<option value="{v}"{sel}>{t}</option>',
                v=v,
                t=t,
                sel=Html(" selected" if v == chosen else ""),
            )
            for v, t in options.items()
        ),
        error=error_text(f"f-{name}", error),
    )


def _check(name: str, label: str, on: bool, hint: str) -> Html:
    return html(
        '<label class="check"><input type="checkbox" name="{name}" value="on"{on}> {label} '
        '<span class="hint">{hint}</span></label>',
        name=name,
        label=label,
        on=Html(" checked" if on else ""),
        hint=hint,
    )


def _create_form(viewer: Viewer, form: Form | None, errors: dict[str, str]) -> Html:
    value = form.get if form is not None else (lambda name, default="": default)
    return html(
        """<form method="post" action="{here}" novalidate class="grid-form">
  {csrf}
  {end}{start}{prefix}
  {mode}{pattern}
  <div class="checks span">{locked}{viewer_mode}</div>
  <div class="span">
    <button type="submit" class="primary" data-testid="meeting-create">Create meeting</button>
  </div>
</form>""",
        here=HERE,
        csrf=csrf_input(viewer.csrf),
        end=field(
            "endDate",
            "Ends (UTC)",
            kind="datetime-local",
            value=value("endDate"),
            error=errors.get("endDate"),
            required=True,
            extra='data-testid="meeting-end"',
        ),
        start=field(
            "startDate",
            "Starts (UTC)",
            kind="datetime-local",
            value=value("startDate"),
            error=errors.get("startDate"),
            hint="Empty: now.",
        ),
        prefix=field(
            "roomNamePrefix",
            "Room name prefix",
            value=value("roomNamePrefix"),
            error=errors.get("roomNamePrefix"),
            hint="Optional: a-z, 0-9 and hyphens, at most 39.",
            extra='maxlength="60" spellcheck="false"',
        ),
        mode=_select(
            "roomMode",
            "Room mode",
            {"normal": "Normal (up to 4, peer to peer)", "group": "Group (needs an SFU)"},
            value("roomMode", "normal"),
            errors.get("roomMode"),
        ),
        pattern=_select(
            "roomNamePattern",
            "Room name pattern",
            {"uuid": "UUID", "human-short": "Short and readable"},
            value("roomNamePattern", "uuid"),
            errors.get("roomNamePattern"),
        ),
        locked=_check(
            "isLocked", "Locked", form is not None and form.has("isLocked"), "(visitors knock)"
        ),
        viewer_mode=_check(
            "viewerMode",
            "Viewer mode",
            form is not None and form.has("viewerMode"),
            "(templateType viewerMode: a locked group room)",
        ),
    )


async def _page(
    request: Request,
    viewer: Viewer,
    *,
    form: Form | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    board = dashboard_of(request)
    wanted = request.query_params.get("status", "all")
    wanted = wanted if wanted in STATUSES else "all"
    prefix = request.query_params.get("q", "").strip()
    filter_error = None
    views: list[MeetingView] = []
    cursor = None
    try:
        for _ in range(MAX_PAGES):
            found = await board.meetings.list_meetings(
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
    except InvalidInput as invalid:
        filter_error = invalid.message
    now = board.clock()
    rows = []
    present = {
        room.room_name: len(room.participants)
        for room in await board.presence.rooms(viewer.org.org_id)
    }
    for view in reversed(views):  # newest first
        status = _status(view, now)
        if wanted != "all" and status != wanted:
            continue
        rows.append(_row(view, viewer, status, present.get(view.meeting.room_name, 0)))
    filters = html(
        """<form method="get" action="{here}" class="inline-form filters" role="search">
  {q}{status}<button type="submit" class="secondary">Filter</button>
</form>""",
        here=HERE,
        q=field(
            "q",
            "Room name starts with",
            value=prefix,
            error=filter_error,
            extra='spellcheck="false" placeholder="/team-"',
        ),
        status=_select("status", "Status", STATUSES, wanted, None),
    )
    if rows:
        listing = html(
            '<table class="list"><thead><tr><th>Room</th><th>Starts</th><th>Ends</th>'
            '<th>Status</th><th><span class="sr-only">Actions</span></th></tr></thead>'
            "<tbody>{rows}</tbody></table>{more}",
            rows=join(rows[:SHOWN]),
            more=html('<p class="hint">Showing the newest {n}.</p>', n=SHOWN)
            if len(rows) > SHOWN
            else "",
        )
    elif views or prefix or wanted != "all":
        listing = empty_state("No meetings match", "Change the filters above to see more.")
    else:
        listing = empty_state(
            "No meetings yet",
            "Create one below, or from your back end with POST /v1/meetings. Its room opens at "
            "the room URL; as a signed-in member of this organization you join it as a host.",
        )
    content = join(
        [
            heading("Meetings", "Rooms your organization has created, and new ones."),
            notice_of(request.query_params.get("notice"), NOTICES),
            section("Meetings", join([filters, listing])),
            section("New meeting", _create_form(viewer, form, errors or {})),
        ]
    )
    return page("Meetings", content, viewer=viewer, area=Area.MEETINGS, status_code=status_code)


@router.get("/meetings")
async def meetings_page(request: Request) -> Response:
    return await _page(request, await require(request, Area.MEETINGS))


@router.post("/meetings")
async def create_meeting(request: Request) -> Response:
    viewer, form = await signed_in_form(request, Area.MEETINGS)
    values = {
        name: form[name]
        for name in ("endDate", "startDate", "roomNamePrefix", "roomMode", "roomNamePattern")
    }
    checked = {name for name in ("isLocked", "viewerMode") if form.has(name)}
    made, errors = meeting_request(values, checked)
    if made is not None:
        try:
            await dashboard_of(request).meetings.create(viewer.org.org_id, made)
        except InvalidInput as invalid:
            errors = {field_of_date_error(invalid.message): invalid.message}
        else:
            return redirect(HERE, notice="created")
    return await _page(request, viewer, form=form, errors=errors, status_code=400)


@router.post("/meetings/{meeting_id}/delete")
async def delete_meeting(request: Request, meeting_id: str) -> Response:
    viewer, _ = await signed_in_form(request, Area.MEETINGS)
    await dashboard_of(request).meetings.delete(viewer.org.org_id, meeting_id)
    return redirect(HERE, notice="deleted")
