"""Group rooms through a real Janus with Chromium participants: three people each decode the
others' video and receive their audio; the media mode is the SFU's."""

from playwright.async_api import expect

from browser.harness import Crowd, assert_mesh_flows, join
from sfu.rooms import GroupMeetings


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
