"""Live rooms: who is in each of the organization's rooms right now, with role and since when.
The page polls `live.json` and redraws itself (static/dashboard/live.js)."""

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from salon.cluster.model import RoomPresence
from salon.dashboard.html import Html, html, join
from salon.dashboard.layout import HEADERS, empty_state, heading, page, section
from salon.dashboard.permissions import Area
from salon.dashboard.refusals import DashboardRoute
from salon.dashboard.web import PREFIX, dashboard_of, require

router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=DashboardRoute)
REFRESH_MS = 2000
ROLE_ORDER = ("owner", "member", "host", "granted_visitor", "visitor", "viewer")


def room_view(room: RoomPresence, base_url: str) -> dict[str, Any]:
    people = sorted(
        room.participants,
        key=lambda p: (ROLE_ORDER.index(p.role) if p.role in ROLE_ORDER else 99, p.joined_ms),
    )
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
            for p in people
        ],
    }


async def _snapshot(request: Request) -> tuple[Any, list[dict[str, Any]]]:
    viewer = await require(request, Area.LIVE)
    board = dashboard_of(request)
    rooms = [
        room_view(room, board.public_url) for room in await board.presence.rooms(viewer.org.org_id)
    ]
    rooms = [room for room in rooms if room["participants"] or room["knocking"]]
    rooms.sort(key=lambda room: room["roomName"])
    return viewer, rooms


@router.get("/live.json")
async def live_json(request: Request) -> Response:
    _, rooms = await _snapshot(request)
    return JSONResponse({"rooms": rooms, "at": dashboard_of(request).clock()}, headers=HEADERS)


def _since(joined_ms: int, now_ms: int) -> str:
    minutes = max(0, (now_ms - joined_ms) // 60_000)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min"


def rooms_html(rooms: list[dict[str, Any]], now_ms: int) -> Html:
    """The same markup live.js draws from `live.json`, for the first paint."""
    cards = []
    for room in rooms:
        people = [
            html(
                '<li data-testid="live-participant" data-role="{role}">'
                '<span class="name">{name}</span>'
                ' <span class="badge {role}">{role}</span> <span class="muted">'
                '<time datetime="{iso}" data-since="{joined}">{since}</time>'
                "{reconnecting}</span></li>",
                role=p["role"],
                name=p["displayName"],
                joined=p["joinedAt"],
                iso=p["joinedAt"],
                since=_since(p["joinedAt"], now_ms),
                reconnecting=" · reconnecting" if p["reconnecting"] else "",
            )
            for p in room["participants"]
        ]
        cards.append(
            html(
                """<article class="live-room" data-testid="live-room" data-room-name="{name}">
  <h3><a href="{url}" target="_blank" rel="noopener"><code>{name}</code></a></h3>
  <p class="muted">{count} in the room{knocking}{locked}</p>
  <ul class="people">{people}</ul>
</article>""",
                name=room["roomName"],
                url=room["roomUrl"],
                count=len(room["participants"]),
                knocking=f" · {room['knocking']} knocking" if room["knocking"] else "",
                locked=" · locked" if room["locked"] else "",
                people=join(people),
            )
        )
    return join(cards)


@router.get("/live")
async def live_page(request: Request) -> Response:
    viewer, rooms = await _snapshot(request)
    now = dashboard_of(request).clock()
    empty = empty_state(
        "Nobody is in a room right now",
        "Rooms appear here as soon as someone joins one. Open a meeting from the Meetings "
        "page to start one.",
    )
    body = html(
        """<div data-live-rooms data-source="{prefix}/live.json" data-refresh-ms="{refresh}">
  <p class="hint live-status" aria-live="polite" data-live-status>Refreshes every few seconds.</p>
  <div class="live-list" data-live-list>{rooms}</div>
  <template data-live-empty>{empty}</template>
</div>""",
        prefix=PREFIX,
        refresh=REFRESH_MS,
        rooms=rooms_html(rooms, now) if rooms else empty,
        empty=empty,
    )
    content = join(
        [
            heading("Live rooms", "Who is in your organization's rooms right now."),
            section("Rooms", body),
        ]
    )
    return page("Live rooms", content, viewer=viewer, area=Area.LIVE)
