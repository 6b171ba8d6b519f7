"""Local recording (`recording.type: "local"`): a host's Record button (hosts only) records the
tab in their own Chromium (getDisplayMedia with `preferCurrentTab`, MediaRecorder) and, stopped,
downloads a WebM that ffprobe reads with a video stream longer than a second and the host's
microphone as its audio."""

import asyncio
import json
import subprocess
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import expect

from browser.harness import FUTURE, Crowd, Meetings, join

RECORD_FOR_S = 3.0
"""How long the test records: the content of the file, not a wait."""


def ffprobe(path: Path, *args: str) -> dict[str, Any]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", *args, "-of", "json", str(path)],
        check=True, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    parsed: dict[str, Any] = json.loads(out.stdout)
    return parsed


def video_length_s(path: Path) -> float:
    """The last video packet's time: MediaRecorder's WebM carries no duration in its header."""
    packets = ffprobe(path, "-select_streams", "v:0", "-show_entries", "packet=pts_time")
    times = [float(p["pts_time"]) for p in packets["packets"] if "pts_time" in p]
    return max(times) - min(times)


async def test_a_host_records_locally_and_downloads_a_webm(
    crowd: Crowd, meetings: Meetings, tmp_path: Path
) -> None:
    async with httpx.AsyncClient(base_url=meetings.base_url, timeout=10) as api:
        made = await api.post(
            "/v1/meetings",
            headers=meetings.headers,
            json={
                "endDate": FUTURE,
                "fields": ["hostRoomUrl"],
                "recording": {
                    "type": "local",
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
    [joined] = host.frames_received("joined")
    assert (joined["media"], joined["recording"]) == ("mesh", "local")

    record = host.testid("record")
    await expect(record).to_be_visible()
    await expect(guest.testid("record")).to_be_hidden()
    await record.click()
    await expect(record).to_have_attribute("aria-pressed", "true")
    await asyncio.sleep(RECORD_FOR_S)  # what is recorded: 3 s of the room
    async with host.page.expect_download() as info:
        await record.click()
    download = await info.value
    assert download.suggested_filename.endswith(".webm"), download.suggested_filename
    await expect(record).to_have_attribute("aria-pressed", "false")
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)

    streams = ffprobe(saved, "-show_entries", "stream=codec_type,codec_name:format=format_name")
    kinds = [s["codec_type"] for s in streams["streams"]]
    assert sorted(kinds) == ["audio", "video"], streams  # the host's microphone mixed in
    assert "webm" in str(streams["format"]), streams
    assert video_length_s(saved) > 1.0
