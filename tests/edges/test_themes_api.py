"""`PUT /v1/rooms/{roomName}/theme/…` (Whereby's theme API) and what a room page then gets:
colours, logo and backgrounds, per room over the organization's defaults, on SQLite and
PostgreSQL. Images are made here with Pillow; a file is accepted only if it decodes."""

import html
import io
import json
import random
import re
from typing import Any

import httpx
import pytest
from PIL import Image

from helpers import Api
from salon.ids import RoomName
from salon.themes.model import ORG_DEFAULT, ThemePart

FAR_END = "2099-08-11T12:56:01.000Z"
WRONG_TYPE = "Content-Type must be multipart/form-data or application/json"
IMAGE_PARTS = ["logo", "room-background", "room-knock-page-background"]


def png(width: int = 40, height: int = 20, color: tuple[int, int, int] = (200, 30, 60)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def noise_png(side: int) -> bytes:
    """A PNG that hardly compresses: about 3 bytes a pixel."""
    rng = random.Random(side)
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3)).save(out, "PNG")
    return out.getvalue()


async def new_room(api: Api) -> str:
    response = await api.client.post("/v1/meetings", json={"endDate": FAR_END}, headers=api.auth)
    assert response.status_code == 201
    name: str = response.json()["roomName"]
    return name


async def put_json(api: Api, room: str, part: str, body: Any) -> httpx.Response:
    return await api.client.put(f"/v1/rooms{room}/theme/{part}", json=body, headers=api.auth)


async def put_image(
    api: Api, room: str, part: str, data: bytes, name: str = "a.png"
) -> httpx.Response:
    files = {"image": (name, data, "image/png")}
    return await api.client.put(f"/v1/rooms{room}/theme/{part}", files=files, headers=api.auth)


async def page_theme(api: Api, room: str) -> dict[str, Any]:
    page = await api.client.get(room)
    assert page.status_code == 200
    found = re.search(r'<meta name="salon-theme" content="([^"]*)">', page.text)
    assert found, "the room page carries its theme"
    theme: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return theme


def assert_invalid(response: httpx.Response, message: str) -> None:
    assert response.status_code == 400, response.text
    assert response.json() == {"error": message, "code": "invalid_input"}


async def test_a_room_without_a_theme_shows_salons_own(api: Api) -> None:
    room = await new_room(api)
    assert await page_theme(api, room) == {
        "colors": {},
        "logo": None,
        "roomBackground": None,
        "knockPageBackground": None,
    }


async def test_custom_colours_reach_the_room_page_and_default_takes_them_back(api: Api) -> None:
    room = await new_room(api)
    body = {
        "tokens": {"colors": {"primary": "#FF0066", "secondary": "#00aa88", "focus": "#123456"}},
        "tokensPreset": "custom",
    }
    assert (await put_json(api, room, "tokens", body)).status_code == 204
    colors = (await page_theme(api, room))["colors"]
    assert colors == {"primary": "#ff0066", "secondary": "#00aa88", "focus": "#123456"}
    again = await put_json(api, room, "tokens", {"tokensPreset": "default"})
    assert again.status_code == 204
    assert (await page_theme(api, room))["colors"] == {}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"tokens": {"colors": {"primary": "red"}}, "tokensPreset": "custom"},
            "tokens.colors.primary must match ^#[a-fA-F0-9]{6}$",
        ),
        (
            {"tokens": {"colors": {"focus": "#12345"}}, "tokensPreset": "custom"},
            "tokens.colors.focus must match ^#[a-fA-F0-9]{6}$",
        ),
        ({"tokensPreset": "custom"}, "tokens.colors is required with tokensPreset custom"),
        ({"tokensPreset": "mine"}, "tokensPreset must be one of 'custom' or 'default'"),
    ],
)
async def test_bad_tokens_are_refused_and_change_nothing(
    api: Api, body: dict[str, Any], message: str
) -> None:
    room = await new_room(api)
    assert_invalid(await put_json(api, room, "tokens", body), message)
    assert (await page_theme(api, room))["colors"] == {}


@pytest.mark.parametrize("part", IMAGE_PARTS)
async def test_an_uploaded_image_is_served_to_the_room(api: Api, part: str) -> None:
    room = await new_room(api)
    image = png()
    assert (await put_image(api, room, part, image)).status_code == 204
    theme = await page_theme(api, room)
    url = theme["logo"] if part == "logo" else theme[_key(part)]["image"]
    assert url.startswith(f"/_salon/theme{room}/{part}?v=")
    served = await api.client.get(url)
    assert served.status_code == 200
    assert served.content == image
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"


def _key(part: str) -> str:
    return "roomBackground" if part == "room-background" else "knockPageBackground"


async def test_the_logo_json_form_resets_it(api: Api) -> None:
    room = await new_room(api)
    await put_image(api, room, "logo", png())
    assert (await put_json(api, room, "logo", {"theme": "default"})).status_code == 204
    assert (await page_theme(api, room))["logo"] is None
    assert (await api.client.get(f"/_salon/theme{room}/logo")).status_code == 404
    assert_invalid(
        await put_json(api, room, "logo", {"theme": "rocks"}), "theme must be one of 'default'"
    )


@pytest.mark.parametrize("part", ["room-background", "room-knock-page-background"])
async def test_a_background_preset_replaces_its_image(api: Api, part: str) -> None:
    room = await new_room(api)
    await put_image(api, room, part, png())
    response = await put_json(api, room, part, {"palette": "burgund", "theme": "mountains"})
    assert response.status_code == 204
    assert (await page_theme(api, room))[_key(part)] == {
        "image": None,
        "palette": "burgund",
        "theme": "mountains",
    }
    assert_invalid(
        await put_json(api, room, part, {"palette": "red"}),
        "palette must be one of 'default', 'grey', 'purple' or 'burgund'",
    )


