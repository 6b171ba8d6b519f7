"""Joining a peer-to-peer room: an automatic join does not wait for the devices (the page is in
the room while they still start, and its media follows once they are ready), and every pair of
people negotiates exactly once: the newcomer's one offer, answered once, no renegotiation after.
"""

from typing import Any

from browser.harness import Crowd, Meetings, Person, assert_mesh_flows, join, wait_in_room

# Holds every getUserMedia call of the page until the test sets `window.releaseDevices`.
HOLD_DEVICES_JS = """
(() => {
  const devices = navigator.mediaDevices;
  const getUserMedia = devices.getUserMedia.bind(devices);
  window.devicesAsked = 0;
  devices.getUserMedia = async (...args) => {
    window.devicesAsked += 1;
    while (!window.releaseDevices) await new Promise((resolve) => setTimeout(resolve, 20));
    return getUserMedia(...args);
  };
})();
"""

STABLE_JS = """
() => [...window.salonRoom.peers.values()].every((pc) => pc.signalingState === 'stable')
"""


def descriptions(person: Person, kind: str) -> list[dict[str, Any]]:
    """The `signal` frames the page sent with a description of this kind (offer or answer)."""
    return [
        frame
        for frame in person.frames_sent("signal")
        if (frame.get("description") or {}).get("type") == kind
    ]


def with_param(url: str, param: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{param}"


async def test_an_automatic_join_does_not_wait_for_the_devices_and_each_pair_negotiates_once(
    crowd: Crowd, meetings: Meetings
) -> None:
    meeting = await meetings.create()
    host = await crowd.person("Hana")
    await join(host, meeting.host_room_url)  # the pre-call path

    guest = await crowd.person("Gus")
    await guest.context.add_init_script(HOLD_DEVICES_JS)
    await guest.page.goto(with_param(meeting.room_url, "displayName=Gus&precallReview=off"))
    await wait_in_room(guest)  # in the room, the devices still held
    assert await guest.page.evaluate("() => window.devicesAsked") > 0
    assert not await guest.page.evaluate("() => window.releaseDevices === true")
    assert descriptions(guest, "offer") == [], "an offer without the camera and microphone"
    await guest.page.evaluate("() => { window.releaseDevices = true; }")

    third = await crowd.person("Vera")
    await third.page.goto(with_param(meeting.room_url, "displayName=Vera&precallReview=off"))
    await wait_in_room(third)

    people = [host, guest, third]
    await assert_mesh_flows(people)
    for person in people:
        await person.wait_until(STABLE_JS, what="every peer connection stable")

    # The newcomer offers to each one already there, once; each answers once; nobody else offers.
    offers = {p.name: sorted(f["to"] for f in descriptions(p, "offer")) for p in people}
    answers = {p.name: sorted(f["to"] for f in descriptions(p, "answer")) for p in people}
    assert offers == {
        "Hana": [],
        "Gus": [host.pid],
        "Vera": sorted([host.pid, guest.pid]),
    }, offers
    assert answers == {
        "Hana": sorted([guest.pid, third.pid]),
        "Gus": [third.pid],
        "Vera": [],
    }, answers
