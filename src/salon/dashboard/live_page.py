"""Live rooms: who is in each of the organization's rooms right now, with role and since when.
One template draws the list (`live_rooms.html`): in the page, and at `live/rooms`, the fragment
the page's script fetches every few seconds and swaps in (static/dashboard/live.js). `live.json`
has the same rooms as data."""

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from salon.cluster.model import RoomPresence
from salon.dashboard.permissions import Area
from salon.dashboard.refusals import DashboardRoute
from salon.dashboard.render import HEADERS, fragment, page
from salon.dashboard.web import PREFIX, require
from salon.services import services_of

router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=DashboardRoute)
REFRESH_MS = 2000
FRAGMENT_URL = f"{PREFIX}/live/rooms"


def room_view(room: RoomPresence, base_url: str) -> dict[str, Any]:
    """A room as the page and `live.json` show it (people in the directory's order: hosts
    first, then by arrival)."""
    return {
        "roomName": room.room_name,
        "roomUrl": base_url + room.room_name,
        "meetingId": room.meeting_id,
        "locked": room.locked,
        "knocking": room.knocking,
        "participants": [
            {
                "displayName": p.display_name,
                "role": p.role,
                "joinedAt": p.joined_ms,
                "reconnecting": p.reconnecting,
            }
            for p in room.participants
        ],
    }


async def _snapshot(request: Request) -> tuple[Any, list[dict[str, Any]]]:
    viewer = await require(request, Area.LIVE)
    services = services_of(request)
    rooms = [
        room_view(room, services.settings.effective_public_url)
        for room in await services.cluster.directory.rooms(viewer.org.org_id)
    ]
    rooms = [room for room in rooms if room["participants"] or room["knocking"]]
    rooms.sort(key=lambda room: room["roomName"])
    return viewer, rooms


@router.get("/live.json")
async def live_json(request: Request) -> Response:
    _, rooms = await _snapshot(request)
    return JSONResponse({"rooms": rooms, "at": services_of(request).clock()}, headers=HEADERS)


@router.get("/live/rooms")
async def live_rooms(request: Request) -> Response:
    """The rooms list alone, as HTML: what the page's script swaps in every few seconds."""
    _, rooms = await _snapshot(request)
    markup = fragment("live_rooms.html", rooms=rooms, now=services_of(request).clock())
    return HTMLResponse(markup, headers=HEADERS)


@router.get("/live")
async def live_page(request: Request) -> Response:
    viewer, rooms = await _snapshot(request)
    return page(
        request,
        "live.html",
        viewer=viewer,
        area=Area.LIVE,
        fragment_url=FRAGMENT_URL,
        refresh_ms=REFRESH_MS,
        rooms=rooms,
        now=services_of(request).clock(),
    )
