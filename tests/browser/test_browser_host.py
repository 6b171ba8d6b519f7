"""What only a host may do: mute, turn a camera off, spotlight and remove, from the people panel;
and a visitor who sends host commands over a raw WebSocket is refused.

Screenshot: people-panel-host.png.
"""

from typing import Any

from playwright.async_api import expect

from browser.harness import (
    Crowd,
    Meetings,
    Person,
    RawClient,
    assert_mesh_flows,
    by_participant,
    join,
    notice,
    tile,
    wait_sending,
)

SPOTLIGHT_JS = """
(id) => {
  const tile = document.querySelector(
    `[data-testid="tile"][data-participant-id="${id}"][data-kind="camera"]`);
  const badge = tile && tile.querySelector('[data-part="spotlight"]');
  return !!tile && tile.classList.contains('is-spotlight') && !!badge && !badge.hidden;
}
"""
NOT_SPOTLIT_JS = """
(id) => [...document.querySelectorAll('[data-testid="tile"].is-spotlight')]
  .every(tile => tile.dataset.participantId === id)
"""


async def person_button(host: Person, participant_id: str, testid: str) -> None:
    await by_participant(host, "person", participant_id).get_by_test_id(testid).click()


async def test_host_mutes_turns_a_camera_off_spotlights_and_removes(
    crowd: Crowd, meetings: Meetings
) -> None:
    meeting = await meetings.create()
    host = await crowd.person("Hana")
    await join(host, meeting.host_room_url)
    gus, vera = await crowd.person("Gus"), await crowd.person("Vera")
    await join(gus, meeting.room_url)
    await join(vera, meeting.room_url)
    people = [host, gus, vera]
    await assert_mesh_flows(people)

    await host.testid("toggle-people").click()
    for person in people:
        await expect(by_participant(host, "person", person.pid)).to_be_visible()
    await expect(by_participant(host, "person", gus.pid)).to_contain_text("Gus")
    await host.screenshot("people-panel-host.png")
    # A visitor has no host buttons.
    await gus.testid("toggle-people").click()
    await expect(by_participant(gus, "person", vera.pid)).to_be_visible()
    for testid in ("person-mute", "person-camera-off", "person-remove", "person-spotlight"):
        await expect(gus.page.get_by_test_id(testid)).to_have_count(0)

    # Mute: Gus's microphone stops going out, and everyone sees it off.
    await wait_sending(gus, "audio", on=True)
    await person_button(host, gus.pid, "person-mute")
    await wait_sending(gus, "audio", on=False)
    assert gus.frames_received("muted"), gus.received
    for other in (host, vera):
        await other.wait_for_participant(gus.pid, "p.audio === false")
        await expect(tile(other, gus.pid)).to_have_attribute("data-audio", "off")
    await gus.wait_until("() => window.salonRoom.state().me.audio === false", what="me muted")
    await expect(gus.testid("toggle-mic")).to_have_attribute("aria-pressed", "false")
    await wait_sending(gus, "video", on=True)

    # Camera off: Gus's camera stops going out, his microphone stays off.
    await person_button(host, gus.pid, "person-camera-off")
    await wait_sending(gus, "video", on=False)
    assert gus.frames_received("camera-turned-off"), gus.received
    for other in (host, vera):
        await other.wait_for_participant(gus.pid, "p.video === false")
        await expect(tile(other, gus.pid)).to_have_attribute("data-video", "off")
    await gus.wait_until("() => window.salonRoom.state().me.video === false", what="camera off")
    await expect(gus.testid("toggle-camera")).to_have_attribute("aria-pressed", "false")
    await wait_sending(gus, "audio", on=False)

    # Spotlight: Vera's tile is marked for everyone.
    await person_button(host, vera.pid, "person-spotlight")
    for person in people:
        await person.wait_until(
            "(id) => window.salonRoom.state().room.spotlight === id", vera.pid, what="spotlight"
        )
        await person.wait_until(SPOTLIGHT_JS, vera.pid, what="Vera's tile marked as spotlit")
        await person.wait_until(NOT_SPOTLIT_JS, vera.pid, what="no other tile spotlit")
    person_spotlight = by_participant(host, "person", vera.pid).get_by_test_id("person-spotlight")
    await expect(person_spotlight).to_have_attribute("aria-pressed", "true")

    # Remove: Gus is out, with the removed notice, and gone for the others.
    await person_button(host, gus.pid, "person-remove")
    await expect(notice(gus, "removed")).to_be_visible()
    await gus.wait_closed_with(4001)
    assert [f.get("reason") for f in gus.frames_received("removed")] == ["kicked"], gus.received
    for other in (host, vera):
        await other.wait_without_participant(gus.pid)
        await expect(tile(other, gus.pid)).to_have_count(0)
    left = [f["reason"] for f in vera.frames_received("participant-left")]
    assert left == ["kicked"], left
    await assert_mesh_flows([host, vera])


async def test_a_visitor_sending_host_commands_over_a_raw_websocket_is_refused(
    crowd: Crowd, meetings: Meetings
) -> None:
    meeting = await meetings.create()
    host = await crowd.person("Hana")
    await join(host, meeting.host_room_url)
    base_url = meeting.room_url.removesuffix(meeting.room_name)

    raw = await RawClient.connect(base_url)
    try:
        await raw.send({"type": "join", "v": 1, "room": meeting.room_name, "displayName": "Eve"})
        joined = await raw.next("joined")
        assert joined["role"] == "visitor", joined
        await host.wait_for_participant(joined["participantId"])

        attempts: list[dict[str, Any]] = [
            {"type": "lock", "locked": True},
            {"type": "remove", "participantId": host.pid},
            {"type": "mute", "participantId": host.pid},
            {"type": "camera-off", "participantId": host.pid},
            {"type": "spotlight", "participantId": joined["participantId"]},
            {"type": "end-meeting"},
        ]
        for attempt in attempts:
            await raw.send(attempt)
            error = await raw.next("error")
            assert error["code"] == "not_allowed", (attempt, error)
            assert error.get("about") == attempt["type"], (attempt, error)

        # The room and its host are as they were; the socket is still open.
        await raw.send({"type": "ping", "id": "still-there"})
        assert (await raw.next("pong"))["id"] == "still-there"
    finally:
        await raw.close()
    state = await host.state()
    assert state["room"]["locked"] is False, state["room"]
    assert state["room"]["spotlight"] is None, state["room"]
    assert state["me"]["audio"] is True, state["me"]
    assert state["me"]["video"] is True, state["me"]
    assert not host.frames_received("muted"), host.received
    assert not host.frames_received("removed"), host.received
    await expect(host.testid("notice")).to_have_count(0)
    await wait_sending(host, "audio", on=True)
