"""Simulcast: a Chromium publisher sends three VP8 layers, and each subscriber receives the layer
that fits the tile it shows it in: a large tile gets the large layer, a small one the small."""

import asyncio
import time

from browser.harness import MEDIA_WITHIN_S, POLL_S, Crowd, Participant, join
from sfu.rooms import GroupMeetings, layers_asked

SMALL_LAYER_WIDTH = 320
"""The camera's quarter-size layer: the fake camera sends 1280x720, so 320x180."""
LAYERS_JS = """
async () => {
  const report = await window.salonRoom.sfu.publisher.getStats();
  const out = {};
  report.forEach(s => { if (s.type === 'outbound-rtp' && s.kind === 'video' && s.rid)
    out[s.rid] = { width: s.frameWidth || 0, frames: s.framesEncoded || 0 }; });
  return out;
}
"""
WIDTH_JS = """
async (id) => {
  const peer = window.salonRoom.peers.get(id);
  if (!peer) return 0;
  let width = 0;
  (await peer.getStats()).forEach(s => {
    if (s.type === 'inbound-rtp' && s.kind === 'video') width = s.frameWidth || 0; });
  return width;
}
"""


async def received_width(person: Participant, of: str) -> int:
    width: int = await person.page.evaluate(WIDTH_JS, of)
    return width


async def wait_width(
    person: Participant, of: str, *, at_least: int = 0, at_most: int = 10_000
) -> int:
    """Poll the width of the video received from `of` until it is in the range."""
    deadline = time.monotonic() + MEDIA_WITHIN_S
    while True:
        width = await received_width(person, of)
        if at_least <= width <= at_most:
            return width
        assert time.monotonic() < deadline, f"received width {width}, not {at_least}-{at_most}"
        await asyncio.sleep(POLL_S)


async def test_the_tile_size_picks_the_simulcast_layer(
    crowd: Crowd, meetings: GroupMeetings
) -> None:
    meeting = await meetings.create()
    sender, watcher = await crowd.person("Hana"), await crowd.person("Gus")
    await join(sender, meeting.host_room_url)
    await join(watcher, meeting.room_url)

    big = await wait_width(watcher, sender.pid, at_least=640)
    layers = await sender.page.evaluate(LAYERS_JS)
    assert sorted(layers) == ["h", "l", "m"], layers

    await watcher.page.set_viewport_size({"width": 480, "height": 300})
    small = await wait_width(watcher, sender.pid, at_most=SMALL_LAYER_WIDTH)
    qualities = layers_asked(watcher, sender.pid)
    assert qualities[-1] == 0, qualities

    await watcher.page.set_viewport_size({"width": 1280, "height": 800})
    again = await wait_width(watcher, sender.pid, at_least=640)
    print(f"layers sent {layers}; received widths {big} → {small} → {again}")
