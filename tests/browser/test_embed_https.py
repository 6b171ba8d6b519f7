"""Embedding over HTTPS: a product's page on an allowed domain frames a room (an iframe, or the
`<salon-embed>` element), hears its events and drives it with commands; a page of another site is
refused the frame by the browser, and commands from another site never reach the room.

The product's site is `https://app.example.test:PORT`, an allowed domain of the organization; the
other site is `https://evil.example.test:PORT`, never allowed (https_pages.py, the `host_pages`
fixture). The room itself is served by `salon serve` on http://127.0.0.1, a secure context.
Media is proven at the other participant, with getStats(): frames decoded and sound heard start,
and stop when a command turns the camera or the microphone off.
"""

import asyncio
import html
import json
import time
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx
from playwright.async_api import ConsoleMessage, Error, Frame, Locator, expect

from browser.harness import (
    TILES_PLAY_JS,
    UI_TIMEOUT_MS,
    Crowd,
    Meetings,
    Participant,
    Person,
    assert_media_flows,
    assert_media_stops,
    join,
)
from browser.https_pages import APP_HOST, EVIL_HOST, HostPages

ALLOW = "camera; microphone; fullscreen; speaker; display-capture; autoplay"
METADATA = '{"crm": "contact/4711", "plan": "pro"}'
EXTERNAL_ID = "gus-7"
EVENT_TYPES = [
    "ready", "knock", "cancel_knock", "join", "leave", "participantupdate", "participant_join",
    "participant_leave", "microphone_toggle", "camera_toggle", "chat_toggle", "people_toggle",
    "pip_toggle", "screenshare_toggle", "grant_device_permission", "deny_device_permission",
    "meeting_end", "connection_status_change",
]  # fmt: skip

# The product's page: frames the room given in `?room=` the way the developer guide shows, keeps
# the room's events (only those its own frame sent), and sends commands with `command(…)`. With
# `?sibling=`, it also frames a page of another site beside the room, as an advertisement would be.
FRAME_PAGE = f"""<!doctype html><meta charset="utf-8"><title>Product page</title>
<body style="margin:0">
<script>
  const query = new URLSearchParams(location.search);
  const room = query.get('room');
  const frame = document.createElement('iframe');
  window.events = [];
  addEventListener('message', (event) => {{
    const data = event.data;
    if (event.source !== frame.contentWindow || !data || typeof data.type !== 'string') return;
    window.events.push({{type: data.type, payload: data.payload ?? null, origin: event.origin}});
  }});
  frame.allow = {json.dumps(ALLOW)};
  frame.style = 'border:0;width:960px;height:600px;display:block';
  frame.src = room;
  document.body.append(frame);
  window.command = (command, args = []) =>
    frame.contentWindow.postMessage({{command, args}}, new URL(room).origin);
  if (query.get('sibling')) {{
    const other = document.createElement('iframe');
    other.src = query.get('sibling');
    document.body.append(other);
  }}
</script>"""

# Another site's page inside the product's page: it can reach the room's window (frames[0] of its
# parent) and post commands to it, and it keeps whatever messages reach its own window.
SIBLING_PAGE = """<!doctype html><meta charset="utf-8"><title>Another site</title>
<script>
  window.heard = [];
  addEventListener('message', (event) => window.heard.push(event.data));
  window.commandRoom = (command, args = []) => parent.frames[0].postMessage({command, args}, '*');
</script>"""


def element_page(salon_url: str, room_url: str) -> str:
    """The product's page with `<salon-embed>`, attributes written in camelCase as a developer
    would (the HTML parser lower-cases them); it keeps the element's DOM events."""
    return f"""<!doctype html><meta charset="utf-8"><title>Product page, element</title>
<script type="module" src="{html.escape(salon_url)}/embed.js"></script>
<body style="margin:0">
<salon-embed room="{html.escape(room_url)}" displayName="Ada Lovelace" precallReview="off"
  externalId="ada-1" style="display:block;width:960px;height:600px"></salon-embed>
<script>
  window.events = [];
  const element = document.querySelector('salon-embed');
  for (const type of {json.dumps(EVENT_TYPES)}) {{
    element.addEventListener(type, (event) => window.events.push({{type, payload: event.detail}}));
  }}
</script>"""


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


async def events(person: Participant) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await person.page.evaluate("() => window.events")
    return found


async def wait_event(person: Participant, kind: str, payload: Any = None) -> dict[str, Any]:
    """Wait until the product's page has heard an event of this type (with this payload, when
    given); the first such event."""
    try:
        await person.page.wait_for_function(
            "([kind, payload]) => window.events.some(e => e.type === kind && (payload === null"
            " || JSON.stringify(e.payload) === JSON.stringify(payload)))",
            arg=[kind, payload],
            timeout=UI_TIMEOUT_MS,
        )
    except (Error, TimeoutError) as error:
        raise AssertionError(
            f"{person.name}: no {kind} event {payload or ''} within {UI_TIMEOUT_MS} ms; "
            f"heard {await events(person)}"
        ) from error
    heard = [e for e in await events(person) if e["type"] == kind]
    wanted = [e for e in heard if payload is None or e["payload"] == payload]
    return wanted[0]