@pytest.mark.parametrize("part", ["tokens", *IMAGE_PARTS])
async def test_another_content_type_is_refused(api: Api, part: str) -> None:
    room = await new_room(api)
    for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
        headers = {**api.auth, **({"Content-Type": content_type} if content_type else {})}
        response = await api.client.put(
            f"/v1/rooms{room}/theme/{part}", content=b"theme=default", headers=headers
        )
        assert_invalid(response, WRONG_TYPE)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "image is empty"),
        (b"not an image at all", "image is not a PNG, JPEG, WebP or GIF image that can be decoded"),
        (png()[:60], "image is not a PNG, JPEG, WebP or GIF image that can be decoded"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>",
         "image is not a PNG, JPEG, WebP or GIF image that can be decoded"),
    ],
    ids=["empty", "text", "truncated-png", "svg"],
)  # fmt: skip
async def test_a_file_that_does_not_decode_is_refused_whatever_its_name(
    api: Api, data: bytes, message: str
) -> None:
    room = await new_room(api)
    assert_invalid(await put_image(api, room, "logo", data, name="logo.png"), message)
    assert (await page_theme(api, room))["logo"] is None


async def test_a_bmp_decodes_but_is_not_a_format_rooms_show(api: Api) -> None:
    room = await new_room(api)
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "BMP")
    response = await put_image(api, room, "logo", out.getvalue())
    assert_invalid(response, "image must be a PNG, JPEG, WebP or GIF file")


async def test_size_limits_are_600_kb_for_backgrounds_and_1_mb_for_logos(api: Api) -> None:
    room = await new_room(api)
    mid = noise_png(480)  # about 690 kB
    assert 600_000 < len(mid) < 1_000_000
    assert_invalid(
        await put_image(api, room, "room-background", mid), "image is larger than 600 kB"
    )
    assert_invalid(
        await put_image(api, room, "room-knock-page-background", mid), "image is larger than 600 kB"
    )
    assert (await put_image(api, room, "logo", mid)).status_code == 204
    big = noise_png(600)  # about 1.08 MB
    assert 1_000_000 < len(big) < 4_000_000
    assert_invalid(await put_image(api, room, "logo", big), "image is larger than 1000 kB")


async def test_a_multipart_body_without_an_image_field_is_refused(api: Api) -> None:
    room = await new_room(api)
    response = await api.client.put(
        f"/v1/rooms{room}/theme/logo", files={"file": ("a.png", png())}, headers=api.auth
    )
    assert_invalid(response, "image: send the image file in the multipart field `image`")


async def test_another_organizations_room_and_an_unknown_room_are_404(api: Api) -> None:
    services = api.app.state.services
    other = await services.orgs.create("acme")
    _, key = await services.keys.create(other.org_id, "acme")
    room = await new_room(api)
    for path in (f"/v1/rooms{room}/theme/tokens", "/v1/rooms/no-such-room/theme/tokens"):
        response = await api.client.put(
            path,
            json={"tokensPreset": "custom", "tokens": {"colors": {"primary": "#000000"}}},
            headers={"Authorization": f"Bearer {key}"},
        )
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert (await page_theme(api, room))["colors"] == {}


@pytest.mark.parametrize("form", ["{bare}", "/{bare}", "%2F{bare}"])
async def test_the_room_name_with_or_without_its_slash(api: Api, form: str) -> None:
    room = await new_room(api)
    path = "/v1/rooms/" + form.format(bare=room.lstrip("/")) + "/theme/tokens"
    body = {"tokensPreset": "custom", "tokens": {"colors": {"primary": "#010203"}}}
    response = await api.client.put(path, json=body, headers=api.auth)
    assert response.status_code == 204, response.text
    assert (await page_theme(api, room))["colors"] == {"primary": "#010203"}


async def test_without_a_key_it_is_401(api: Api) -> None:
    room = await new_room(api)
    response = await api.client.put(f"/v1/rooms{room}/theme/tokens", json={})
    assert response.status_code == 401


async def test_the_organizations_defaults_apply_until_the_room_overrides_them(api: Api) -> None:
    themes = api.app.state.services.themes
    await themes.set_colors(api.org_id, None, {"primary": "#111111", "focus": "#222222"})
    await themes.set_image(api.org_id, None, ThemePart.LOGO, png(color=(1, 2, 3)))
    room = await new_room(api)
    theme = await page_theme(api, room)
    assert theme["colors"] == {"primary": "#111111", "focus": "#222222"}
    org_logo = await api.client.get(theme["logo"])
    assert org_logo.content == png(color=(1, 2, 3))
    body = {"tokensPreset": "custom", "tokens": {"colors": {"primary": "#333333"}}}
    await put_json(api, room, "tokens", body)
    await put_image(api, room, "logo", png(color=(9, 9, 9)))
    theme = await page_theme(api, room)
    assert theme["colors"] == {"primary": "#333333", "focus": "#222222"}
    assert (await api.client.get(theme["logo"])).content == png(color=(9, 9, 9))
    defaults = await themes.parts(api.org_id, ORG_DEFAULT)
    assert defaults[ThemePart.TOKENS].settings == {"primary": "#111111", "focus": "#222222"}
    other_room = await new_room(api)
    assert (await page_theme(api, other_room))["colors"]["primary"] == "#111111"
    assert await themes.room_theme(RoomName(other_room))


async def test_a_body_over_the_upload_limit_is_413(api: Api) -> None:
    room = await new_room(api)
    response = await put_image(api, room, "logo", b"\0" * 4_100_000)
    assert response.status_code == 413
