"""A themed room in Chromium: the theme API's colours as the UI's design tokens (computed styles of
the buttons and the focus ring), the logo in the header (loaded; hidden by `?logo=off`), the room
background behind the video grid and the knock-page background behind the pre-call and knock
screens (computed style, and the image fetched and decoded by the page).

Screenshots: docs/screenshots/theme-room.png and theme-knock.png (README, "Room theme")."""

import io
import math

import httpx
from PIL import Image, ImageDraw

from browser.harness import (
    Crowd,
    Meetings,
    Person,
    open_precall,
    precall_join,
    wait_in_room,
)

PRIMARY, SECONDARY, FOCUS = "#d6336c", "#63e6be", "#fab005"
PRIMARY_RGB = "rgb(214, 51, 108)"
FOCUS_RGB = "rgb(250, 176, 5)"


def logo_png() -> bytes:
    image = Image.new("RGBA", (400, 100), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 10, 90, 90), radius=18, fill=(214, 51, 108, 255))
    draw.ellipse((25, 35, 65, 75), fill=(255, 255, 255, 255))
    draw.text((105, 20), "ACME", fill=(255, 255, 255, 255), font_size=60)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def gradient_png(top: tuple[int, int, int], bottom: tuple[int, int, int]) -> bytes:
    width, height = 1400, 800
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        mix = y / (height - 1)
        wave = 0.08 * math.sin(y / 60)
        color = tuple(
            max(0, min(255, int(a + (b - a) * mix + 255 * wave * 0.2)))
            for a, b in zip(top, bottom, strict=True)
        )
        draw.line((0, y, width, y), fill=color)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


async def theme_room(meetings: Meetings, room_name: str) -> None:
    """Set every part of the room's theme through `/v1`, as an embedding app would."""
    base = f"/v1/rooms{room_name}/theme"
    room = gradient_png((24, 33, 66), (58, 20, 52))
    knock = gradient_png((10, 60, 70), (16, 24, 40))
    async with httpx.AsyncClient(base_url=meetings.base_url, timeout=10) as client:
        colors = {"primary": PRIMARY, "secondary": SECONDARY, "focus": FOCUS}
        answers = [
            await client.put(
                f"{base}/tokens",
                json={"tokens": {"colors": colors}, "tokensPreset": "custom"},
                headers=meetings.headers,
            ),
            await client.put(
                f"{base}/logo",
                files={"image": ("logo.png", logo_png(), "image/png")},
                headers=meetings.headers,
            ),
            await client.put(
                f"{base}/room-background",
                files={"image": ("room.png", room, "image/png")},
                headers=meetings.headers,
            ),
            await client.put(
                f"{base}/room-knock-page-background",
                files={"image": ("knock.png", knock, "image/png")},
                headers=meetings.headers,
            ),
        ]
    assert [answer.status_code for answer in answers] == [204] * 4, [a.text for a in answers]


async def background_of(person: Person, selector: str) -> str:
    value: str = await person.page.evaluate(
        "(s) => getComputedStyle(document.querySelector(s)).backgroundImage", selector
    )
    return value


async def wait_image_decoded(person: Person, part: str) -> None:
    """The page fetched the theme's image (resource timing) and it decodes in this page."""
    await person.wait_until(
        """async (part) => {
          const entry = performance.getEntriesByType('resource')
            .find(e => e.name.includes('/_salon/theme/') && e.name.includes('/' + part + '?'));
          if (!entry || !entry.responseEnd) return false;
          const img = new Image();
          img.src = entry.name;
          try { await img.decode(); } catch { return false; }
          return img.naturalWidth > 0;
        }""",
        part,
        what=f"the theme's {part} image loaded",
    )


async def test_a_themed_room_and_its_knock_page(crowd: Crowd, meetings: Meetings) -> None:
    meeting = await meetings.create(locked=True)
    await theme_room(meetings, meeting.room_name)

    host = await crowd.person("Host")
    await open_precall(host, meeting.host_room_url)
    join_button = host.testid("precall-join")
    assert await join_button.evaluate("b => getComputedStyle(b).backgroundColor") == PRIMARY_RGB
    assert "/room-knock-page-background?" in await background_of(host, "salon-precall")
    await wait_image_decoded(host, "room-knock-page-background")
    await precall_join(host, "Dr. Rivera")
    await wait_in_room(host)

    logo = host.testid("room-logo")
    await host.wait_until(
        "() => { const i = document.querySelector('[data-testid=room-logo]');"
        " return !!i && i.complete && i.naturalWidth === 400 && i.offsetWidth > 0; }",
        what="the logo loaded and shown in the header",
    )
    assert await logo.get_attribute("src") is not None
    assert "/room-background?" in await background_of(host, ".room-body")
    await wait_image_decoded(host, "room-background")
    tokens = await host.page.evaluate(
        "() => { const s = getComputedStyle(document.documentElement);"
        " return ['--salon-accent', '--salon-accent-soft', '--salon-focus']"
        ".map(n => s.getPropertyValue(n).trim()); }"
    )
    assert tokens == [PRIMARY, SECONDARY, FOCUS]
    # The focus ring: a keyboard focus on a toolbar button is drawn in the focus colour.
    await host.page.keyboard.press("Tab")
    await host.wait_until(
        "() => document.activeElement && document.activeElement.matches(':focus-visible')",
        what="a keyboard focus",
    )
    ring = await host.page.evaluate("() => getComputedStyle(document.activeElement).outlineColor")
    assert ring == FOCUS_RGB
    await host.page.evaluate("() => document.activeElement.blur()")
    await host.screenshot("theme-room.png")

    visitor = await crowd.person("Visitor")
    await open_precall(visitor, meeting.room_url)
    await precall_join(visitor, "Sam")
    knock = visitor.testid("knock-button")
    await knock.wait_for(state="visible")
    assert await knock.evaluate("b => getComputedStyle(b).backgroundColor") == PRIMARY_RGB
    assert "/room-knock-page-background?" in await background_of(visitor, "salon-knock")
    await wait_image_decoded(visitor, "room-knock-page-background")
    await visitor.screenshot("theme-knock.png")


async def test_logo_off_hides_the_themes_logo(crowd: Crowd, meetings: Meetings) -> None:
    meeting = await meetings.create()
    await theme_room(meetings, meeting.room_name)
    host = await crowd.person("Host")
    await open_precall(host, meeting.host_room_url + "&logo=off")
    await precall_join(host, "Host")
    await wait_in_room(host)
    hidden = await host.page.evaluate(
        "() => { const i = document.querySelector('[data-testid=room-logo]');"
        " return !!i && i.offsetWidth === 0 && i.closest('[hidden]') !== null; }"
    )
    assert hidden, "?logo=off hides the theme's logo with the header's brand"
