"""Live captions in a group room on a real Janus: an aiortc bot (a visitor) speaks known
espeak-ng sentences into its microphone; the visitor's `start-live-transcription` is refused; a
Chromium host starts captions with the room's Captions button; Janus forwards each publisher's
audio to Salon, an ffmpeg per speaker decodes it for PocketSphinx, and the host's page shows a
caption labelled with the bot's name that holds one of the sentences' words. When the host
stops, `GET /v1/transcriptions` lists a `LIVE_TRANSCRIPTION` whose Markdown names the bot beside
its words, and `transcription.started` / `.finished` webhooks are sent."""

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import httpx

from browser.harness import Crowd, Person, join
from e2e.salon_process import SalonServer
from salon.webhooks import HEADER, verify
from sfu.rooms import GroupMeetings, children_named, create_group_meeting, wait_for
from sfu.test_sfu_recording import wait_frames
from sfu.test_sfu_transcription import Speaker, frames_of, speech_samples, until
from webhook_helpers import Receiver

SENTENCE = "The lighthouse project was approved on Tuesday."
WORDS = ("lighthouse", "approved", "tuesday", "project")
"""Distinctive words of the sentence; PocketSphinx hears some of them each time it is said."""
CAPTIONED_WITHIN_S = 60.0
"""Janus forwarding, ffmpeg and the decoder starting, on two cores shared by other runs."""
BOT_NAME = "Ada Lovelace"
CAPTIONS_JS = """() => [...document.querySelectorAll('#salon-captions [data-testid=caption]')]
  .map((p) => ({
    name: p.querySelector('.caption-name').textContent,
    text: p.querySelector('.caption-text').textContent,
    visible: p.checkVisibility(),
  }))"""
CLICK_JS = "() => document.querySelector('[data-testid=toggle-captions]').click()"
STOP_JS = "() => window.salonRoom.signaling.send('stop-live-transcription')"
SPY_JS = """() => {
  window.embedEvents = [];
  const embed = window.salonRoom.embed;
  const emit = embed.emit.bind(embed);
  embed.emit = (type, payload = null) => {
    window.embedEvents.push({ type, payload });
    emit(type, payload);
  };
}"""
EVENTS_JS = """() => window.embedEvents
  .filter((e) => e.type === 'transcription_status_change').map((e) => e.payload.status)"""


async def captions_seen(person: Person) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await person.page.evaluate(CAPTIONS_JS)
    return found


async def test_a_speakers_words_are_captioned_in_the_room_and_kept_as_a_live_transcript(
    crowd: Crowd, meetings: GroupMeetings, salon: SalonServer, tmp_path: Path
) -> None:
    with Receiver() as receiver:
        async with meetings.client() as api:
            hook = await api.post(
                "/v1/webhooks",
                json={
                    "url": receiver.url("/hooks"),
                    "events": ["transcription.started", "transcription.finished"],
                },
            )
            assert hook.status_code == 201, hook.text
            secret = hook.json()["secret"]
            meeting = await create_group_meeting(
                api,
                "captions-",
                fields=["hostRoomUrl"],
                liveTranscription={"startTrigger": "manual", "language": "en"},
            )
            ada = Speaker(salon.base_url, meeting["roomName"], BOT_NAME)
            ada.samples = speech_samples("en-us+f2", SENTENCE, tmp_path)
            host = await crowd.person("Hana")
            try:
                await ada.join()
                await join(host, meeting["hostRoomUrl"])
                await host.page.evaluate(SPY_JS)

                await ada.send({"type": "start-live-transcription"})
                await wait_for(
                    lambda: bool(frames_of(ada, "error")), "the visitor's start is refused"
                )
                refusal = frames_of(ada, "error")[-1]
                assert refusal["code"] == "not_allowed", refusal
                assert refusal["message"] == "only a host may start-live-transcription", refusal
                assert not frames_of(ada, "transcription-status")

                # the room's Captions button (a host's starts live transcription)
                await host.page.get_by_test_id("toggle-captions").wait_for()
                await host.page.evaluate(CLICK_JS)
                await wait_frames(host, "transcription-status", 1)
                started = time.monotonic()
                deadline = started + CAPTIONED_WITHIN_S
                while True:
                    shown = await captions_seen(host)
                    heard = [
                        c for c in shown
                        if c["name"] == BOT_NAME and c["visible"]
                        and any(word in c["text"] for word in WORDS)
                    ]  # fmt: skip
                    if heard:
                        break
                    assert time.monotonic() < deadline, f"no caption of {BOT_NAME}: {shown}"
                    await asyncio.sleep(0.2)  # the pause between polls, not a synchronisation
                print(f"captioned after {time.monotonic() - started:.1f} s: {heard}")
                assert salon.process is not None
                assert children_named(salon.process.pid, "ffmpeg"), "Salon decodes the audio"
                assert frames_of(ada, "caption"), "every participant is sent the captions"

                await wait_for(
                    lambda: any(
                        f["final"] and f["displayName"] == BOT_NAME
                        and any(word in f["text"] for word in WORDS)
                        for f in frames_of(ada, "caption")
                    ),
                    "a final caption of the sentence, for the transcript",
                    within_s=CAPTIONED_WITHIN_S,
                )  # fmt: skip
                await host.page.evaluate(STOP_JS)
                await wait_for(
                    lambda: any(
                        not f["transcribing"] for f in frames_of(ada, "transcription-status")
                    ),
                    "live transcription stops",
                )
                assert await host.page.evaluate(EVENTS_JS) == ["started", "stopped"]
                await wait_for(
                    lambda: (
                        not children_named(salon.process.pid, "ffmpeg") if salon.process else True
                    ),
                    "the caption ffmpeg ends",
                )
            finally:
                await ada.close()

            listed = await until(
                api,
                f"/v1/transcriptions?roomName={meeting['roomName']}",
                lambda page: [t for t in page["results"] if t["state"] == "ready"],
            )
            assert len(listed) == 1, listed
            found = listed[0]
            assert found["type"] == "LIVE_TRANSCRIPTION", found
            assert found["filename"].startswith(meeting["roomName"].lstrip("/")), found
            assert found["durationInSeconds"] > 1, found
            link = await api.get(f"/v1/transcriptions/{found['transcriptionId']}/access-link")
            async with httpx.AsyncClient(timeout=30) as anyone:
                text = (await anyone.get(link.json()["accessLink"])).text
        said = " ".join(
            line.partition(":** ")[2]
            for line in text.splitlines()
            if line.startswith("**[") and f"] {BOT_NAME}:**" in line
        )
        assert any(word in said for word in WORDS), text

        def hooks() -> list[str]:
            kinds = []
            for request in receiver.at("/hooks"):
                verify(request.body, request.headers[HEADER.lower()], secret, tolerance=300)
                body = json.loads(request.body)
                if body["data"].get("transcriptionId") == found["transcriptionId"]:
                    kinds.append(body["type"])
            return kinds

        await wait_for(lambda: len(hooks()) == 2, "the transcription webhooks", within_s=30)
        assert hooks() == ["transcription.started", "transcription.finished"]
