"""Appearance: the organization's default room theme (colours, logo, backgrounds). Every room
shows these unless the theme API (`/v1/rooms/{roomName}/theme/…`) set the room's own."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from salon.dashboard.html import Html, html, join
from salon.dashboard.layout import csrf_input, heading, notice, notice_of, page, section
from salon.dashboard.permissions import Area
from salon.dashboard.refusals import DashboardRoute
from salon.dashboard.web import (
    PREFIX,
    Viewer,
    dashboard_of,
    read_upload,
    redirect,
    require,
    signed_in_form,
)
from salon.errors import InvalidInput
from salon.meetings.model import format_date_time
from salon.themes.model import (
    BACKGROUND_THEMES,
    COLOR_NAMES,
    IMAGE_LIMIT_BYTES,
    ORG_DEFAULT,
    PALETTES,
    UPLOAD_BODY_LIMIT_BYTES,
    StoredPart,
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


def _reset_button(viewer: Viewer, part: ThemePart) -> Html:
    return html(
        """<form method="post" action="{here}/reset/{part}" class="inline-form">{csrf}
<button type="submit" data-testid="appearance-reset-{part}">Use Salon's own</button></form>""",
        here=HERE,
        part=part.value,
        csrf=csrf_input(viewer.csrf),
    )


def _state(stored: StoredPart | None) -> Html:
    if stored is None:
        return html('<p class="hint">Salon\'s own.</p>')
    if stored.image_type is not None:
        what = f"an image ({stored.image_type})"
    else:
        what = f"palette {stored.settings.get('palette')}, theme {stored.settings.get('theme')}"
    return html(
        '<p class="hint" data-testid="appearance-state">Set: {what}, {at}.</p>',
        what=what,
        at=format_date_time(stored.updated_ms),
    )


def _colors_form(viewer: Viewer, stored: StoredPart | None) -> Html:
    current = {**SALON_COLORS, **(stored.settings if stored else {})}
    inputs = [
        html(
            """<div class="field"><label for="c-{name}">{label}</label>
<input id="c-{name}" name="{name}" type="color" value="{value}" data-testid="appearance-{name}">
</div>""",
            name=name,
            label=name.capitalize(),
            value=current[name],
        )
        for name in COLOR_NAMES
    ]
    return html(
        """<p class="hint">Primary: buttons and accents. Secondary: soft accents. Focus: the
keyboard focus ring.</p>
<form method="post" action="{here}/colors" class="inline-form">{csrf}{inputs}
<button type="submit" class="primary" data-testid="appearance-save-colors">Save colours</button>
</form>{state}{reset}""",
        here=HERE,
        csrf=csrf_input(viewer.csrf),
        inputs=join(inputs),
        state=_state(stored),
        reset=_reset_button(viewer, ThemePart.TOKENS),
    )


def _options(values: tuple[str, ...]) -> Html:
    return join([html('<option value="{v}">{v}</option>', v=value) for value in values])


def _image_form(viewer: Viewer, part: ThemePart, stored: StoredPart | None) -> Html:
    presets = (
        Html("")
        if part is ThemePart.LOGO
        else html(
            """<form method="post" action="{here}/preset/{part}" class="inline-form">{csrf}
<div class="field"><label for="p-{part}">Palette</label>
<select id="p-{part}" name="palette">{palettes}</select></div>
<div class="field"><label for="t-{part}">Theme</label>
<select id="t-{part}" name="theme">{themes}</select></div>
<button type="submit">Use this preset</button></form>""",
            here=HERE,
            part=part.value,
            csrf=csrf_input(viewer.csrf),
            palettes=_options(PALETTES),
            themes=_options(BACKGROUND_THEMES),
        )
    )
    return html(
        """<form method="post" action="{here}/image/{part}" enctype="multipart/form-data"
  class="inline-form">{csrf}
<div class="field"><label for="i-{part}">Image (PNG, JPEG, WebP or GIF; at most {limit} kB)</label>
<input id="i-{part}" name="image" type="file" accept="image/png,image/jpeg,image/webp,image/gif"
  data-testid="appearance-image-{part}" required></div>
<button type="submit" class="primary" data-testid="appearance-upload-{part}">Upload</button>
</form>{presets}{state}{reset}""",
        here=HERE,
        part=part.value,
        csrf=csrf_input(viewer.csrf),
        limit=str(IMAGE_LIMIT_BYTES[part] // 1000),
        presets=presets,
        state=_state(stored),
        reset=_reset_button(viewer, part),
    )


async def _page(
    request: Request, viewer: Viewer, *, error: str | None = None, status_code: int = 200
) -> Response:
    stored = await dashboard_of(request).themes.parts(viewer.org.org_id, ORG_DEFAULT)
    sections = [section("Colours", _colors_form(viewer, stored.get(ThemePart.TOKENS)))]
    sections += [
        section(PART_TITLES[part], _image_form(viewer, part, stored.get(part)))
        for part in PART_TITLES
    ]
    content = join(
        [
            heading(
                "Appearance",
                "Your rooms' colours, logo and backgrounds. A room's own theme, set through the "
                "API, takes precedence; URL parameters such as logo=off still apply.",
            ),
            notice(error, "error")
            if error
            else notice_of(request.query_params.get("notice"), NOTICES),
            *sections,
        ]
    )
    return page("Appearance", content, viewer=viewer, area=Area.APPEARANCE, status_code=status_code)


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
        await dashboard_of(request).themes.set_colors(viewer.org.org_id, None, colors)
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
        await dashboard_of(request).themes.set_image(
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
        await dashboard_of(request).themes.set_preset(
            viewer.org.org_id, None, chosen, form.get("palette") or None, form.get("theme") or None
        )
    except InvalidInput as invalid:
        return await _page(request, viewer, error=invalid.message, status_code=400)
    return redirect(HERE, notice="saved")


@router.post("/appearance/reset/{part}")
async def reset_part(part: str, request: Request) -> Response:
    viewer, _ = await signed_in_form(request, Area.APPEARANCE)
    await dashboard_of(request).themes.reset(viewer.org.org_id, None, _part(part))
    return redirect(HERE, notice="reset")