async def frame_of(person: Person, url_prefix: str, ready_js: str = "true") -> Frame:
    """The frame of the page whose URL starts with `url_prefix`, once `ready_js` holds in it."""
    deadline = time.monotonic() + UI_TIMEOUT_MS / 1000
    while True:
        for frame in person.page.frames:
            if frame.url.startswith(url_prefix) and await frame.evaluate(f"() => !!({ready_js})"):
                return frame
        if time.monotonic() > deadline:
            urls = [frame.url for frame in person.page.frames]
            raise AssertionError(f"{person.name}: no frame at {url_prefix} ({urls})")
        await asyncio.sleep(0.1)  # the pause between polls, not a synchronisation


async def room_frame(person: Person, room_url: str) -> Frame:
    return await frame_of(person, room_url, "window.salonRoom")


async def framed_participant(person: Person, frame: Frame) -> Person:
    """The participant inside the frame, for the media helpers (which read only its id)."""
    await frame.wait_for_function("() => !!window.salonRoom.state().me")
    me = await frame.evaluate("() => window.salonRoom.state().me.id")
    return Person(
        name=f"{person.name} (framed)",
        context=person.context,
        page=person.page,
        log=person.log,
        id=me,
    )


def left_notice(frame: Frame) -> Locator:
    """The room's "you left" screen, inside its frame."""
    return frame.locator('[data-testid="notice"][data-kind="left"]')


async def test_an_allowed_site_frames_a_room_hears_its_events_and_drives_it(
    crowd: Crowd, meetings: Meetings, host_pages: HostPages
) -> None:
    meeting = await meetings.create()
    host_pages.put("/frame.html", FRAME_PAGE)
    host_pages.put("/sibling.html", SIBLING_PAGE)
    room = f"{meeting.room_url}?jsApi=true"
    sibling = host_pages.url(EVIL_HOST, "/sibling.html")
    ada = await crowd.person("Ada")
    await ada.page.goto(
        host_pages.url(APP_HOST, f"/frame.html?room={quote(room)}&sibling={quote(sibling)}")
    )
    await wait_event(ada, "ready")
    frame = await room_frame(ada, meeting.room_url)
    # The room's own pre-call review, inside the frame: a name, then join.
    await frame.get_by_test_id("precall-name").fill("Ada")
    await frame.get_by_test_id("precall-join").click()
    await wait_event(ada, "join")
    await wait_event(ada, "participantupdate", {"count": 1})
    framed = await framed_participant(ada, frame)
    assert await frame.evaluate("() => window.salonRoom.embed.targets") == [
        host_pages.origin(APP_HOST)
    ], "events must go to the embedding page's origin only"

    gus = await crowd.person("Gus")
    await join(gus, f"{meeting.room_url}?externalId={EXTERNAL_ID}&metadata={quote(METADATA)}")
    joined = await wait_event(ada, "participant_join")
    assert joined["payload"] == {"participant": {"metadata": METADATA, "externalId": EXTERNAL_ID}}
    await wait_event(ada, "participantupdate", {"count": 2})
    await assert_media_flows(gus, framed)
    await frame.wait_for_function(TILES_PLAY_JS, arg=[[gus.pid], "camera"])  # and Ada sees Gus

    # Another site's frame on the same page posts commands to the room: they are dropped.
    other = await frame_of(ada, host_pages.origin(EVIL_HOST), "window.commandRoom")
    await other.evaluate("() => commandRoom('toggle_camera', [false])")
    await other.evaluate("() => commandRoom('leave_room')")
    # The product page's own command, posted after those, is obeyed: the microphone goes off and
    # Gus hears no more sound from Ada.
    await ada.page.evaluate("() => command('toggle_microphone', [false])")
    await wait_event(ada, "microphone_toggle", {"enabled": False})
    await assert_media_stops(gus, framed, "audio")
    assert await frame.evaluate("() => window.salonRoom.state().phase") == "room"
    assert await frame.evaluate("() => window.salonRoom.state().local.video") is True
    assert {"type": "camera_toggle", "payload": {"enabled": False}} not in [
        {"type": e["type"], "payload": e["payload"]} for e in await events(ada)
    ]
    await assert_media_flows(gus, framed, audio=False)
    assert await other.evaluate("() => window.heard") == [], "an event reached another site"

    await ada.page.evaluate("() => command('toggle_camera', [false])")
    await wait_event(ada, "camera_toggle", {"enabled": False})
    await assert_media_stops(gus, framed, "video")
    await gus.wait_for_participant(framed.pid, "p.video === false && p.audio === false")

    await ada.page.evaluate("() => command('leave_room')")
    await wait_event(ada, "leave", {"removed": False})
    await gus.wait_without_participant(framed.pid)
    await expect(left_notice(frame)).to_be_visible()
    # Every event came from the room's origin.
    assert {e["origin"] for e in await events(ada)} == {origin_of(meeting.room_url)}


