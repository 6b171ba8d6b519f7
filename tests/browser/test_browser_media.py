"""Media in a peer-to-peer room: two and three people each decode the others' video and receive
their audio, a screen share reaches the others, and leaving shows the leave screen.

Screenshots: precall.png, room-three.png, leave.png.
"""

from playwright.async_api import expect

from browser.harness import (
    Crowd,
    Meetings,
    assert_media_flows,
    assert_mesh_flows,
    join,
    notice,
    open_precall,
    precall_join,
    tile,
    wait_for_preview,
    wait_in_room,
    wait_tiles_play,
)


async def test_two_people_see_and_hear_each_other_and_one_leaves(
    crowd: Crowd, meetings: Meetings
) -> None:
    meeting = await meetings.create()
    host = await crowd.person("Hana")
    await open_precall(host, meeting.host_room_url)
    await wait_for_preview(host)
    await host.screenshot("precall.png")
    await precall_join(host, "Hana")
    await wait_in_room(host)

    guest = await crowd.person("Gus")
    await join(guest, meeting.room_url)
    assert guest.pid != host.pid

    await assert_mesh_flows([host, guest])
    await expect(tile(host, guest.pid)).to_contain_text("Gus")
    await expect(tile(guest, host.pid)).to_contain_text("Hana")
    await wait_tiles_play(host, [host.pid, guest.pid])
    await wait_tiles_play(guest, [host.pid, guest.pid])
    for person in (host, guest):
        await expect(person.testid("participant-count")).to_have_text("2/4")

    await guest.testid("leave").click()
    await expect(notice(guest, "left")).to_be_visible()
    await guest.wait_closed_with(4000)
    await guest.screenshot("leave.png")
    assert guest.frames_sent("leave"), "the page left without sending `leave`"
    await host.wait_without_participant(guest.pid)
    await expect(tile(host, guest.pid)).to_have_count(0)
    await expect(host.testid("participant-count")).to_have_text("1/4")
    left = [f for f in host.frames_received("participant-left") if f["participantId"] == guest.pid]
    assert [f["reason"] for f in left] == ["left"], left


async def test_three_people_each_decode_the_others_and_a_screen_share_reaches_both(
    crowd: Crowd, meetings: Meetings
) -> None:
    meeting = await meetings.create()
    host = await crowd.person("Hana")
    await join(host, meeting.host_room_url)
    guests = [await crowd.person("Gus"), await crowd.person("Vera")]
    await join(guests[0], meeting.room_url)
    await join(guests[1], meeting.room_url)
    people = [host, *guests]

    await assert_mesh_flows(people)
    for person in people:
        await expect(person.testid("participant-count")).to_have_text("3/4")
        await wait_tiles_play(person, [p.pid for p in people])
    await host.screenshot("room-three.png")

    sharer, watchers = guests[0], [host, guests[1]]
    await sharer.testid("toggle-screenshare").click()
    for watcher in watchers:
        await watcher.wait_for_participant(sharer.pid, "p.screen === true")
    # The screen is a second video track on the same connections: two video streams decode.
    for watcher in watchers:
        await assert_media_flows(watcher, sharer, video_streams=2)
        await wait_tiles_play(watcher, [sharer.pid], kind="screen")

    await sharer.testid("toggle-screenshare").click()
    for watcher in watchers:
        await watcher.wait_for_participant(sharer.pid, "p.screen === false")
        await expect(tile(watcher, sharer.pid, "screen")).to_have_count(0)
    await assert_media_flows(host, sharer)
