"""Group rooms through a real Janus with Chromium participants: three people each decode the
others' video and receive their audio; the active speaker is found from the audio levels Janus
forwards; a screen share is a second published stream; breakout groups are VideoRooms of their
own, so media stays inside each group."""

import asyncio
import time

from playwright.async_api import expect

from browser.harness import (
    MEDIA_WITHIN_S,
    POLL_S,
    TONE_TRACK_JS,
    Crowd,
    Person,
    assert_media_flows,
    assert_mesh_flows,
    inbound_stats,
    join,
    tile,
    wait_tiles_play,
)
from sfu.rooms import GroupMeetings

QUIET_S = 1.5
"""Long enough to see a frame of a camera that still arrives."""
PUBLISH_A_TONE_JS = f"""
async () => {{
  {TONE_TRACK_JS}
  const sender = window.salonRoom.sfu.publisher.getSenders()
    .find((s) => s.track && s.track.kind === 'audio');
  await sender.replaceTrack(toneTrack);
}}
"""


async def frames_from(receiver: Person, sender: Person) -> int:
    stats = await inbound_stats(receiver.page, sender.pid)
    return 0 if stats is None else stats.frames_decoded


async def wait_not_flowing(receiver: Person, sender: Person) -> None:
    """`receiver` no longer decodes `sender`'s video: no frame in a window, within a deadline."""
    deadline = time.monotonic() + MEDIA_WITHIN_S
    while True:
        before = await frames_from(receiver, sender)
        await asyncio.sleep(QUIET_S)  # the window measured
        if await frames_from(receiver, sender) == before:
            return
        assert time.monotonic() < deadline, f"{receiver.name} still decodes {sender.name}"
        await asyncio.sleep(POLL_S)


async def test_three_people_in_a_group_room_decode_each_other_through_janus(
    crowd: Crowd, meetings: GroupMeetings
) -> None:
    meeting = await meetings.create()
    host = await crowd.person("Hana")
    await join(host, meeting.host_room_url)
    guests = [await crowd.person("Gus"), await crowd.person("Vera")]
    for guest in guests:
        await join(guest, meeting.room_url)
    people = [host, *guests]

    await assert_mesh_flows(people)
    for person in people:
        joined = person.frames_received("joined")
        assert [f["media"] for f in joined] == ["sfu"], joined
        assert not person.frames_received("signal"), "group rooms carry no peer-to-peer signal"
        assert person.frames_sent("sfu-publish"), person.sent
        await expect(person.testid("participant-count")).to_have_text("3/200")


async def test_the_active_speaker_is_found_from_the_levels_janus_forwards(
    crowd: Crowd, meetings: GroupMeetings
) -> None:
    meeting = await meetings.create()
    listener, speaker = await crowd.person("Hana"), await crowd.person("Gus")
    await join(listener, f"{meeting.host_room_url}&highlightActiveSpeaker=on")
    await join(speaker, meeting.room_url)
    await assert_mesh_flows([listener, speaker])

    # A steady tone in place of the fake microphone's intermittent beep, sent to Janus as it is.
    await speaker.page.evaluate(PUBLISH_A_TONE_JS)
    await listener.wait_until(
        "(id) => window.salonRoom.state().ui.speaking === id", speaker.pid, "Gus speaking"
    )
    await expect(tile(listener, speaker.pid)).to_have_attribute("data-speaking", "true")


async def test_a_screen_share_is_a_second_published_stream(
    crowd: Crowd, meetings: GroupMeetings
) -> None:
    meeting = await meetings.create()
    sharer, watcher = await crowd.person("Gus"), await crowd.person("Hana")
    await join(watcher, meeting.host_room_url)
    await join(sharer, meeting.room_url)
    await assert_mesh_flows([sharer, watcher])

    await sharer.testid("toggle-screenshare").click()
    await watcher.wait_for_participant(sharer.pid, "p.screen === true")
    await assert_media_flows(watcher, sharer, video_streams=2)
    await wait_tiles_play(watcher, [sharer.pid], kind="screen")
    screens = [f.get("screenMid") for f in sharer.frames_sent("sfu-publish")]
    assert screens[0] is None
    assert screens[-1] is not None, screens

    await sharer.testid("toggle-screenshare").click()
    await watcher.wait_for_participant(sharer.pid, "p.screen === false")
    await expect(tile(watcher, sharer.pid, "screen")).to_have_count(0)
    await assert_media_flows(watcher, sharer)


async def test_breakout_groups_are_videorooms_of_their_own(
    crowd: Crowd, meetings: GroupMeetings
) -> None:
    meeting = await meetings.create()
    host, ada, bo = [await crowd.person(name) for name in ("Hana", "Ada", "Bo")]
    await join(host, meeting.host_room_url)
    await join(ada, meeting.room_url)
    await join(bo, meeting.room_url)
    await assert_mesh_flows([host, ada, bo])

    # Straight onto the host's socket: the page's codec may not know breakout messages yet.
    send = (
        "([type, fields]) => window.__salonTestSockets.at(-1)"
        ".send(JSON.stringify({type, ...fields}))"
    )
    await host.page.evaluate(send, ["breakout-start", {"groups": ["Red", "Blue"]}])
    await host.page.evaluate(send, ["breakout-assign", {"participantId": ada.pid, "group": 0}])
    await host.page.evaluate(send, ["breakout-assign", {"participantId": bo.pid, "group": 1}])
    for person in (ada, bo):
        await person.wait_until(
            "() => window.salonRoom.sfu.publisher && window.salonRoom.sfu.state === 'connected'"
            " && window.salonRoom.signaling.state === 'joined'",
            what="publishing again",
        )
    await wait_not_flowing(ada, bo)
    await wait_not_flowing(bo, ada)

    await host.page.evaluate(send, ["breakout-assign", {"participantId": bo.pid, "group": 0}])
    await assert_mesh_flows([ada, bo])
    await wait_not_flowing(host, ada)

    await host.page.evaluate(send, ["breakout-end", {}])
    await assert_mesh_flows([host, ada, bo])
    # Each move is a fresh start in the new space: Ada moved twice, Bo three times.
    for person, moves in ((ada, 2), (bo, 3)):
        states = [f["state"] for f in person.frames_received("sfu-state")]
        assert states == ["ready"] * moves, states
