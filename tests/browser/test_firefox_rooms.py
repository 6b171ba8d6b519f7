"""Firefox beside Chromium in peer-to-peer rooms: Debian's Firefox ESR (driven over WebDriver BiDi,
bidi.py and firefox.py) and Chromium see and hear each other, Firefox shares its screen, picks its
devices before joining, runs the room as its host, comes back after its socket drops, and is
embedded in a product's page through `<salon-embed>`. Media is proven with getStats() in the
browser that receives it, whichever that is. One Firefox serves the whole module.
"""

from urllib.parse import quote

from playwright.async_api import expect as expect_chromium

from browser.firefox import FirefoxCrowd, FirefoxPerson
from browser.firefox import expect as expect_firefox
from browser.harness import (
    Crowd,
    Meetings,
    assert_media_flows,
    assert_media_stops,
    assert_mesh_flows,
    join,
    notice,
    notice_selector,
    open_precall,
    participant_selector,
    precall_join,
    tile,
    tile_selector,
    wait_for_preview,
    wait_in_room,
    wait_sending,
    wait_tiles_play,
)
from browser.https_pages import APP_HOST, HostPages
from browser.test_browser_lifecycle import DROP_JS, REOPENED_JS
from browser.test_embed_https import EXTERNAL_ID, METADATA, element_page, origin_of, wait_event

DEVICES_JS = """
(kind) => [...document.querySelectorAll(`salon-precall [data-part="${kind}-select"] option`)]
  .filter((option) => option.value).map((option) => ({ id: option.value, label: option.text }))
"""
SPEAKER_HINT = (
    "This browser lists no speakers to choose from: sound plays on the system's default output."
)
CANVAS_SCREEN_JS = """
() => {
  const canvas = Object.assign(document.createElement('canvas'), { width: 640, height: 360 });
  const paint = canvas.getContext('2d');
  let frame = 0;
  setInterval(() => {
    paint.fillStyle = `hsl(${(frame += 7) % 360} 70% 50%)`;
    paint.fillRect(0, 0, 640, 360);
  }, 50);
  navigator.mediaDevices.getDisplayMedia = async () => canvas.captureStream(15);
}
"""
SENT_TRACK_JS = """
(kind) => {
  const track = window.salonRoom.media.track(kind);
  return track && { id: track.id, device: track.getSettings().deviceId, state: track.readyState };
}
"""


async def test_firefox_and_chromium_see_and_hear_each_other_peer_to_peer(
    crowd: Crowd, foxes: FirefoxCrowd, meetings: Meetings
) -> None:
    meeting = await meetings.create()
    host = await crowd.person("Hana")
    await join(host, meeting.host_room_url)
    fox = await foxes.person("Fiona")
    await join(fox, meeting.room_url)

    # Both directions, audio and video, each proven in the browser that receives it.
    await assert_mesh_flows([host, fox])
    await wait_tiles_play(fox, [host.pid, fox.pid])
    await wait_tiles_play(host, [host.pid, fox.pid])
    await expect_chromium(tile(host, fox.pid)).to_contain_text("Fiona")
    await expect_firefox(fox.page.locator(tile_selector(host.pid))).to_contain_text("Hana")
    await expect_firefox(fox.testid("participant-count")).to_have_text("2/4")


async def test_firefox_shares_a_screen_and_says_so_when_it_has_none(
    crowd: Crowd, foxes: FirefoxCrowd, meetings: Meetings
) -> None:
    meeting = await meetings.create()
    watcher = await crowd.person("Hana")
    await join(watcher, meeting.host_room_url)
    sharer = await foxes.person("Fiona")
    await join(sharer, meeting.room_url)
    await assert_mesh_flows([watcher, sharer])

    # Headless Firefox has no screen to capture: getDisplayMedia fails (NotFoundError) and the
    # room tells the person, instead of doing nothing.
    await sharer.testid("toggle-screenshare").click()
    await sharer.wait_until(
        "(text) => document.querySelector('salon-toasts').innerText.includes(text)",
        "Screen sharing did not start.",
        what="the screen-sharing failure shown",
    )
    await expect_firefox(sharer.testid("toggle-screenshare")).to_have_attribute(
        "aria-pressed", "false"
    )
    assert not [f for f in sharer.frames_sent("media") if f.get("screen")], sharer.sent

    # A screen from a canvas in its place: Firefox's own path from there on (a second track on
    # the connection, renegotiated) reaches Chromium, which decodes two video streams.
    await sharer.page.evaluate(CANVAS_SCREEN_JS)
    await sharer.testid("toggle-screenshare").click()
    await watcher.wait_for_participant(sharer.pid, "p.screen === true")
    await assert_media_flows(watcher, sharer, video_streams=2)
    await wait_tiles_play(watcher, [sharer.pid], kind="screen")
    await expect_firefox(sharer.testid("toggle-screenshare")).to_have_attribute(
        "aria-pressed", "true"
    )

    await sharer.testid("toggle-screenshare").click()
    await watcher.wait_for_participant(sharer.pid, "p.screen === false")
    await expect_chromium(tile(watcher, sharer.pid, "screen")).to_have_count(0)
    await assert_media_flows(watcher, sharer)


