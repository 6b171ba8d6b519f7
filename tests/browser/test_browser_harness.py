"""The harness itself, without Salon: Chromium runs inside the private namespace, two browser
contexts exchange camera, microphone and screen over loopback, and the getStats() helpers see it.

When a room test fails and this one passes, the fault is in Salon, not in the machine.
"""

from typing import Any

from playwright.async_api import Route

from browser.harness import Crowd, Person, assert_media_flows

ORIGIN = "http://127.0.0.1:9"
"""Never contacted: the page is served by Playwright's router (127.0.0.1 is a secure context)."""

PAGE = """<!doctype html><meta charset="utf-8"><title>loopback</title><body>
<script>
  window.salonRoom = { peers: new Map() };
  window.setUp = async (peerId, withScreen) => {
    const pc = new RTCPeerConnection();
    window.salonRoom.peers.set(peerId, pc);
    const camera = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
    camera.getTracks().forEach(track => pc.addTrack(track, camera));
    if (withScreen) {
      const screen = await navigator.mediaDevices.getDisplayMedia({ video: true });
      screen.getTracks().forEach(track => pc.addTrack(track, screen));
    }
  };
  // Non-trickle: the whole description once ICE gathering is over.
  window.describe = async (peerId, remote) => {
    const pc = window.salonRoom.peers.get(peerId);
    if (remote) await pc.setRemoteDescription(remote);
    await pc.setLocalDescription();
    if (pc.iceGatheringState !== 'complete') {
      await new Promise(done => pc.addEventListener('icegatheringstatechange',
        () => pc.iceGatheringState === 'complete' && done()));
    }
    return { type: pc.localDescription.type, sdp: pc.localDescription.sdp };
  };
  window.accept = (peerId, answer) =>
    window.salonRoom.peers.get(peerId).setRemoteDescription(answer);
</script></body>"""


async def serve(route: Route) -> None:
    await route.fulfill(status=200, content_type="text/html", body=PAGE)


async def open_page(crowd: Crowd, name: str, peer_id: str) -> Person:
    person = await crowd.person(name)
    person.id = peer_id
    await person.context.route(f"{ORIGIN}/**", serve)
    await person.page.goto(f"{ORIGIN}/loopback")
    return person


async def test_two_contexts_exchange_camera_microphone_and_screen_over_loopback(
    crowd: Crowd,
) -> None:
    alice = await open_page(crowd, "alice", "a")
    bob = await open_page(crowd, "bob", "b")
    await alice.page.evaluate("() => setUp('b', true)")
    await bob.page.evaluate("() => setUp('a', false)")
    offer: dict[str, Any] = await alice.page.evaluate("() => describe('b', null)")
    assert "a=candidate:" in offer["sdp"], offer["sdp"]
    assert "127.0.0.1" in offer["sdp"], "no loopback candidate: " + offer["sdp"]
    answer = await bob.page.evaluate("(offer) => describe('a', offer)", offer)
    await alice.page.evaluate("(answer) => accept('b', answer)", answer)

    # Bob decodes Alice's camera and screen, and hears her; Alice decodes Bob's camera.
    await assert_media_flows(bob, alice, video_streams=2)
    await assert_media_flows(alice, bob)