async def test_a_page_of_another_site_is_refused_the_frame(
    crowd: Crowd, meetings: Meetings, host_pages: HostPages
) -> None:
    meeting = await meetings.create()
    host_pages.put("/frame.html", FRAME_PAGE)
    room = f"{meeting.room_url}?jsApi=true"
    eve = await crowd.person("Eve")
    refusals: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "frame-ancestors" in message.text:
            refusals.append(message.text)

    # What the browser enforces is what Salon says on every room page, and on HEAD /csp.
    async with httpx.AsyncClient(base_url=origin_of(meeting.room_url), timeout=10) as client:
        policy = (await client.head("/csp")).headers["content-security-policy"]
    ancestors = policy.split(";")[0]
    assert ancestors.startswith("frame-ancestors 'self' "), policy
    assert host_pages.origin(APP_HOST) in ancestors.split(), policy
    assert host_pages.origin(EVIL_HOST) not in ancestors.split(), policy

    eve.page.on("console", on_console)
    await eve.page.goto(host_pages.url(EVIL_HOST, f"/frame.html?room={quote(room)}"))
    deadline = time.monotonic() + UI_TIMEOUT_MS / 1000
    while not refusals:
        assert time.monotonic() < deadline, "the browser did not refuse the frame"
        await asyncio.sleep(0.1)  # the pause between polls, not a synchronisation
    # Chromium's words: "Framing '…' violates the following Content Security Policy directive:
    # "frame-ancestors 'self' https://app.example.test:PORT". The request has been blocked."
    assert host_pages.origin(APP_HOST) in refusals[0], refusals
    assert "blocked" in refusals[0], refusals
    iframe = await eve.page.wait_for_selector("iframe")
    framed = None if iframe is None else await iframe.content_frame()
    assert framed is not None
    assert not framed.url.startswith(meeting.room_url), framed.url
    assert await framed.evaluate("() => typeof window.salonRoom") == "undefined"

    # The same room, framed by the allowed site, loads and says it is ready …
    ada = await crowd.person("Ada")
    await ada.page.goto(host_pages.url(APP_HOST, f"/frame.html?room={quote(room)}"))
    await wait_event(ada, "ready")
    # … while the other site's page, loaded first, has heard nothing.
    assert await events(eve) == []


async def test_salon_embed_element_turns_attributes_into_parameters_and_methods_into_commands(
    crowd: Crowd, meetings: Meetings, host_pages: HostPages
) -> None:
    meeting = await meetings.create()
    host_pages.put("/element.html", element_page(origin_of(meeting.room_url), meeting.room_url))
    ada = await crowd.person("Ada")
    await ada.page.goto(host_pages.url(APP_HOST, "/element.html"))
    # displayName and precallReview=off arrive lower-cased and still work: Ada is straight in.
    await wait_event(ada, "ready")
    await wait_event(ada, "join")
    frame = await room_frame(ada, meeting.room_url)
    query = parse_qs(urlsplit(frame.url).query)
    assert query["displayName"] == ["Ada Lovelace"], frame.url
    assert query["precallReview"] == ["off"], frame.url
    assert query["externalId"] == ["ada-1"], frame.url
    assert (
        await ada.page.evaluate(
            "() => document.querySelector('salon-embed').shadowRoot.querySelector('iframe').allow"
        )
        == ALLOW
    )
    framed = await framed_participant(ada, frame)

    gus = await crowd.person("Gus")
    await join(gus, f"{meeting.room_url}?externalId={EXTERNAL_ID}&metadata={quote(METADATA)}")
    joined = await wait_event(ada, "participant_join")
    assert joined["payload"] == {"participant": {"metadata": METADATA, "externalId": EXTERNAL_ID}}
    await gus.wait_for_participant(
        framed.pid, "p.displayName === 'Ada Lovelace' && p.externalId === 'ada-1'"
    )
    await assert_media_flows(gus, framed)

    element = "document.querySelector('salon-embed')"
    await ada.page.evaluate(f"() => {element}.toggleCamera(false)")
    await wait_event(ada, "camera_toggle", {"enabled": False})
    await assert_media_stops(gus, framed, "video")
    await ada.page.evaluate(f"() => {element}.toggleCamera(true)")
    await wait_event(ada, "camera_toggle", {"enabled": True})
    await assert_media_flows(gus, framed, audio=False)
    await ada.page.evaluate(f"() => {element}.toggleMicrophone()")
    await wait_event(ada, "microphone_toggle", {"enabled": False})
    await assert_media_stops(gus, framed, "audio")

    await ada.page.evaluate(f"() => {element}.leaveRoom()")
    await wait_event(ada, "leave", {"removed": False})
    await gus.wait_without_participant(framed.pid)
    await expect(left_notice(frame)).to_be_visible()
