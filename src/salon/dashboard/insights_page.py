"""Insights: the organization's rooms with their sessions and participant minutes, and for one
room each session's people (who joined when, for how long) with a line chart of each one's
bitrate and packet loss, drawn on the server (charts.py). The same figures as `/v1/insights`."""

from typing import Any

from fastapi import APIRouter, Request
from markupsafe import Markup
from starlette.responses import Response

from salon.dashboard.charts import Series, line_chart
from salon.dashboard.permissions import Area
from salon.dashboard.refusals import DashboardRoute
from salon.dashboard.render import page
from salon.dashboard.web import PREFIX, Viewer, require
from salon.insights.service import RoomFilter
from salon.meetings.model import parse_date_time
from salon.services import Services, services_of

router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=DashboardRoute)
HERE = f"{PREFIX}/insights"
ROOMS_SHOWN = 50
SESSIONS_SHOWN = 10
CHARTED_PARTICIPANTS = 30
"""Larger sessions list their people without charts (the API has every sample)."""
SEND, RECEIVE = "#3b82f6", "#f59e0b"


def _minutes(joined: str, left: str | None, now_ms: int) -> int:
    end = now_ms if left is None else parse_date_time("leftAt", left)
    return -(-max(end - parse_date_time("joinedAt", joined), 0) // 60_000)


@router.get("/insights")
async def insights_page(request: Request) -> Response:
    viewer = await require(request, Area.INSIGHTS)
    found = await services_of(request).insights.rooms(
        viewer.org.org_id, RoomFilter(), "createdAt:desc", None, ROOMS_SHOWN
    )
    return page(
        request,
        "insights.html",
        viewer=viewer,
        area=Area.INSIGHTS,
        here=HERE,
        shown=ROOMS_SHOWN,
        rooms=found.results,
    )


@router.get("/insights/room")
async def room_insights_page(request: Request) -> Response:
    viewer = await require(request, Area.INSIGHTS)
    services = services_of(request)
    name = request.query_params.get("name", "")[:200]
    sessions = await services.insights.sessions(
        viewer.org.org_id, name, None, "startedAt:desc", None, SESSIONS_SHOWN
    )
    now_ms = services.clock()
    shown = []
    for session in sessions.results:
        people = await services.insights.participants(
            viewer.org.org_id, session["roomSessionId"], None, "joinedAt:asc", None, 100
        )
        charted = len(people.results) <= CHARTED_PARTICIPANTS
        rows = []
        for person in people.results:
            charts = await _charts(services, viewer, session, person) if charted else Markup("")
            minutes = _minutes(person["joinedAt"], person["leftAt"], now_ms)
            rows.append(person | {"minutes": minutes, "charts": charts})
        shown.append(session | {"people": rows})
    return page(
        request,
        "insights_room.html",
        viewer=viewer,
        area=Area.INSIGHTS,
        here=HERE,
        name=name,
        sessions=shown,
    )


async def _charts(
    services: Services, viewer: Viewer, session: dict[str, Any], person: dict[str, Any]
) -> Markup:
    """A person's bitrate and packet loss, sent and received."""
    found = await services.insights.participant(
        viewer.org.org_id, session["roomSessionId"], person["participantId"]
    )
    if not found:
        return Markup("")
    samples = found[0]["samples"]
    bitrate = [
        Series("sent", SEND, [b / 1000 for b in samples["bitrateSend"]]),
        Series("received", RECEIVE, [b / 1000 for b in samples["bitrateRecv"]]),
    ]
    loss = [
        Series("sent", SEND, samples["packetLossSend"]),
        Series("received", RECEIVE, samples["packetLossRecv"]),
    ]
    return line_chart("Bitrate", "kbit/s", bitrate, "chart-bitrate") + line_chart(
        "Packet loss", "%", loss, "chart-loss"
    )
