"""The waiting room: a host locks the room, a visitor knocks, and the host admits, rejects or holds
the knock with a message; a knocker cancels.

Screenshot: knock.png (the knock page while the knock waits).
"""

from playwright.async_api import expect

from browser.harness import (
    Crowd,
    Meetings,
    Person,
    assert_mesh_flows,
    by_participant,
    join,
    notice,
    open_precall,
    precall_join,
    wait_in_room,
)


async def host_locks_a_room(crowd: Crowd, meetings: Meetings) -> tuple[Person, str]:
    """A host in a new room, locked with the lock button; the room's visitor URL."""
    meeting = await meetings.create()
    host = await crowd.person("Hana")
    await join(host, meeting.host_room_url)
    await host.testid("lock").click()
    await host.wait_until(
        "() => window.salonRoom.state().room.locked === true", what="the room locked"
    )
    await expect(host.testid("lock")).to_have_attribute("aria-pressed", "true")
    return host, meeting.room_url


async def knock(crowd: Crowd, url: str, name: str) -> Person:
    """A visitor at the locked room's door knocks; returns once the knock waits."""
    visitor = await crowd.person(name)
    await open_precall(visitor, url)
    await precall_join(visitor, name)
    await expect(visitor.testid("knock-page")).to_be_visible()
    assert visitor.frames_received("room-locked"), visitor.received
    await visitor.testid("knock-button").click()
    await expect(visitor.testid("knock-status")).to_have_attribute("data-status", "knocking")
    await visitor.wait_until(
        "() => window.salonRoom.state().knock.status === 'knocking'", what="knocking"
    )
    return visitor


def knocker_id(host: Person, name: str) -> str:
    """The id of a knocker, from the knock requests the host's page received."""
    ids = [
        f["knocker"]["id"]
        for f in host.frames_received("knock-request")
        if f["knocker"].get("displayName") == name
    ]
    assert len(ids) == 1, host.frames_received("knock-request")
    return str(ids[0])


async def wait_for_knock(host: Person, name: str) -> str:
    await host.wait_until(
        "(name) => window.salonRoom.state().knocks.some(k => k.displayName === name)",
        name,
        what=f"{name}'s knock",
    )
    knock_id = knocker_id(host, name)
    await expect(by_participant(host, "knock", knock_id)).to_be_visible()
    await expect(by_participant(host, "knock", knock_id)).to_contain_text(name)
    return knock_id


async def test_lock_knock_hold_with_a_message_then_admit(crowd: Crowd, meetings: Meetings) -> None:
    host, url = await host_locks_a_room(crowd, meetings)
    visitor = await knock(crowd, url, "Kim")
    await visitor.screenshot("knock.png")
    knock_id = await wait_for_knock(host, "Kim")

    entry = by_participant(host, "knock", knock_id)
    await entry.get_by_test_id("knock-hold-message").fill("One minute, please")
    await entry.get_by_test_id("knock-hold").click()
    await expect(visitor.testid("knock-status")).to_contain_text("One minute, please")
    await expect(visitor.testid("knock-status")).to_have_attribute("data-status", "held")
    await expect(visitor.testid("knock-page")).to_be_visible()

    await by_participant(host, "knock", knock_id).get_by_test_id("knock-admit").click()
    await wait_in_room(visitor)
    assert visitor.pid == knock_id
    assert (await visitor.state())["me"]["role"] == "granted_visitor"
    await expect(by_participant(host, "knock", knock_id)).to_have_count(0)
    await host.wait_for_participant(visitor.pid)
    await assert_mesh_flows([host, visitor])
    outcomes = [f["outcome"] for f in host.frames_received("knock-ended")]
    assert outcomes == ["admitted"], outcomes


async def test_a_rejected_knock_sees_the_rejection(crowd: Crowd, meetings: Meetings) -> None:
    host, url = await host_locks_a_room(crowd, meetings)
    visitor = await knock(crowd, url, "Rex")
    knock_id = await wait_for_knock(host, "Rex")

    await by_participant(host, "knock", knock_id).get_by_test_id("knock-reject").click()
    await expect(notice(visitor, "rejected")).to_be_visible()
    await visitor.wait_closed_with(4005)
    await expect(by_participant(host, "knock", knock_id)).to_have_count(0)
    assert visitor.frames_received("knock-rejected"), visitor.received
    assert not visitor.frames_received("joined"), "a rejected visitor got in"
    assert (await host.state())["participants"] == []


async def test_a_knocker_cancels(crowd: Crowd, meetings: Meetings) -> None:
    host, url = await host_locks_a_room(crowd, meetings)
    visitor = await knock(crowd, url, "Cleo")
    knock_id = await wait_for_knock(host, "Cleo")

    await visitor.testid("knock-cancel").click()
    await expect(by_participant(host, "knock", knock_id)).to_have_count(0)
    await host.wait_until(
        "() => window.salonRoom.state().knocks.length === 0", what="no knock left"
    )
    ended = [(f["knockerId"], f["outcome"]) for f in host.frames_received("knock-ended")]
    assert ended == [(knock_id, "cancelled")], ended
    assert visitor.frames_sent("cancel-knock"), visitor.sent
    assert not visitor.frames_received("joined"), "a cancelled knock got in"