async def test_firefox_lists_and_switches_devices_before_joining(
    crowd: Crowd, foxes: FirefoxCrowd, meetings: Meetings
) -> None:
    meeting = await meetings.create()
    host = await crowd.person("Hana")
    await join(host, meeting.host_room_url)
    fox = await foxes.person("Fiona")
    await open_precall(fox, meeting.room_url)
    await wait_for_preview(fox)

    for kind in ("video", "audio"):
        await fox.wait_until(
            f"() => ({DEVICES_JS.strip()})('{kind}').every(d => d.label)"
            f" && ({DEVICES_JS.strip()})('{kind}').length > 0",
            what=f"the pre-call screen lists the {kind} devices by name",
        )
        devices = await fox.page.evaluate(DEVICES_JS, kind)
        before = await fox.page.evaluate(SENT_TRACK_JS, kind)
        chosen = devices[-1]["id"]
        select = fox.page.locator(f'salon-precall [data-part="{kind}-select"]')
        await select.select_option(chosen)
        # A new track from the chosen device replaces the old one.
        await fox.wait_until(
            f"([kind, old, device]) => {{ const now = ({SENT_TRACK_JS.strip()})(kind);"
            " return !!now && now.id !== old && now.device === device"
            " && now.state === 'live'; }",
            [kind, before["id"], chosen],
            what=f"the {kind} track comes from {chosen}",
        )
        assert await select.check("value") == chosen
    await wait_for_preview(fox)

    await precall_join(fox, "Fiona")
    await wait_in_room(fox)
    await assert_mesh_flows([host, fox])
    await wait_sending(fox, "video", on=True)
    await wait_sending(fox, "audio", on=True)

    # In the room, the settings list the same devices; Firefox lists no speaker to choose (it
    # offers outputs only through its own prompt), and the dialog says where the sound goes.
    await fox.testid("toggle-settings").click()
    await expect_firefox(fox.testid("settings-dialog")).to_be_visible()
    for field in ("settings-camera", "settings-microphone"):
        await expect_firefox(fox.page.locator(f'[data-testid="{field}"] option')).to_have_count(1)
    await expect_firefox(fox.testid("settings-speaker-hint")).to_have_text(SPEAKER_HINT)
    await fox.testid("settings-close").click()
    await expect_firefox(fox.testid("settings-dialog")).to_be_hidden()


async def test_a_firefox_host_mutes_turns_a_camera_off_spotlights_and_removes(
    crowd: Crowd, foxes: FirefoxCrowd, meetings: Meetings
) -> None:
    meeting = await meetings.create()
    host = await foxes.person("Fiona")
    await join(host, meeting.host_room_url)
    gus, vera = await crowd.person("Gus"), await crowd.person("Vera")
    await join(gus, meeting.room_url)
    await join(vera, meeting.room_url)
    await assert_mesh_flows([host, gus, vera])

    def person_button(participant_id: str, testid: str) -> str:
        return f'{participant_selector("person", participant_id)} [data-testid="{testid}"]'

    await host.testid("toggle-people").click()
    await expect_firefox(host.page.locator(person_button(gus.pid, "person-mute"))).to_be_visible()

    await wait_sending(gus, "audio", on=True)
    await host.page.locator(person_button(gus.pid, "person-mute")).click()
    await wait_sending(gus, "audio", on=False)
    await assert_media_stops(host, gus, "audio")
    await host.wait_for_participant(gus.pid, "p.audio === false")

    await host.page.locator(person_button(gus.pid, "person-camera-off")).click()
    await wait_sending(gus, "video", on=False)
    await assert_media_stops(host, gus, "video")
    await expect_firefox(host.page.locator(tile_selector(gus.pid))).to_have_attribute(
        "data-video", "off"
    )

    await host.page.locator(person_button(vera.pid, "person-spotlight")).click()
    for person in (host, gus, vera):
        await person.wait_until(
            "(id) => window.salonRoom.state().room.spotlight === id", vera.pid, what="spotlight"
        )

    await host.page.locator(person_button(gus.pid, "person-remove")).click()
    await expect_chromium(notice(gus, "removed")).to_be_visible()
    await gus.wait_closed_with(4001)
    await host.wait_without_participant(gus.pid)
    await vera.wait_without_participant(gus.pid)
    await assert_mesh_flows([host, vera])


