"""A room's life beyond its people: the page survives a dropped socket (same participant, media
again), and deleting the meeting over the API empties the room."""

import httpx
from playwright.async_api import expect

from browser.harness import (
    Crowd,
    Meetings,
    assert_media_flows,
    assert_mesh_flows,
    join,
    notice,
)

DROP_JS = """
() => {
  const open = window.__salonTestSockets.filter(ws => ws.readyState === WebSocket.OPEN);
  if (open.length !== 1) throw new Error(`expected one open socket, found ${open.length}`);
  // A close the page's code did not ask for, as when the network drops it.
  open[0].close(3000, 'test: dropped');
}
"""

REOPENED_JS = """
() => {
  const all = window.__salonTestSockets;
  return all.length >= 2 && all[all.length - 1].readyState === WebSocket.OPEN
    && window.salonRoom.state().connection === 'open';
}
"""


async def test_the_page_survives_a_dropped_socket(crowd: Crowd, meetings: Meetings) -> None:
    meeting = await meetings.create()
    host = await crowd.person("Hana")
    await join(host, meeting.host_room_url)
    guest = await crowd.person("Gus")
    await join(guest, meeting.room_url)
    await assert_mesh_flows([host, guest])
    guest_id = guest.pid

    await guest.page.evaluate(DROP_JS)
    await guest.wait_until(REOPENED_JS, what="a new open socket")
    # The host heard of the drop (the flag may be back to false by now: only the frame is sure).
    flags = [
        f["participant"]["reconnecting"]
        for f in host.frames_received("participant-updated")
        if f["participant"]["id"] == guest_id
    ]
    assert True in flags, host.received

    # The same participant came back: the second join resumed with the first join's token.
    joins = guest.frames_sent("join")
    assert len(joins) == 2, joins
    resumed = joins[1].get("resume") or {}
    assert resumed.get("participantId") == guest_id, joins[1]
    assert resumed.get("token") == guest.frames_received("joined")[0]["resumeToken"]
    assert (await guest.state())["me"]["id"] == guest_id
    await host.wait_for_participant(guest_id, "p.reconnecting === false")
    await expect(notice(guest, "left")).to_have_count(0)
    await expect(guest.testid("notice")).to_have_count(0)
    assert not host.frames_received("participant-left"), host.received

    # Media flows again both ways (fresh samples after the reconnection).
    await assert_media_flows(host, guest)
    await assert_media_flows(guest, host)


async def test_deleting_the_meeting_empties_the_room(crowd: Crowd, meetings: Meetings) -> None:
    meeting = await meetings.create()
    host = await crowd.person("Hana")
    await join(host, meeting.host_room_url)
    guest = await crowd.person("Gus")
    await join(guest, meeting.room_url)
    await assert_mesh_flows([host, guest])

    await meetings.delete(meeting)
    for person in (host, guest):
        await expect(notice(person, "deleted")).to_be_visible()
        await person.wait_closed_with(4003)
        assert len(await person.sockets()) == 1, "the page opened another socket"
        await person.wait_until(
            "() => [...window.salonRoom.peers.values()]"
            ".every(pc => pc.connectionState === 'closed')",
            what="every peer connection closed",
        )
        removed = [f.get("reason") for f in person.frames_received("removed")]
        assert removed == ["meeting-deleted"], (person.name, person.received)

    async with httpx.AsyncClient() as client:
        gone = await client.get(meeting.room_url)
    assert gone.status_code == 404, gone.text
