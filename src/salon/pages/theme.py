"""A room's theme as its page reads it: a `<meta name="salon-theme">` in the room page (so the
colours apply before the first frame, with no extra request), and the theme's images at
`/_salon/theme/<room>/<part>` (`?v=` changes when the image does, so they can be cached)."""

import html
import json
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from salon.errors import NotFound
from salon.ids import OrgId, RoomName
from salon.services import services_of
from salon.themes.model import IMAGE_PARTS, StoredPart, ThemePart
from salon.themes.service import ThemeService

THEME_PATH = "/_salon/theme"
_IMAGE_HEADERS = {"Cache-Control": "public, max-age=31536000", "X-Content-Type-Options": "nosniff"}

router = APIRouter(include_in_schema=False)


def _image_url(room_name: str, part: StoredPart | None) -> str | None:
    if part is None or part.image_type is None:
        return None
    return f"{THEME_PATH}{room_name}/{part.part}?v={part.updated_ms}"


def _background(room_name: str, part: StoredPart | None) -> dict[str, Any] | None:
    if part is None:
        return None
    return {
        "image": _image_url(room_name, part),
        "palette": part.settings.get("palette"),
        "theme": part.settings.get("theme"),
    }


def page_theme(room_name: str, parts: dict[ThemePart, StoredPart]) -> dict[str, Any]:
    """What the room UI applies (`static/room/theme.js`)."""
    tokens = parts.get(ThemePart.TOKENS)
    return {
        "colors": dict(tokens.settings) if tokens else {},
        "logo": _image_url(room_name, parts.get(ThemePart.LOGO)),
        "roomBackground": _background(room_name, parts.get(ThemePart.ROOM_BACKGROUND)),
        "knockPageBackground": _background(room_name, parts.get(ThemePart.KNOCK_BACKGROUND)),
    }


async def theme_meta(themes: ThemeService, org_id: OrgId, room_name: str) -> str:
    parts = await themes.parts(org_id, room_name)
    content = html.escape(json.dumps(page_theme(room_name, parts), separators=(",", ":")))
    return f'<meta name="salon-theme" content="{content}">'


@router.get(THEME_PATH + "/{name}/{part}")
async def theme_image(name: str, part: str, request: Request) -> Response:
    themes = services_of(request).themes
    try:
        chosen = ThemePart(part)
    except ValueError:
        chosen = ThemePart.TOKENS
    if chosen not in IMAGE_PARTS:
        return Response(status_code=404)
    try:
        image = await themes.image(RoomName(f"/{name}"), chosen)
    except NotFound:
        return Response(status_code=404)
    return Response(image.data, media_type=image.media_type, headers=_IMAGE_HEADERS)