async def test_firefox_comes_back_after_its_socket_drops(
    crowd: Crowd, foxes: FirefoxCrowd, meetings: Meetings
) -> None:
    meeting = await meetings.create()
    host = await crowd.person("Hana")
    await join(host, meeting.host_room_url)
    fox = await foxes.person("Fiona")
    await join(fox, meeting.room_url)
    await assert_mesh_flows([host, fox])
    fox_id = fox.pid

    await fox.page.evaluate(DROP_JS)
    await fox.wait_until(REOPENED_JS, what="a new open socket")
    joins = fox.frames_sent("join")
    assert len(joins) == 2, joins
    resumed = joins[1].get("resume") or {}
    assert resumed.get("participantId") == fox_id, joins[1]
    assert (await fox.state())["me"]["id"] == fox_id
    await host.wait_for_participant(fox_id, "p.reconnecting === false")
    await expect_firefox(fox.page.locator(notice_selector("left"))).to_have_count(0)
    assert not host.frames_received("participant-left"), host.received

    # Fresh samples after the reconnection, both ways.
    await assert_media_flows(host, fox)
    await assert_media_flows(fox, host)


async def framed(fox: FirefoxPerson, room_url: str) -> FirefoxPerson:
    """The participant in the room that the product's page frames (its "join" event was heard),
    with the frame as its page, so that getStats() runs where the room is."""
    frames = await fox.page.frames()
    assert len(frames) == 1, f"frames in the product's page: {frames}"
    frame = frames[0]
    room = FirefoxPerson(
        name=f"{fox.name} (framed)", page=frame, log=fox.log, user_context=fox.user_context
    )
    await wait_in_room(room)
    assert str(await frame.evaluate("() => location.href")).startswith(room_url)
    return room


async def test_firefox_embeds_a_room_with_the_element_and_drives_it(
    crowd: Crowd, foxes: FirefoxCrowd, meetings: Meetings, host_pages: HostPages
) -> None:
    meeting = await meetings.create()
    host_pages.put("/element.html", element_page(origin_of(meeting.room_url), meeting.room_url))
    ada = await foxes.person("Ada")
    await ada.page.goto(host_pages.url(APP_HOST, "/element.html"))
    await wait_event(ada, "ready")
    await wait_event(ada, "join")
    room = await framed(ada, meeting.room_url)

    gus = await crowd.person("Gus")
    await join(gus, f"{meeting.room_url}?externalId={EXTERNAL_ID}&metadata={quote(METADATA)}")
    joined = await wait_event(ada, "participant_join")
    assert joined["payload"] == {"participant": {"metadata": METADATA, "externalId": EXTERNAL_ID}}
    await gus.wait_for_participant(
        room.pid, "p.displayName === 'Ada Lovelace' && p.externalId === 'ada-1'"
    )
    await assert_mesh_flows([gus, room])

    element = "document.querySelector('salon-embed')"
    await ada.page.evaluate(f"() => {element}.toggleCamera(false)")
    await wait_event(ada, "camera_toggle", {"enabled": False})
    await assert_media_stops(gus, room, "video")
    await ada.page.evaluate(f"() => {element}.toggleCamera(true)")
    await wait_event(ada, "camera_toggle", {"enabled": True})
    await assert_media_flows(gus, room, audio=False)
    await ada.page.evaluate(f"() => {element}.toggleMicrophone()")
    await wait_event(ada, "microphone_toggle", {"enabled": False})
    await assert_media_stops(gus, room, "audio")

    await ada.page.evaluate(f"() => {element}.leaveRoom()")
    await wait_event(ada, "leave", {"removed": False})
    await gus.wait_without_participant(room.pid)
    await expect_firefox(room.page.locator(notice_selector("left"))).to_be_visible()
