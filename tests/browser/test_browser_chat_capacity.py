"""Chat arrives with its sender's name, a hostile display name stays text, and a normal room
refuses its fifth participant."""

import asyncio

from playwright.async_api import expect

from browser.harness import (
    Crowd,
    Meetings,
    Person,
    by_participant,
    join,
    notice,
    open_precall,
    precall_join,
    tile,
)

HOSTILE = "<img src=x onerror=alert(1)>"
INJECTED_JS = """
() => document.querySelectorAll('img[src="x"], img[onerror], [onerror]').length
"""


async def send_chat(person: Person, text: str) -> None:
    if not await person.testid("chat-input").is_visible():
        await person.testid("toggle-chat").click()
    await person.testid("chat-input").fill(text)
    await person.testid("chat-send").click()


async def open_chat(person: Person) -> None:
    if not await person.testid("chat-input").is_visible():
        await person.testid("toggle-chat").click()
    await expect(person.testid("chat-input")).to_be_visible()


async def test_chat_arrives_with_the_senders_name_and_a_hostile_name_stays_text(
    crowd: Crowd, meetings: Meetings
) -> None:
    meeting = await meetings.create()
    host = await crowd.person("Hana")
    await join(host, meeting.host_room_url)
    mallory = await crowd.person("mallory")
    await join(mallory, meeting.room_url, HOSTILE)

    await host.wait_for_participant(mallory.pid, f"p.displayName === {HOSTILE!r}")
    await open_chat(host)
    await send_chat(mallory, "hello from the other side")
    line = host.testid("chat-message").filter(has_text="hello from the other side")
    await expect(line).to_have_count(1)
    await expect(line).to_contain_text(HOSTILE)

    await send_chat(host, "welcome")
    await open_chat(mallory)
    reply = mallory.testid("chat-message").filter(has_text="welcome")
    await expect(reply).to_have_count(1)
    await expect(reply).to_contain_text("Hana")

    # The name is shown as text wherever it appears, and nothing ran.
    await expect(tile(host, mallory.pid)).to_contain_text(HOSTILE)
    await host.testid("toggle-people").click()
    await expect(by_participant(host, "person", mallory.pid)).to_contain_text(HOSTILE)
    for person in (host, mallory):
        assert await person.page.evaluate(INJECTED_JS) == 0, f"{person.name}: markup injected"
        assert person.dialogs == [], f"{person.name}: a dialog fired: {person.dialogs}"
    # The chat frame carried the sender's name and the text, as sent.
    chat = [f for f in host.frames_received("chat") if f.get("text") == "hello from the other side"]
    assert len(chat) == 1, chat
    assert chat[0]["displayName"] == HOSTILE
    assert chat[0]["from"] == mallory.pid


async def test_a_normal_room_refuses_its_fifth_participant(
    crowd: Crowd, meetings: Meetings
) -> None:
    meeting = await meetings.create()
    host = await crowd.person("Hana")
    await join(host, meeting.host_room_url)
    guests = [await crowd.person(name) for name in ("Gus", "Vera", "Ines")]
    await asyncio.gather(*(join(guest, meeting.room_url) for guest in guests))
    inside = [host, *guests]
    for person in inside:
        await expect(person.testid("participant-count")).to_have_text("4/4")

    fifth = await crowd.person("Fifi")
    await open_precall(fifth, meeting.room_url)
    await precall_join(fifth, "Fifi")
    await expect(notice(fifth, "full")).to_be_visible()
    await fifth.wait_closed_with(4004)
    full = fifth.frames_received("room-full")
    assert [f.get("capacity") for f in full] == [4], fifth.received
    assert not fifth.frames_received("joined"), "the fifth participant was let in"

    # Nobody inside saw the fifth arrive, and the four are still there.
    for person in inside:
        state = await person.state()
        names = sorted(p["displayName"] for p in state["participants"])
        assert "Fifi" not in names, (person.name, names)
        assert len(state["participants"]) == 3, (person.name, names)
        await expect(person.testid("participant-count")).to_have_text("4/4")
        await expect(notice(person, "full")).to_have_count(0)
