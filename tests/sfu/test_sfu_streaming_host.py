"""A host streams a group room live from the room: two Chromium participants in a meeting whose
`streaming` trigger is `none`; the visitor's `start-streaming` is refused, the host's starts it;
both see the LIVE indicator and their pages emit `streaming_status_change`; nginx (with
`libnginx-mod-rtmp`) receives H.264 and AAC (ffprobe); the host's `stop-streaming` ends Salon's
ffmpeg and the indicator; webhooks report a `streamer` joining and leaving, signed."""

import asyncio
import json
import time
from typing import Any

import httpx

from browser.harness import FUTURE, Crowd, Person, assert_mesh_flows, join
from e2e.salon_process import SalonServer
from salon.webhooks import HEADER, verify
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
from webhook_helpers import Receiver

START_JS = "() => window.salonRoom.signaling.send('start-streaming')"
STOP_JS = "() => window.salonRoom.signaling.send('stop-streaming')"
# The room's events to the embedding page, as the page's embed bridge emits them.
SPY_JS = """() => {
  window.embedEvents = [];
  const embed = window.salonRoom.embed;
  const emit = embed.emit.bind(embed);
  embed.emit = (type, payload = null) => {
    window.embedEvents.push({ type, payload });
    emit(type, payload);
  };
}"""
INDICATOR_JS = """() => ({
  on: document.body.dataset.streaming === "on",
  badge: getComputedStyle(document.body, "::before").content,
  events: window.embedEvents
    .filter((e) => e.type === "streaming_status_change")
    .map((e) => e.payload.status),
})"""


async def seen(person: Person) -> dict[str, Any]:
    found: dict[str, Any] = await person.page.evaluate(INDICATOR_JS)
    return found


async def wait_seen(person: Person, on: bool, events: list[str]) -> None:
    deadline = time.monotonic() + 30
    while True:
        now = await seen(person)
        if now["on"] is on and now["events"] == events:
            return
        assert time.monotonic() < deadline, f"{person.name}: {now}"
        await asyncio.sleep(0.1)  # the pause between polls, not a synchronisation


async def test_a_host_starts_and_stops_streaming_from_the_room(
    crowd: Crowd, meetings: GroupMeetings, salon: SalonServer, tmp_path: Any
) -> None:
    with Receiver() as receiver, RtmpServer(tmp_path / "nginx") as rtmp:
        async with httpx.AsyncClient(
            base_url=salon.base_url, headers=meetings.headers, timeout=30
        ) as api:
            hook = await api.post(
                "/v1/webhooks",
                json={
                    "url": receiver.url("/hooks"),
                    "events": ["room.client.joined", "room.client.left"],
                },
            )
            assert hook.status_code == 201, hook.text
            secret = hook.json()["secret"]
            made = await api.post(
                "/v1/meetings",
                json={
                    "endDate": FUTURE,
                    "roomMode": "group",
                    "roomNamePrefix": "golive-",
                    "fields": ["hostRoomUrl"],
                    "streaming": {
                        "destination": {"url": rtmp.url("stream-key-2")},
                        "startTrigger": "none",
                    },
                },
            )
            assert made.status_code == 201, made.text
            meeting = made.json()

        host, guest = await crowd.person("Hana"), await crowd.person("Gus")
        await join(host, meeting["hostRoomUrl"])
        await join(guest, meeting["roomUrl"])
        await assert_mesh_flows([host, guest])
        for person in (host, guest):
            await person.page.evaluate(SPY_JS)

        await guest.page.evaluate(START_JS)
        refusal = (await wait_frames(guest, "error", 1))[-1]
        assert refusal["code"] == "not_allowed", refusal
        assert refusal["message"] == "only a host may start-streaming", refusal
        assert not guest.frames_received("streaming-status")

        await host.page.evaluate(START_JS)
        for person in (host, guest):
            await wait_seen(person, True, ["started"])
        assert (await seen(guest))["badge"] == '"● LIVE"'

        recorded = rtmp.recorded("stream-key-2")
        started = time.monotonic()
        await wait_for(
            lambda: received_s(recorded) >= MIN_RECEIVED_S,
            f"{MIN_RECEIVED_S} s of stream at nginx",
            within_s=STREAMED_WITHIN_S,
            detail=lambda: rtmp.log()[-2000:],
        )
        print(f"{MIN_RECEIVED_S} s received after {time.monotonic() - started:.1f} s")
        assert salon.process is not None
        salon_pid = salon.process.pid
        assert children_named(salon_pid, "ffmpeg"), "the live ffmpeg is Salon's"

        await host.page.evaluate(STOP_JS)
        for person in (host, guest):
            await wait_seen(person, False, ["started", "stopped"])
        await wait_for(
            lambda: not children_named(salon_pid, "ffmpeg"),
            "the live ffmpeg ends",
            within_s=ENDED_WITHIN_S,
        )

        def streamer_hooks() -> list[tuple[str, dict[str, int]]]:
            found = []
            for request in receiver.at("/hooks"):
                verify(request.body, request.headers[HEADER.lower()], secret, tolerance=300)
                body = json.loads(request.body)
                if body["data"].get("roleName") == "streamer":
                    found.append((body["type"], body["data"]["numClientsByRoleName"]))
            return found

        await wait_for(lambda: len(streamer_hooks()) == 2, "the streamer webhooks", within_s=30)
        assert streamer_hooks() == [
            ("room.client.joined", {"host": 1, "visitor": 1, "streamer": 1}),
            ("room.client.left", {"host": 1, "visitor": 1}),
        ]

    found = probe(recorded)
    streams = {s["codec_type"]: s for s in found["streams"]}
    assert sorted(streams) == ["audio", "video"], found
    assert (streams["video"]["codec_name"], streams["audio"]["codec_name"]) == ("h264", "aac")
    assert float(found["format"]["duration"]) >= MIN_RECEIVED_S, found
