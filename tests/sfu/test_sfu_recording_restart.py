"""A Salon killed (SIGKILL) while it composes a recording finishes that recording once after it
starts again: the job's lease is taken back, the composition runs a second time from the tracks
Janus left, and `recording.finished` is sent once. On a Salon of the test's own (the others keep
the session's), with one Chromium host and the `automatic` trigger."""

import asyncio
import json
import sqlite3
import time
from pathlib import Path

import httpx

from browser.harness import FUTURE, Crowd, join
from e2e.salon_process import SalonServer
from salon.webhooks import HEADER, verify
from sfu.test_sfu_recording import (
    STOP_RECORDING_JS,
    ffprobe_streams,
    until_recording_listed,
    wait_frames,
)
from webhook_helpers import ALLOW_LOCAL, Receiver

RECORD_FOR_S = 8.0
WITHIN_S = 60.0


def job_rows(database: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as connection:
        return [
            (str(status), int(attempts))
            for status, attempts in connection.execute(
                "SELECT status, attempts FROM jobs WHERE kind = 'recording.compose'"
            )
        ]


async def test_a_restart_during_composition_finishes_the_recording_once(
    crowd: Crowd, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    server = SalonServer.on(
        log_dir=tmp_path / "logs", data_dir=data, extra_args=["--janus", "auto", *ALLOW_LOCAL]
    )
    with Receiver() as receiver, server:
        key = server.first_key
        assert key is not None, server.stdout
        async with httpx.AsyncClient(
            base_url=server.base_url, headers={"Authorization": f"Bearer {key}"}, timeout=30
        ) as api:
            hook = await api.post(
                "/v1/webhooks",
                json={"url": receiver.url("/hooks"), "events": ["recording.finished"]},
            )
            assert hook.status_code == 201, hook.text
            made = await api.post(
                "/v1/meetings",
                json={
                    "endDate": FUTURE,
                    "roomMode": "group",
                    "fields": ["hostRoomUrl"],
                    "recording": {
                        "type": "cloud",
                        "destination": None,
                        "startTrigger": "automatic",
                    },
                },
            )
            assert made.status_code == 201, made.text
            meeting = made.json()
            host = await crowd.person("Hana")
            await join(host, meeting["hostRoomUrl"])
            assert (await wait_frames(host, "recording-status", 1))[-1]["recording"] is True
            await asyncio.sleep(RECORD_FOR_S)  # what is recorded
            await host.page.evaluate(STOP_RECORDING_JS)
            await wait_frames(host, "recording-status", 2)

            database = data / "salon.db"
            deadline = time.monotonic() + WITHIN_S
            while job_rows(database) != [("running", 1)]:
                assert time.monotonic() < deadline, f"no running composition: {job_rows(database)}"
                await asyncio.sleep(0.05)
            assert server.process is not None
            server.process.kill()  # SIGKILL, in the middle of the composition
            server.process.wait(timeout=30)
            assert job_rows(database) == [("running", 1)]
            server.start()

            listed = await until_recording_listed(api, meeting["roomName"])
            assert job_rows(database) == [("done", 2)]
            link = await api.get(f"/v1/recordings/{listed['recordingId']}/access-link")
            async with httpx.AsyncClient(timeout=30) as anyone:
                composed = (await anyone.get(link.json()["accessLink"])).content
            (tmp_path / "composed.mp4").write_bytes(composed)
            probe = ffprobe_streams(tmp_path / "composed.mp4")
            assert sorted(s["codec_type"] for s in probe["streams"]) == ["audio", "video"]

            deadline = time.monotonic() + 30
            while not receiver.at("/hooks"):
                assert time.monotonic() < deadline, "no recording.finished webhook"
                await asyncio.sleep(0.2)
            await asyncio.sleep(1.0)  # a second delivery would have come by now
            [delivery] = receiver.at("/hooks")
            verify(
                delivery.body,
                delivery.headers[HEADER.lower()],
                hook.json()["secret"],
                tolerance=300,
            )
            assert json.loads(delivery.body)["data"]["recordingId"] == listed["recordingId"]
