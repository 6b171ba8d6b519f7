"""Moving from `<whereby-embed>` to `<salon-embed>`: a product page written for Whereby's element
(its CDN script, its tag), with only the script URL and the tag name changed, works against
Salon: the events it listens to arrive (pre-call checks, knocking, joining, participants,
toggles, leaving) and the commands it calls take effect. A knock the server refuses emits no
`knock` event (docs/embedding.md, "Moving from <whereby-embed>")."""

import asyncio
import html
import json
import time
from typing import Any

from playwright.async_api import Error

from browser.harness import (
    UI_TIMEOUT_MS,
    Crowd,
    Meetings,
    Person,
    by_participant,
    join,
)
from browser.https_pages import APP_HOST, HostPages
from browser.test_embed_https import framed_participant, origin_of, room_frame

WHEREBY_SCRIPT = "https://cdn.srv.whereby.com/embed/v3-embed.js"
EVENTS = [
    "ready", "grant_device_permission", "deny_device_permission", "precall_check_completed",
    "precall_check_skipped", "knock", "cancel_knock", "join", "leave", "participantupdate",
    "participant_join", "participant_leave", "microphone_toggle", "camera_toggle", "chat_toggle",
    "people_toggle", "connection_status_change",
]  # fmt: skip

# A page as Whereby's documentation has one write it: the CDN module, the element with camelCase
# attributes, listeners on the element, and its methods behind the page's own buttons.
WHEREBY_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Clinic visit</title>
<script src="https://cdn.srv.whereby.com/embed/v3-embed.js" type="module"></script>
<style>whereby-embed { display: block; width: 960px; height: 600px; }</style>
</head><body>
<whereby-embed room="ROOM_URL" displayName="Pat Doe" precallCeremony="on"></whereby-embed>
<script>
  window.events = [];
  const room = document.querySelector("whereby-embed");
  for (const type of EVENT_TYPES) {
    room.addEventListener(type, (event) => window.events.push({ type, payload: event.detail }));
  }
  window.visit = {
    knock: () => room.knock(),
    cancelKnock: () => room.cancelKnock(),
    camera: (on) => room.toggleCamera(on),
    microphone: () => room.toggleMicrophone(),
    chat: () => room.toggleChat(),
    people: () => room.togglePeople(),
    leave: () => room.leaveRoom(),
  };
