"""What the settings, "…" and Picture-in-Picture buttons open: the settings
dialog lists the devices the browser has, the "…" menu holds the secondary actions, and the PiP
button pops the other participant's video out of the page."""

from playwright.async_api import expect

from browser.harness import Crowd, Meetings, join, wait_tiles_play

DEVICE_OPTIONS_JS = """
(testid) => [...document.querySelector(`[data-testid="${testid}"]`).options]
  .filter(option => option.value).length
"""

PIP_JS = """
() => {
  const video = document.pictureInPictureElement;
  const tile = video && video.closest('[data-testid="tile"]');
  return tile ? tile.dataset.participantId : null;
}
"""


async def test_settings_lists_the_devices_and_more_holds_the_secondary_actions(
    crowd: Crowd, meetings: Meetings
) -> None:
    meeting = await meetings.create()
    host = await crowd.person("Hal")
    await join(host, meeting.host_room_url)
    await host.testid("toggle-settings").click()
    await expect(host.testid("settings-dialog")).to_be_visible()
    for select in ("settings-camera", "settings-microphone"):
        await host.wait_until(
            f"() => ({DEVICE_OPTIONS_JS})('{select}') > 0", what=f"{select} lists a device"
        )
    await host.testid("settings-close").click()
    await expect(host.testid("settings-dialog")).to_be_hidden()

    await host.testid("toggle-more").click()
    menu = host.testid("more-menu")
    await expect(menu).to_be_visible()
    for item in ("more-copy-link", "more-fullscreen", "more-float-self", "more-timer"):
        await expect(host.testid(item)).to_be_visible()
    await host.testid("more-float-self").click()
    await expect(host.testid("self-view")).to_have_attribute("data-floating", "true")


async def test_pip_pops_the_other_participants_video_out(crowd: Crowd, meetings: Meetings) -> None:
    meeting = await meetings.create()
    ada = await crowd.person("Ada")
    ben = await crowd.person("Ben")
    await join(ada, meeting.room_url)
    ben_id = await join(ben, meeting.room_url)
    await wait_tiles_play(ada, [ben_id])
    await ada.testid("toggle-pip").click()
    await ada.wait_until(f"() => ({PIP_JS})() === {ben_id!r}", what="Ben's video in PiP")
    await ada.testid("toggle-pip").click()
    await ada.wait_until("() => document.pictureInPictureElement === null", what="PiP closed")
