"""The room page: `GET /<room name>` serves the meeting room app, or a friendly 404. Also the
organization's base URL and `/csp`, which show the `Content-Security-Policy` rooms send.

Room names can be short enough to guess, so lookups of names that do not exist are counted per
client address (`--room-misses-per-minute`): past the limit, every room-page lookup from that
address is refused with `429` until its minute ends, hits included, so that the answer says
nothing about the name asked for."""

import html
import re
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from salon.ids import OrgId, RoomName
from salon.orgs.domains import frame_ancestors
from salon.orgs.model import Organization
from salon.pages.theme import theme_meta
from salon.ratelimit import client_of
from salon.services import services_of

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
STATIC_PATH = "/_salon/static"
_ROOM_PAGE = STATIC_DIR / "room" / "index.html"
_NOT_FOUND_PAGE = STATIC_DIR / "pages" / "not-found.html"
_HOME_PAGE = STATIC_DIR / "pages" / "home.html"
_EMBED_MODULE = STATIC_DIR / "embed.js"
_ROOM_NAME_RE = re.compile(r"[a-z0-9-]{1,128}")

# The URL carries the room key: never hand it to another site as a referrer.
_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}
_SCRIPTS = "script-src 'self'; object-src 'none'; base-uri 'self'"
"""Scripts from Salon's own files only: no inline script, no other site's, no plugin."""

router = APIRouter(include_in_schema=False)


@lru_cache(maxsize=8)
def _page(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def not_found() -> Response:
    return HTMLResponse(_page(_NOT_FOUND_PAGE), status_code=404, headers=_HEADERS)


def too_many_misses(retry_after_s: int) -> Response:
    return PlainTextResponse(
        "Too many unknown room names from your address; try again in a minute.",
        status_code=429,
        headers={**_HEADERS, "Retry-After": str(retry_after_s)},
    )


async def _policy(request: Request, org_id: OrgId) -> tuple[str, list[str]]:
    origins = await services_of(request).orgs.allowed_domains(org_id)
    return f"{frame_ancestors(origins)}; {_SCRIPTS}", origins


async def _org_of_host(request: Request) -> Organization:
    """The organization a base URL names: its subdomain under `--base-domain`, else the default."""
    services = services_of(request)
    base_domain = services.settings.base_domain
    host = request.headers.get("host", "").split(":", 1)[0].lower()
    orgs = services.orgs
    if base_domain and host.endswith("." + base_domain):
        return await orgs.find(host.removesuffix("." + base_domain))
    return await orgs.find(None)


@router.api_route("/", methods=["GET", "HEAD"])
@router.api_route("/csp", methods=["GET", "HEAD"])
async def organization_home(request: Request) -> Response:
    org = await _org_of_host(request)
    policy, _ = await _policy(request, org.org_id)
    return HTMLResponse(
        _page(_HOME_PAGE),
        headers={"Content-Security-Policy": policy, "X-Content-Type-Options": "nosniff"},
    )


@router.api_route("/embed.js", methods=["GET", "HEAD"])
async def embed_element() -> Response:
    """The `<salon-embed>` element. Module scripts from another origin need CORS to load."""
    return Response(
        _page(_EMBED_MODULE),
        media_type="text/javascript",
        headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=300"},
    )


@router.api_route("/{name}", methods=["GET", "HEAD"])
async def room_page(name: str, request: Request) -> Response:
    services = services_of(request)
    misses = services.room_misses
    bucket = client_of(request.client.host if request.client else None)
    if misses.enabled:
        budget = misses.charge(bucket, 0)
        if budget.remaining == 0:
            return too_many_misses(max(1, -(-budget.ms_left // 1000)))
    meeting = None
    if _ROOM_NAME_RE.fullmatch(name):
        meeting = await services.meetings.active_meeting(RoomName(f"/{name}"))
    if meeting is None:
        if misses.enabled:
            misses.charge(bucket, 1)
        return not_found()
    policy, origins = await _policy(request, meeting.org_id)
    # The page obeys embed commands only from these origins (docs/embedding.md, "Allowed domains").
    meta = f'<meta name="salon-allowed-origins" content="{html.escape(" ".join(origins))}">'
    meta += await theme_meta(services.themes, meeting.org_id, meeting.room_name)
    page = _page(_ROOM_PAGE).replace("</head>", f"{meta}\n</head>", 1)
    return HTMLResponse(page, headers={**_HEADERS, "Content-Security-Policy": policy})
