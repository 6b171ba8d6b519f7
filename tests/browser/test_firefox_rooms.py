"""Firefox beside Chromium in every kind of room (Debian's Firefox ESR, driven over WebDriver
BiDi: bidi.py, firefox.py). Media is proven with getStats() in both browsers."""

from browser.firefox import FirefoxCrowd
from browser.harness import Crowd, Meetings, assert_media_flows, join, wait_tiles_play


async def test_firefox_and_chromium_see_and_hear_each_other_peer_to_peer(
    crowd: Crowd, foxes: FirefoxCrowd, meetings: Meetings
) -> None:
    meeting = await meetings.create()
    host = await crowd.person("Hana")
    await join(host, meeting.host_room_url)
    fox = await foxes.person("Fiona")
    await join(fox, meeting.room_url)

    await assert_media_flows(host, fox)
    await assert_media_flows(fox, host)
    await wait_tiles_play(fox, [host.pid, fox.pid])
    await wait_tiles_play(host, [host.pid, fox.pid])
