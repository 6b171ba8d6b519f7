"""Appearance: the organization's default room theme (colours, logo, backgrounds). Every room
shows these unless the theme API (`/v1/rooms/{roomName}/theme/…`) set the room's own."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from salon.dashboard.permissions import Area
from salon.dashboard.refusals import DashboardRoute
from salon.dashboard.render import flash, page
from salon.dashboard.web import (
    PREFIX,
    Viewer,
    read_upload,
    redirect,
    require,
    signed_in_form,
)
from salon.errors import InvalidInput
from salon.services import services_of
from salon.themes.model import (
    BACKGROUND_THEMES,
    COLOR_NAMES,
    IMAGE_LIMIT_BYTES,
    ORG_DEFAULT,
    PALETTES,
    UPLOAD_BODY_LIMIT_BYTES,
    ThemePart,
)

router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=DashboardRoute)
HERE = f"{PREFIX}/appearance"
NOTICES = {"saved": "Saved. Rooms show it from their next load.", "reset": "Back to Salon's own."}
SALON_COLORS = {"primary": "#2563eb", "secondary": "#93b4ff", "focus": "#ffd166"}
"""Salon's own design tokens (static/room/room.css), shown when nothing is set."""
PART_TITLES = {
    ThemePart.LOGO: "Logo",
    ThemePart.ROOM_BACKGROUND: "Room background",
    ThemePart.KNOCK_BACKGROUND: "Knock and pre-call page background",
}


async def _page(
    request: Request, viewer: Viewer, *, error: str | None = None, status_code: int = 200
) -> Response:
    stored = await services_of(request).themes.parts(viewer.org.org_id, ORG_DEFAULT)
    tokens = stored.get(ThemePart.TOKENS)
    return page(
        request,
        "appearance.html",
        viewer=viewer,
        area=Area.APPEARANCE,
        status_code=status_code,
        here=HERE,
        error=error,
        flash=flash(request, NOTICES),
        color_names=COLOR_NAMES,
        colors={**SALON_COLORS, **(tokens.settings if tokens else {})},
        tokens=tokens,
        tokens_part=ThemePart.TOKENS,
        stored=stored,
        parts=PART_TITLES,
        backgrounds=(ThemePart.ROOM_BACKGROUND, ThemePart.KNOCK_BACKGROUND),
        limits=IMAGE_LIMIT_BYTES,
        palettes=PALETTES,
        themes=BACKGROUND_THEMES,
    )


def _part(raw: str) -> ThemePart:
    try:
        return ThemePart(raw)
    except ValueError:
        return ThemePart.TOKENS


@router.get("/appearance")
async def appearance_page(request: Request) -> Response:
    return await _page(request, await require(request, Area.APPEARANCE))


@router.post("/appearance/colors")
async def save_colors(request: Request) -> Response:
    viewer, form = await signed_in_form(request, Area.APPEARANCE)
    colors = {name: form.get(name) for name in COLOR_NAMES if form.get(name)}
    try:
        await services_of(request).themes.set_colors(viewer.org.org_id, None, colors)
    except InvalidInput as invalid:
        return await _page(request, viewer, error=invalid.message, status_code=400)
    return redirect(HERE, notice="saved")


@router.post("/appearance/image/{part}")
async def upload_image(part: str, request: Request) -> Response:
    viewer = await require(request, Area.APPEARANCE)
    upload = await read_upload(request, viewer.session_token, UPLOAD_BODY_LIMIT_BYTES)
    chosen = _part(part)
    if chosen is ThemePart.TOKENS:
        return await _page(request, viewer, error="no such image", status_code=404)
    try:
        await services_of(request).themes.set_image(
            viewer.org.org_id, None, chosen, upload.file or b""
        )
    except InvalidInput as invalid:
        return await _page(request, viewer, error=invalid.message, status_code=400)
    return redirect(HERE, notice="saved")


@router.post("/appearance/preset/{part}")
async def save_preset(part: str, request: Request) -> Response:
    viewer, form = await signed_in_form(request, Area.APPEARANCE)
    chosen = _part(part)
    try:
        if chosen not in (ThemePart.ROOM_BACKGROUND, ThemePart.KNOCK_BACKGROUND):
            raise InvalidInput("presets are for backgrounds")
        await services_of(request).themes.set_preset(
            viewer.org.org_id, None, chosen, form.get("palette") or None, form.get("theme") or None
        )
    except InvalidInput as invalid:
        return await _page(request, viewer, error=invalid.message, status_code=400)
    return redirect(HERE, notice="saved")


@router.post("/appearance/reset/{part}")
async def reset_part(part: str, request: Request) -> Response:
    viewer, _ = await signed_in_form(request, Area.APPEARANCE)
    await services_of(request).themes.reset(viewer.org.org_id, None, _part(part))
    return redirect(HERE, notice="reset")
