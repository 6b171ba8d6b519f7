"""The room page: `GET /<room name>` serves the meeting room app, or a friendly 404."""

import re
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from salon.ids import RoomName

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
STATIC_PATH = "/_salon/static"
_ROOM_PAGE = STATIC_DIR / "room" / "index.html"
_NOT_FOUND_PAGE = STATIC_DIR / "pages" / "not-found.html"
_ROOM_NAME_RE = re.compile(r"[a-z0-9-]{1,128}")

# The URL carries the room key: never hand it to another site as a referrer.
_HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}

router = APIRouter(include_in_schema=False)


@lru_cache(maxsize=4)
def _page(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def not_found() -> Response:
    return HTMLResponse(_page(_NOT_FOUND_PAGE), status_code=404, headers=_HEADERS)


@router.get("/{name}")
async def room_page(name: str, request: Request) -> Response:
    if not _ROOM_NAME_RE.fullmatch(name):
        return not_found()
    meeting = await request.app.state.services.meetings.active_meeting(RoomName(f"/{name}"))
    if meeting is None:
        return not_found()
    return HTMLResponse(_page(_ROOM_PAGE), headers=_HEADERS)
