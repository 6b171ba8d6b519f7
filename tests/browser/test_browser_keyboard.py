"""The room's keyboard turns the grid's pages: in a window too small for everyone's tile,
PageDown and `]` show the next page, PageUp and `[` the previous one; the page bar says which page
is on screen, and at either end, where nothing moves, the page's announcer says it. Inside the
side panel PageUp and PageDown are left to the panel (they scroll its log)."""

import re

from playwright.async_api import ViewportSize, expect

from browser.harness import Crowd, Meetings, Person, join

SMALL_WINDOW: ViewportSize = {"width": 400, "height": 300}
"""Small enough that the grid's page holds fewer tiles than a full normal room (4) has."""

PRESS_JS = """
(selector) => {
  const target = document.querySelector(selector);
  const event = new KeyboardEvent('keydown', { key: 'PageDown', bubbles: true, cancelable: true });
  target.dispatchEvent(event);
  return event.defaultPrevented;
}
"""
"""Whether the room took a PageDown pressed in the element (it then prevents the default)."""


async def page_count(person: Person) -> int:
    text = await person.testid("grid-page").text_content() or ""
    found = re.fullmatch(r"Page 1 of (\d+)", text)
    assert found, text
    return int(found.group(1))


async def test_page_keys_turn_the_grid_and_say_the_page(crowd: Crowd, meetings: Meetings) -> None:
    meeting = await meetings.create()
    host = await crowd.person("Hana")
    await host.page.set_viewport_size(SMALL_WINDOW)
    await join(host, meeting.host_room_url)
    for name in ("Gus", "Ines", "Vera"):
        await join(await crowd.person(name), meeting.room_url)
    await expect(host.testid("participant-count")).to_have_text("4/4")
    await expect(host.testid("grid-pages")).to_be_visible()
    await expect(host.testid("grid-page")).to_have_text(re.compile(r"^Page 1 of [2-4]$"))
    pages = await page_count(host)
    bar = host.testid("grid-page")
    announcer = host.page.locator("#salon-announcer")
    keys = host.page.keyboard

    await keys.press("PageDown")
    await expect(bar).to_have_text(f"Page 2 of {pages}")
    await keys.press("[")
    await expect(bar).to_have_text(f"Page 1 of {pages}")
    await expect(announcer).to_have_text("")
    await keys.press("PageUp")  # the first page already: nothing moves, the announcer says where
    await expect(announcer).to_have_text(f"Page 1 of {pages}")
    for page in range(2, pages + 1):
        await keys.press("]")
        await expect(bar).to_have_text(f"Page {page} of {pages}")
    await keys.press("PageDown")
    await expect(announcer).to_have_text(f"Page {pages} of {pages}")
    await expect(bar).to_have_text(f"Page {pages} of {pages}")

    await host.testid("toggle-chat").click()
    await expect(host.testid("chat-input")).to_be_focused()
    assert await host.page.evaluate(PRESS_JS, '[role="log"]') is False
    assert await host.page.evaluate(PRESS_JS, "salon-grid") is True
