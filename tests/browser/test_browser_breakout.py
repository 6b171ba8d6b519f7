"""Breakout groups and the meeting clock, in the room UI.

A host with `?breakout&groups=Orange,Banana` places two of three participants in different
groups (one with the select, one by dragging) and starts the session: people in different groups
stop receiving each other's media (their peer connections are closed) and chat, people who share
a space still decode each other, the host visits a group, a broadcast reaches every group, and the
end brings everyone back, decoding each other again. The clock: `?timer` pages show the room's
clock once a host starts it from "…", and it runs.

Screenshot: breakout.png (the host's panel during a session).
"""

from playwright.async_api import expect

from browser.harness import (
    Crowd,
    Meetings,
    Person,
    assert_media_flows,
    assert_mesh_flows,
    by_participant,
    join,
)

ORANGE, BANANA = 0, 1


def with_params(url: str, query: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{query}"


KEEP_PEERS_JS = "() => { window.__peersBefore = new Map(window.salonRoom.peers); }"
"""Remember the page's peer connections, to check later that they were closed."""

CLOSED_JS = """
(id) => {
  const before = window.__peersBefore && window.__peersBefore.get(id);
  return !window.salonRoom.peers.has(id) && !!before && before.connectionState === 'closed';
}
"""

IN_GROUP_JS = """
([id, group]) => {
  const b = window.salonRoom.state().room.breakout;
  return !!b && (b.assignments[id] ?? null) === group;
}
"""


async def wait_closed_to(person: Person, other: Person) -> None:
    """The person's connection to `other` is closed and gone: no media can arrive from them."""
    await person.wait_until(CLOSED_JS, other.pid, what=f"connection to {other.name} closed")


async def wait_in_group(person: Person, who: Person, group: int | None) -> None:
    await person.wait_until(
        IN_GROUP_JS, [who.pid, group], what=f"{who.name} in group {group} as {person.name} sees it"
    )


async def send_chat(person: Person, text: str) -> None:
    if not await person.testid("chat-input").is_visible():
        await person.testid("toggle-chat").click()
    await person.testid("chat-input").fill(text)
    await person.testid("chat-send").click()


def chat_texts(person: Person) -> list[str]:
    return [str(frame.get("text")) for frame in person.frames_received("chat")]


async def wait_chat(person: Person, text: str, *, broadcast: bool = False) -> None:
    await person.wait_until(
        "([text, broadcast]) => window.salonRoom.state().chat"
        ".some(m => m.text === text && m.broadcast === broadcast)",
        [text, broadcast],
        what=f"chat {text!r} (broadcast {broadcast})",
    )


async def test_breakout_groups_split_media_and_chat_and_end_brings_everyone_back(
    crowd: Crowd, meetings: Meetings
) -> None:
    meeting = await meetings.create()
    host = await crowd.person("Hana")
    await join(host, with_params(meeting.host_room_url, "breakout&groups=Orange,Banana"))
    ana, ben, cai = [await crowd.person(name) for name in ("Ana", "Ben", "Cai")]
    for person in (ana, ben, cai):
        await join(person, meeting.room_url)
    everyone = [host, ana, ben, cai]
    await assert_media_flows(ana, ben)
    await assert_media_flows(host, cai)

    # The host plans: the URL's groups, Ana to Orange with the select, Ben dragged onto Banana.
    await host.testid("toggle-more").click()
    await host.testid("more-breakout").click()
    await expect(host.testid("breakout-panel")).to_be_visible()
    names = host.testid("breakout-group-name")
    await expect(names.nth(ORANGE)).to_have_value("Orange")
    await expect(names.nth(BANANA)).to_have_value("Banana")
    await (
        by_participant(host, "breakout-person", ana.pid)
        .get_by_test_id("breakout-assign")
        .select_option(str(ORANGE))
    )
    banana = host.page.locator(f'[data-testid="breakout-group"][data-group="{BANANA}"]')
    await by_participant(host, "breakout-person", ben.pid).drag_to(banana)
    await expect(by_participant(host, "breakout-person", ben.pid)).to_have_attribute(
        "data-group", str(BANANA)
    )
    assert not host.frames_sent("breakout-start"), "planning sends nothing"
    for person in everyone:
        await person.page.evaluate(KEEP_PEERS_JS)
    await host.testid("breakout-start").click()

    for person in everyone:
        await wait_in_group(person, ana, ORANGE)
        await wait_in_group(person, ben, BANANA)
    await expect(ana.testid("breakout-status")).to_have_attribute("data-group", str(ORANGE))
    await expect(ana.testid("breakout-status")).to_contain_text("Orange")
    await expect(cai.testid("breakout-status")).to_have_attribute("data-group", "")

    # Different groups: the connections between them are closed on both sides.
    for one, other in [(ana, ben), (ana, cai), (ana, host), (ben, cai), (ben, host)]:
        await wait_closed_to(one, other)
        await wait_closed_to(other, one)
    # The main room (host and Cai) still decodes on the connection it had.
    await assert_media_flows(host, cai)
    await assert_media_flows(cai, host)

    # The host visits Orange: host and Ana decode each other, the host leaves Cai.
    await host.testid("breakout-visit").nth(ORANGE).click()
    await wait_in_group(ana, host, ORANGE)
    await assert_media_flows(host, ana)
    await assert_media_flows(ana, host)
    await wait_closed_to(host, cai)
    await host.screenshot("breakout.png")

    # Chat stays in the group: Ana's line reaches the host, not Ben or Cai.
    await send_chat(ana, "only for Orange")
    await wait_chat(host, "only for Orange")
    await wait_chat(ana, "only for Orange")  # the server has sent it to all it goes to
    # A broadcast reaches every group; it comes after Ana's line in every queue.
    await host.testid("breakout-broadcast-input").fill("Five minutes left")
    await host.testid("breakout-broadcast-send").click()
    for person in everyone:
        await wait_chat(person, "Five minutes left", broadcast=True)
    for person in (ben, cai):
        assert "only for Orange" not in chat_texts(person), chat_texts(person)

    # The end: everyone is back in the main room and decodes everyone else again.
    await host.testid("breakout-end").click()
    for person in everyone:
        await person.wait_until(
            "() => window.salonRoom.state().room.breakout === null", what="the session over"
        )
    await expect(ana.testid("breakout-status")).to_be_hidden()
    await assert_mesh_flows(everyone)


TIMER_JS = """
([startedAt]) => {
  const clock = document.querySelector('[data-testid="meeting-timer"]');
  return !!clock && !clock.hidden && clock.dataset.running === 'true'
    && clock.dataset.startedAt === String(startedAt) && /^\\d+:\\d\\d$/.test(clock.textContent);
}
"""


async def clock_text(person: Person) -> str:
    text: str = await person.testid("meeting-timer").inner_text()
    return text


async def test_a_host_starts_the_meeting_clock_from_the_more_menu_and_it_runs(
    crowd: Crowd, meetings: Meetings
) -> None:
    meeting = await meetings.create()
    host = await crowd.person("Hana")
    await join(host, with_params(meeting.host_room_url, "timer"))
    guest, plain = await crowd.person("Gus"), await crowd.person("Pia")
    await join(guest, with_params(meeting.room_url, "timer"))
    await join(plain, meeting.room_url)
    # No room clock yet: a page without `timer` shows none; a visitor has no clock item.
    await expect(plain.testid("meeting-timer")).to_be_hidden()
    await guest.testid("toggle-more").click()
    await expect(guest.testid("more-timer")).to_have_count(0)
    await guest.page.keyboard.press("Escape")

    await host.testid("toggle-more").click()
    await host.testid("more-timer").click()
    await host.wait_until(
        "() => window.salonRoom.state().room.timerStartedAt !== null", what="the clock started"
    )
    started = (await host.state())["room"]["timerStartedAt"]
    for person in (host, guest, plain):
        await person.wait_until(TIMER_JS, [started], what="the room's clock shown")
    # It runs: its text changes.
    first = await clock_text(guest)
    await guest.wait_until(
        "(first) => document.querySelector('[data-testid=meeting-timer]').textContent !== first",
        first,
        what=f"the clock moves on from {first}",
    )

    # Stopped: the page without `timer` hides it again.
    await host.testid("toggle-more").click()
    await expect(host.testid("more-timer")).to_have_text("Stop meeting timer")
    await host.testid("more-timer").click()
    await expect(plain.testid("meeting-timer")).to_be_hidden()
    await host.wait_until(
        "() => window.salonRoom.state().room.timerStartedAt === null", what="the clock stopped"
    )
