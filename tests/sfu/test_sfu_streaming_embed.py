"""A host goes live from the embedding page and from the room's toolbar. Two product pages over
HTTPS (an allowed domain) each hold a `<salon-embed>` of a group room whose meeting streams to
nginx (`libnginx-mod-rtmp`), trigger `none`:

- the visitor's page calls `startStreaming()`: the server refuses it (`not_allowed`), nothing
  starts, no page hears `streaming_status_change`, and the visitor's room shows no Go live button;
- the host's page calls `startStreaming()`: both pages hear `streaming_status_change` "started",
  nginx receives H.264 and AAC (ffprobe), and the host's Go live button turns to Stop live;
  `stopStreaming()` ends Salon's ffmpeg and both pages hear "stopped";
- the host presses Go live from the keyboard: the stream starts again (Salon's ffmpeg, the event,
  the button pressed), and a click on Stop live stops it.
"""

import html
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.async_api import Error, Frame, expect

from browser.harness import FUTURE, Crowd, Person
from browser.https_pages import APP_HOST, HostPages, self_signed_context
from browser.test_embed_https import origin_of, room_frame
from e2e.salon_process import SalonServer
from sfu.rooms import GroupMeetings, children_named, wait_for
from sfu.rtmp_server import RtmpServer
from sfu.test_sfu_recording import wait_frames
from sfu.test_sfu_streaming import (
    ENDED_WITHIN_S,
    MIN_RECEIVED_S,
    STREAMED_WITHIN_S,
    probe,
    received_s,
)

EVENT_TYPES = ["ready", "join", "streaming_status_change"]
ELEMENT = "document.querySelector('salon-embed')"
STATUSES_JS = (
    "() => window.events.filter((e) => e.type === 'streaming_status_change')"
    ".map((e) => e.payload.status)"
)
HEARD_WITHIN_MS = 60_000
JOINED_WITHIN_MS = 120_000
STARTED_WITHIN_S = 2 * STREAMED_WITHIN_S
"""Two Chromium pages in the room and ffmpeg starting on a loaded machine: the stream reaches nginx
later than in test_sfu_streaming.py (a deadline, not a wait)."""


@pytest.fixture
def host_pages(salon: SalonServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostPages]:
    """The product's site over HTTPS, made an allowed domain (`salon domains add`)."""
    tls = self_signed_context(tmp_path_factory.mktemp("tls"), [APP_HOST])
    with HostPages(tls) as pages:
        allowed = salon.cli("domains", "add", pages.origin(APP_HOST))
        assert allowed.returncode == 0, f"salon domains add: {allowed.stdout}{allowed.stderr}"
        yield pages


def product_page(room_url: str, name: str) -> str:
    """A product's page with the room in `<salon-embed>`; it keeps the element's events."""
    return f"""<!doctype html><meta charset="utf-8"><title>Product page</title>
<script type="module" src="{html.escape(origin_of(room_url))}/embed.js"></script>
<body style="margin:0">
<salon-embed room="{html.escape(room_url)}" displayName="{html.escape(name)}" precallReview="off"
  style="display:block;width:1100px;height:600px"></salon-embed>
<script>
  window.events = [];
  const element = document.querySelector('salon-embed');
  for (const type of {json.dumps(EVENT_TYPES)}) {{
    element.addEventListener(type, (event) => window.events.push({{type, payload: event.detail}}));
  }}
</script>"""


async def statuses(person: Person) -> list[str]:
    found: list[str] = await person.page.evaluate(STATUSES_JS)
    return found


async def wait_statuses(person: Person, wanted: list[str]) -> None:
    """Wait until the page has heard exactly these `streaming_status_change` statuses."""
    try:
        await person.page.wait_for_function(
            f"(wanted) => JSON.stringify(({STATUSES_JS})()) === JSON.stringify(wanted)",
            arg=wanted,
            timeout=HEARD_WITHIN_MS,
        )
    except Error as error:
        raise AssertionError(
            f"{person.name}'s page: {wanted} within {HEARD_WITHIN_MS} ms; "
            f"heard {await statuses(person)}"
        ) from error


async def enter(crowd: Crowd, pages: HostPages, name: str, room_url: str) -> tuple[Person, Frame]:
    person = await crowd.person(name)
    path = f"/{name.lower()}.html"
    pages.put(path, product_page(room_url, name))
    # Not waiting for `load`: that waits for the whole room inside the frame; `join` says it.
    await person.page.goto(pages.url(APP_HOST, path), wait_until="domcontentloaded")
    try:
        await person.page.wait_for_function(
            "() => window.events.some((e) => e.type === 'join')", timeout=JOINED_WITHIN_MS
        )
    except Error as error:
        heard = await person.page.evaluate("() => window.events")
        raise AssertionError(f"{name}: no join within {JOINED_WITHIN_MS} ms; {heard}") from error
    return person, await room_frame(person, room_url.split("?")[0])


