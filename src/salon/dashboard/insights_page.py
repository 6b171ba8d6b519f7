"""Insights: the organization's rooms with their sessions and participant minutes, and for one
room each session's people (who joined when, for how long) with a line chart of each one's
bitrate and packet loss, drawn on the server (charts.py). The same figures as `/v1/insights`."""

from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import Response

from salon.dashboard.charts import Series, line_chart
from salon.dashboard.html import Html, html, join
from salon.dashboard.layout import empty_state, heading, page, section
from salon.dashboard.permissions import Area
from salon.dashboard.refusals import DashboardRoute
from salon.dashboard.web import PREFIX, dashboard_of, require
from salon.insights.service import RoomFilter
from salon.meetings.model import parse_date_time

router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=DashboardRoute)
HERE = f"{PREFIX}/insights"
ROOMS_SHOWN = 50
SESSIONS_SHOWN = 10
CHARTED_PARTICIPANTS = 30
"""Larger sessions list their people without charts (the API has every sample)."""
SEND, RECEIVE = "#3b82f6", "#f59e0b"


def _time(iso: str | None) -> Html:
    if iso is None:
        return html("<span>still on</span>")
    return html('<time datetime="{iso}">{shown}</time>', iso=iso, shown=iso[:16].replace("T", " "))


def _minutes(joined: str, left: str | None, now_ms: int) -> int:
    end = now_ms if left is None else parse_date_time("leftAt", left)
    return -(-max(end - parse_date_time("joinedAt", joined), 0) // 60_000)


@router.get("/insights")
async def insights_page(request: Request) -> Response:
    viewer = await require(request, Area.INSIGHTS)
    found = await dashboard_of(request).insights.rooms(
        viewer.org.org_id, RoomFilter(), "createdAt:desc", None, ROOMS_SHOWN
    )
    rows = [
        html(
            '<tr data-testid="insight-room"><td><a href="{href}">{name}</a></td><td>{created}</td>'
            "<td>{sessions}</td><td>{minutes}</td><td>{people}</td></tr>",
            href=f"{HERE}/room?name={quote(room['roomName'], safe='')}",
            name=room["roomName"],
            created=_time(room["createdAt"]),
            sessions=str(room["totalSessions"]),
            minutes=str(room["totalParticipantMinutes"]),
            people=str(room["totalUniqueParticipants"]),
        )
        for room in found.results
    ]
    listing = (
        html(
            '<table class="list"><thead><tr><th>Room</th><th>Created</th><th>Sessions</th>'
            "<th>Participant minutes</th><th>People</th></tr></thead><tbody>{rows}</tbody>"
            "</table>",
            rows=join(rows),
        )
        if rows
        else empty_state("No rooms yet", "Rooms appear here once meetings are created.")
    )
    content = join(
        [
            heading(
                "Insights",
                "Sessions start when two people are in a room; minutes are rounded up per "
                "connection. The API has the same figures: /v1/insights.",
            ),
            section(f"Rooms (the latest {ROOMS_SHOWN})", listing),
        ]
    )
    return page("Insights", content, viewer=viewer, area=Area.INSIGHTS)


@router.get("/insights/room")
async def room_insights_page(request: Request) -> Response:
    viewer = await require(request, Area.INSIGHTS)
    board = dashboard_of(request)
    name = request.query_params.get("name", "")[:200]
    sessions = await board.insights.sessions(
        viewer.org.org_id, name, None, "startedAt:desc", None, SESSIONS_SHOWN
    )
    parts = [
        heading(f"Insights of {name}", "Each session's people, bitrate and packet loss."),
        html('<p><a href="{here}">All rooms</a></p>', here=HERE),
    ]
    if not sessions.results:
        parts.append(empty_state("No sessions", "A session starts when two people are in."))
    now_ms = board.clock()
    for session in sessions.results:
        people = await board.insights.participants(
            viewer.org.org_id, session["roomSessionId"], None, "joinedAt:asc", None, 100
        )
        charted = len(people.results) <= CHARTED_PARTICIPANTS
        items = []
        for person in people.results:
            charts = Html("")
            if charted:
                found = await board.insights.participant(
                    viewer.org.org_id, session["roomSessionId"], person["participantId"]
                )
                if found:
                    samples = found[0]["samples"]
                    charts = join(
                        [
                            line_chart(
                                "Bitrate",
                                "kbit/s",
                                [
                                    Series(
                                        "sent", SEND, [b / 1000 for b in samples["bitrateSend"]]
                                    ),
                                    Series(
                                        "received",
                                        RECEIVE,
                                        [b / 1000 for b in samples["bitrateRecv"]],
                                    ),
                                ],
                                "chart-bitrate",
                            ),
                            line_chart(
                                "Packet loss",
                                "%",
                                [
                                    Series("sent", SEND, samples["packetLossSend"]),
                                    Series("received", RECEIVE, samples["packetLossRecv"]),
                                ],
                                "chart-loss",
                            ),
                        ]
                    )
            items.append(
                html(
                    '<li class="row insight-person" data-testid="insight-person">'
                    '<div><strong>{name}</strong> <span class="hint">{role}</span><br>'
                    "{joined} to {left}, {minutes} min</div>"
                    '<div class="charts">{charts}</div></li>',
                    name=person["displayName"],
                    role=person["roleName"],
                    joined=_time(person["joinedAt"]),
                    left=_time(person["leftAt"]),
                    minutes=str(_minutes(person["joinedAt"], person["leftAt"], now_ms)),
                    charts=charts,
                )
            )
        body = html(
            '<p class="hint">{minutes} participant minutes, {people} people, from {start} to'
            ' {end}.</p><ul class="rows">{items}</ul>',
            minutes=str(session["totalParticipantMinutes"]),
            people=str(session["totalUniqueParticipants"]),
            start=_time(session["startedAt"]),
            end=_time(session["endedAt"]),
            items=join(items),
        )
        parts.append(section(f"Session {session['roomSessionId'][:8]}", body))
    return page("Insights", join(parts), viewer=viewer, area=Area.INSIGHTS)