</script>
</body></html>
"""


def migrated(page: str, salon_url: str) -> str:
    """The one change the migration asks for: the script's URL and the tag's name."""
    return page.replace(WHEREBY_SCRIPT, f"{salon_url}/embed.js").replace(
        "whereby-embed", "salon-embed"
    )


async def events_of(person: Person, kind: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await person.page.evaluate(
        "(kind) => window.events.filter(e => e.type === kind)", kind
    )
    return found


async def wait_event(person: Person, kind: str, count: int = 1) -> dict[str, Any]:
    """The `count`-th event of this type, once the page has heard it."""
    try:
        await person.page.wait_for_function(
            "([kind, count]) => window.events.filter(e => e.type === kind).length >= count",
            arg=[kind, count],
            timeout=UI_TIMEOUT_MS,
        )
    except Error as error:
        heard = await person.page.evaluate("() => window.events.map(e => e.type)")
        raise AssertionError(f"no {kind} event #{count}; heard {heard}") from error
    return (await events_of(person, kind))[count - 1]


async def wait_payload(person: Person, kind: str, payload: Any) -> None:
    """Wait until the page has heard an event of this type with this payload."""
    try:
        await person.page.wait_for_function(
            "([kind, payload]) => window.events.some(e => e.type === kind"
            " && JSON.stringify(e.payload) === JSON.stringify(payload))",
            arg=[kind, payload],
            timeout=UI_TIMEOUT_MS,
        )
    except Error as error:
        heard = await person.page.evaluate("() => window.events")
        raise AssertionError(f"no {kind} {payload}; heard {heard}") from error


async def refused(person: Person, about: str) -> None:
    """Wait until the page's room socket has received the server's `error` about `about`."""
    deadline = time.monotonic() + UI_TIMEOUT_MS / 1000
    while not any(e.get("about") == about for e in person.frames_received("error")):
        assert time.monotonic() < deadline, f"no error about {about} reached {person.name}"
        await asyncio.sleep(0.05)  # the pause between polls, not a synchronisation


async def visit(person: Person, command: str, *args: Any) -> None:
    await person.page.evaluate(
        f"(args) => window.visit.{command}(...args)", list(args)
    )  # the page's own button, in effect


async def test_a_page_written_for_whereby_embed_works_with_two_changes(
    crowd: Crowd, meetings: Meetings, host_pages: HostPages
) -> None:
    meeting = await meetings.create(locked=True)
    page = WHEREBY_PAGE.replace("ROOM_URL", html.escape(meeting.room_url)).replace(
        "EVENT_TYPES", json.dumps(EVENTS)
    )
    ported = migrated(page, origin_of(meeting.room_url))
    changed = [
        (a, b) for a, b in zip(page.splitlines(), ported.splitlines(), strict=True) if a != b
    ]
    assert len(changed) == 4  # the script line, and the tag in the style, the body and the script
    host_pages.put("/visit.html", ported)

    host = await crowd.person("Host")
    await join(host, meeting.host_room_url, "Dr. Rivera")
    pat = await crowd.person("Pat")
    await pat.page.goto(host_pages.url(APP_HOST, "/visit.html"))
    await wait_event(pat, "ready")
    await wait_event(pat, "grant_device_permission")
    checks = (await wait_event(pat, "precall_check_completed"))["payload"]
    assert checks == {
        "status": "passed",
        "steps": {
            "camera": {"status": "passed"},
            "speaker": {"status": "passed"},
            "microphone": {"status": "passed"},
            "bandwidth": {"status": "passed"},
        },
    }
    frame = await room_frame(pat, meeting.room_url)
    await frame.get_by_test_id("precall-join").click()
    await frame.get_by_test_id("knock-button").wait_for(state="visible")

    await visit(pat, "knock")
    await wait_event(pat, "knock")
    await frame.wait_for_function("() => window.salonRoom.state().knock.status === 'knocking'")
    await visit(pat, "cancelKnock")
    await wait_event(pat, "cancel_knock")
    await visit(pat, "knock")
    await wait_event(pat, "knock", 2)
    knocker = (await host.state())["knocks"][0]["id"]
    await by_participant(host, "knock", knocker).get_by_test_id("knock-admit").click()
    await wait_event(pat, "join")
    framed = await framed_participant(pat, frame)
    assert (await wait_event(pat, "participantupdate"))["payload"]["count"] >= 2

    # A knock from inside the room is refused by the server: no knock event.
    await visit(pat, "knock")
    await refused(pat, "knock")
    assert len(await events_of(pat, "knock")) == 2

    gus = await crowd.person("Gus")
    await join(gus, f"{meeting.host_room_url}&externalId=gus-7", "Gus")
    joined = await wait_event(pat, "participant_join")
    assert joined["payload"] == {"participant": {"metadata": None, "externalId": "gus-7"}}

    await visit(pat, "camera", False)
    await wait_payload(pat, "camera_toggle", {"enabled": False})
    await gus.wait_for_participant(framed.pid, "p.video === false")
    await visit(pat, "microphone")
    await wait_payload(pat, "microphone_toggle", {"enabled": False})
    await gus.wait_for_participant(framed.pid, "p.audio === false")
    await visit(pat, "chat")
    await wait_payload(pat, "chat_toggle", {"open": True})
    await visit(pat, "people")
    await wait_payload(pat, "people_toggle", {"open": True})

    # (a click by script: the people panel's toasts may cover the toolbar on a small page)
    await gus.page.evaluate("() => document.querySelector('[data-testid=leave]').click()")
    left = await wait_event(pat, "participant_leave")
    assert left["payload"] == {"participant": {"metadata": None, "externalId": "gus-7"}}
    await visit(pat, "leave")
    await wait_payload(pat, "leave", {"removed": False})
    await host.wait_without_participant(framed.pid)
    assert await events_of(pat, "precall_check_skipped") == []