async def test_a_host_goes_live_from_the_embedding_page_and_the_toolbar(
    crowd: Crowd,
    meetings: GroupMeetings,
    salon: SalonServer,
    host_pages: HostPages,
    tmp_path: Any,
) -> None:
    assert salon.process is not None
    salon_pid = salon.process.pid
    with RtmpServer(tmp_path / "nginx") as rtmp:
        async with httpx.AsyncClient(
            base_url=salon.base_url, headers=meetings.headers, timeout=30
        ) as api:
            made = await api.post(
                "/v1/meetings",
                json={
                    "endDate": FUTURE,
                    "roomMode": "group",
                    "roomNamePrefix": "embedlive-",
                    "fields": ["hostRoomUrl"],
                    "streaming": {
                        "destination": {"url": rtmp.url("stream-key-3")},
                        "startTrigger": "none",
                    },
                },
            )
            assert made.status_code == 201, made.text
            meeting = made.json()

        host, host_room = await enter(crowd, host_pages, "Hana", meeting["hostRoomUrl"])
        guest, guest_room = await enter(crowd, host_pages, "Gus", meeting["roomUrl"])
        go_live = host_room.get_by_test_id("go-live")
        await expect(go_live).to_be_visible()
        await expect(go_live).to_have_attribute("aria-pressed", "false")
        await expect(go_live).to_have_accessible_name("Go live")
        await expect(guest_room.get_by_test_id("record")).to_be_hidden()
        await expect(guest_room.get_by_test_id("go-live")).to_be_hidden()

        # The visitor's page asks: the server refuses, and nothing starts.
        await guest.page.evaluate(f"() => {ELEMENT}.startStreaming()")
        refusal = (await wait_frames(guest, "error", 1))[-1]
        assert refusal["code"] == "not_allowed", refusal
        assert refusal["message"] == "only a host may start-streaming", refusal
        assert not guest.frames_received("streaming-status")
        assert not children_named(salon_pid, "ffmpeg")

        # The host's page asks: live.
        await host.page.evaluate(f"() => {ELEMENT}.startStreaming()")
        for person in (host, guest):
            await wait_statuses(person, ["started"])
        assert await statuses(guest) == ["started"]  # the refused command emitted nothing
        await expect(go_live).to_have_attribute("aria-pressed", "true")
        await expect(go_live).to_have_accessible_name("Stop live")
        recorded = rtmp.recorded("stream-key-3")
        await wait_for(
            lambda: received_s(recorded) >= MIN_RECEIVED_S,
            f"{MIN_RECEIVED_S} s of stream at nginx",
            within_s=STARTED_WITHIN_S,
            detail=lambda: rtmp.log()[-2000:],
        )
        assert children_named(salon_pid, "ffmpeg"), "the live ffmpeg is Salon's"

        await host.page.evaluate(f"() => {ELEMENT}.stopStreaming()")
        for person in (host, guest):
            await wait_statuses(person, ["started", "stopped"])
        await wait_for(
            lambda: not children_named(salon_pid, "ffmpeg"),
            "the live ffmpeg ends",
            within_s=ENDED_WITHIN_S,
        )
        await expect(go_live).to_have_attribute("aria-pressed", "false")
        found = probe(recorded)
        streams = {s["codec_type"]: s for s in found["streams"]}
        assert sorted(streams) == ["audio", "video"], found
        assert (streams["video"]["codec_name"], streams["audio"]["codec_name"]) == ("h264", "aac")
        assert float(found["format"]["duration"]) >= MIN_RECEIVED_S, found

        # The toolbar: Go live from the keyboard, Stop live with a click.
        await go_live.press("Enter")
        for person in (host, guest):
            await wait_statuses(person, ["started", "stopped", "started"])
        await expect(go_live).to_have_attribute("aria-pressed", "true")
        await wait_for(
            lambda: bool(children_named(salon_pid, "ffmpeg")),
            "the live ffmpeg again",
            within_s=STARTED_WITHIN_S,
        )
        await go_live.click()
        for person in (host, guest):
            await wait_statuses(person, ["started", "stopped", "started", "stopped"])
        await expect(go_live).to_have_accessible_name("Go live")
        await wait_for(
            lambda: not children_named(salon_pid, "ffmpeg"),
            "the live ffmpeg ends again",
            within_s=ENDED_WITHIN_S,
        )
