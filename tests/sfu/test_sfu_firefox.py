"""Firefox in a group room through a real Janus, beside Chromium: Firefox publishes its camera in
three simulcast layers (rids h, m, l in its sendEncodings) and subscribes to Chromium's; each
browser receives the layer that fits the tile it shows, and the layer follows the tile's size
when the window changes; Firefox's camera off stops its video at Chromium. Media is proven with
getStats() in both browsers."""

from playwright.async_api import ViewportSize

from browser.firefox import FirefoxCrowd
from browser.harness import (
    Crowd,
    assert_media_flows,
    assert_media_stops,
    assert_mesh_flows,
    join,
)
from sfu.rooms import GroupMeetings, layers_asked
from sfu.test_sfu_simulcast import LAYERS_JS, SMALL_LAYER_WIDTH, wait_width

SMALL: ViewportSize = {"width": 480, "height": 300}
LARGE: ViewportSize = {"width": 1280, "height": 800}


async def test_firefox_publishes_simulcast_and_the_layer_follows_the_tile_size(
    crowd: Crowd, foxes: FirefoxCrowd, meetings: GroupMeetings
) -> None:
    meeting = await meetings.create()
    hana = await crowd.person("Hana")
    await join(hana, meeting.host_room_url)
    fiona = await foxes.person("Fiona")
    await join(fiona, meeting.room_url)
    await assert_mesh_flows([hana, fiona])
    for person in (hana, fiona):
        assert [f["media"] for f in person.frames_received("joined")] == ["sfu"]
        assert not person.frames_received("signal"), "group rooms carry no peer-to-peer signal"

    # Firefox sends three layers, each encoding frames.
    await fiona.wait_until(
        f"""async () => {{ const layers = await ({LAYERS_JS.strip()})();
          return ['h', 'm', 'l'].every(rid => layers[rid] && layers[rid].frames > 0); }}""",
        what="Firefox encoding three simulcast layers",
    )
    layers = await fiona.page.evaluate(LAYERS_JS)

    # Chromium watches Firefox's camera: large tile, large layer; small tile, small layer.
    big = await wait_width(hana, fiona.pid, at_least=640)
    await hana.page.set_viewport_size(SMALL)
    small = await wait_width(hana, fiona.pid, at_most=SMALL_LAYER_WIDTH)
    await hana.page.set_viewport_size(LARGE)
    await wait_width(hana, fiona.pid, at_least=640)

    # Firefox watches Chromium's camera the same way, asking Janus for the layer itself.
    their_big = await wait_width(fiona, hana.pid, at_least=640)
    await fiona.page.set_viewport_size(SMALL)
    their_small = await wait_width(fiona, hana.pid, at_most=SMALL_LAYER_WIDTH)
    assert layers_asked(fiona, hana.pid)[-1] == 0
    await fiona.page.set_viewport_size(LARGE)
    await wait_width(fiona, hana.pid, at_least=640)
    print(
        f"Firefox sends {layers}; Chromium receives {big} → {small}; "
        f"Firefox receives {their_big} → {their_small}"
    )

    # Firefox's camera off: nothing more reaches Chromium through Janus (not even the black frame
    # a second Firefox sends for a sender without a track); on again, it flows again.
    await fiona.testid("toggle-camera").click()
    await hana.wait_for_participant(fiona.pid, "p.video === false")
    await assert_media_stops(hana, fiona, "video")
    await fiona.testid("toggle-camera").click()
    await hana.wait_for_participant(fiona.pid, "p.video === true")
    await assert_media_flows(hana, fiona)
