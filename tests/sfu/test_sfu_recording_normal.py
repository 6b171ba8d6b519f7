"""A `normal` meeting recorded in the cloud goes through the SFU (so that Janus records it) and
keeps its cap of 4. The host's Record button (hosts only) starts it, everyone sees the REC
indicator, the same button stops it; two Chromium participants for about 10 s give one MP4 that
ffprobe reads with one video and one audio stream of the recorded length."""

import asyncio
import time
from pathlib import Path

import httpx
from playwright.async_api import expect

from browser.harness import FUTURE, Crowd, assert_mesh_flows, join
from e2e.salon_process import SalonServer
from sfu.rooms import GroupMeetings
from sfu.test_sfu_recording import (
    LENGTH_SLACK_S,
    ffprobe_streams,
    until_recording_listed,
    wait_frames,
)

RECORD_FOR_S = 10.0
"""How long the test records: the length the file must have (the content, not a wait)."""


async def test_a_recorded_normal_room_goes_through_the_sfu_and_gives_one_mp4(
    crowd: Crowd, meetings: GroupMeetings, salon: SalonServer, tmp_path: Path
) -> None:
    async with httpx.AsyncClient(
        base_url=salon.base_url, headers=meetings.headers, timeout=30
    ) as api:
        made = await api.post(
            "/v1/meetings",
            json={
                "endDate": FUTURE,
                "roomMode": "normal",
                "roomNamePrefix": "rec-normal-",
                "fields": ["hostRoomUrl"],
                "recording": {
                    "type": "cloud",
                    "destination": {"provider": "whereby"},
                    "startTrigger": "none",
                },
            },
        )
        assert made.status_code == 201, made.text
        meeting = made.json()

        host, guest = await crowd.person("Hana"), await crowd.person("Gus")
        await join(host, meeting["hostRoomUrl"])
        await join(guest, meeting["roomUrl"])
        for person in (host, guest):
            [joined] = person.frames_received("joined")
            assert (joined["media"], joined["room"]["capacity"]) == ("sfu", 4), joined
        await assert_mesh_flows([host, guest])

        record = host.testid("record")
        await expect(record).to_be_visible()
        await expect(record).to_have_attribute("aria-pressed", "false")
        await expect(guest.testid("record")).to_be_hidden()
        await record.click()
        for person in (host, guest):
            status = (await wait_frames(person, "recording-status", 1))[-1]
            assert status["recording"] is True, status
            await expect(person.page.locator("body[data-recording='on']")).to_have_count(1)
        rec = await host.page.evaluate("() => getComputedStyle(document.body, '::after').content")
        assert "REC" in rec, rec
        await expect(record).to_have_attribute("aria-pressed", "true")
        started = time.monotonic()
        await asyncio.sleep(RECORD_FOR_S)  # what is recorded: 10 s of both people
        await record.click()
        await wait_frames(host, "recording-status", 2)
        recorded_s = time.monotonic() - started
        await expect(host.page.locator("body[data-recording='off']")).to_have_count(1)
        await expect(record).to_have_attribute("aria-pressed", "false")

        listed = await until_recording_listed(api, meeting["roomName"])
        link = await api.get(f"/v1/recordings/{listed['recordingId']}/access-link")
        assert link.status_code == 200, link.text
        async with httpx.AsyncClient(timeout=30) as anyone:
            whole = await anyone.get(link.json()["accessLink"])
        assert whole.status_code == 200
        composed = tmp_path / "normal.mp4"
        composed.write_bytes(whole.content)
        probe = ffprobe_streams(composed)
        assert sorted(s["codec_type"] for s in probe["streams"]) == ["audio", "video"], probe
        length = float(probe["format"]["duration"])
        assert recorded_s - LENGTH_SLACK_S <= length <= recorded_s + 1.0, (length, recorded_s)
