"""The dashboard's Appearance page: an owner sets the organization's default room theme (colours,
logo, background presets), which rooms then show; members may not; forms need their CSRF token."""

import html
import io
import json
import re
from typing import Any

from PIL import Image

from dashboard_helpers import Person, signed_in
from helpers import Api
from salon.accounts.model import AccountRole

PAGE = "/dashboard/appearance"


def png(color: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 32), color).save(out, "PNG")
    return out.getvalue()


async def room_theme(api: Api) -> dict[str, Any]:
    created = await api.client.post(
        "/v1/meetings", json={"endDate": api.future()}, headers=api.auth
    )
    page = await api.client.get(created.json()["roomName"])
    found = re.search(r'<meta name="salon-theme" content="([^"]*)">', page.text)
    assert found
    theme: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return theme


async def upload(person: Person, part: str, data: bytes, csrf: str | None = None) -> Any:
    return await person.client.post(
        f"{PAGE}/image/{part}",
        data={"csrf": person.csrf if csrf is None else csrf},
        files={"image": ("x.png", data, "image/png")},
    )


async def test_an_owner_sets_the_default_colours_and_rooms_show_them(
    api: Api, people: list[Person]
) -> None:
    owner = await signed_in(api, people, "owner@example.com")
    shown = await owner.get(PAGE)
    assert shown.status_code == 200
    assert 'data-testid="appearance-primary"' in shown.text
    saved = await owner.post(
        f"{PAGE}/colors", primary="#AA0000", secondary="#00aa00", focus="#0000aa"
    )
    assert saved.status_code == 303
    assert (await room_theme(api))["colors"] == {
        "primary": "#aa0000",
        "secondary": "#00aa00",
        "focus": "#0000aa",
    }
    await owner.get(PAGE)
    bad = await owner.post(f"{PAGE}/colors", primary="red")
    assert bad.status_code == 400
    assert "colors.primary must be a colour written #RRGGBB" in html.unescape(bad.text)
    await owner.get(PAGE)
    assert (await owner.post(f"{PAGE}/reset/tokens")).status_code == 303
    assert (await room_theme(api))["colors"] == {}


async def test_an_owner_uploads_a_default_logo_and_a_background_preset(
    api: Api, people: list[Person]
) -> None:
    owner = await signed_in(api, people, "owner@example.com")
    await owner.get(PAGE)
    assert (await upload(owner, "logo", png((5, 6, 7)))).status_code == 303
    await owner.get(PAGE)
    preset = await owner.post(f"{PAGE}/preset/room-background", palette="purple", theme="rocks")
    assert preset.status_code == 303
    theme = await room_theme(api)
    assert (await api.client.get(theme["logo"])).content == png((5, 6, 7))
    assert theme["roomBackground"] == {"image": None, "palette": "purple", "theme": "rocks"}
    page = await owner.get(PAGE)
    assert "Set: an image (image/png)" in page.text
    refused = await upload(owner, "room-background", b"GIF89a not really")
    assert refused.status_code == 400
    assert "is not a PNG, JPEG, WebP or GIF image that can be decoded" in refused.text


async def test_an_upload_without_its_csrf_token_changes_nothing(
    api: Api, people: list[Person]
) -> None:
    owner = await signed_in(api, people, "owner@example.com")
    await owner.get(PAGE)
    refused = await upload(owner, "logo", png((1, 1, 1)), csrf="forged")
    assert refused.status_code == 403
    assert (await room_theme(api))["logo"] is None


async def test_members_may_not_change_the_appearance(api: Api, people: list[Person]) -> None:
    member = await signed_in(api, people, "member@example.com", AccountRole.MEMBER)
    assert (await member.get(PAGE)).status_code == 403
    response = await member.post(f"{PAGE}/colors", primary="#000000")
    assert response.status_code == 403
    assert (await room_theme(api))["colors"] == {}
