"""Cloud recording of a group room through a real Janus, with two Chromium participants: a
visitor may not start it; a host does, everyone sees the indicator, Janus writes the tracks,
and after the host stops it the composition job (janus-pp-rec, ffmpeg) leaves one MP4 that
ffprobe reads with one video and one audio stream of the recorded length. Webhooks report the
`recorder` joining and leaving and `recording.finished`, signed; the access link serves the file
with a 206 for a range; delete removes it from the API and the link."""

import asyncio
import json
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx

from browser.harness import FUTURE, Crowd, Person, assert_mesh_flows, join
from e2e.salon_process import SalonServer
from salon.webhooks import HEADER, verify
from sfu.rooms import GroupMeetings
from webhook_helpers import Receiver

RECORD_FOR_S = 10.0
"""How long the test records: the length the file must have (the content, not a wait)."""
COMPOSED_WITHIN_S = 240.0
"""Converting and composing 10 s on two cores shared by several test runs."""
LENGTH_SLACK_S = 3.0
"""Recording starts and stops a little after the messages that ask for it (Janus, the network)."""
START_RECORDING_JS = "() => window.salonRoom.signaling.send('start-recording')"
STOP_RECORDING_JS = "() => window.salonRoom.signaling.send('stop-recording')"


async def wait_frames(person: Person, kind: str, count: int, within_s: float = 30.0) -> list[Any]:
    deadline = time.monotonic() + within_s
    while len(person.frames_received(kind)) < count:
        assert time.monotonic() < deadline, (
            f"{person.name}: {count} {kind} frames: {person.received}"
        )
        await asyncio.sleep(0.1)
    return person.frames_received(kind)


def ffprobe_streams(path: Path) -> dict[str, Any]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries",
         "stream=codec_type,codec_name,width,height:format=duration,format_name",
         "-of", "json", str(path)],
        check=True, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    parsed: dict[str, Any] = json.loads(out.stdout)
    return parsed


async def until_recording_listed(client: httpx.AsyncClient, room_name: str) -> dict[str, Any]:
    deadline = time.monotonic() + COMPOSED_WITHIN_S
    while True:
        response = await client.get("/v1/recordings", params={"roomName": room_name})
        assert response.status_code == 200, response.text
        results = response.json()["results"]
        if results:
            assert len(results) == 1, results
            found: dict[str, Any] = results[0]
            return found
        assert time.monotonic() < deadline, f"no recording listed within {COMPOSED_WITHIN_S} s"
        await asyncio.sleep(0.5)


async def test_a_recorded_group_room_gives_one_mp4_with_signed_webhooks_and_a_range_link(
    crowd: Crowd, meetings: GroupMeetings, salon: SalonServer, tmp_path: Path
) -> None:
    with Receiver() as receiver:
        async with httpx.AsyncClient(
            base_url=salon.base_url, headers=meetings.headers, timeout=30
        ) as api:
            hook = await api.post(
                "/v1/webhooks",
                json={
                    "url": receiver.url("/hooks"),
                    "events": ["recording.finished", "room.client.joined", "room.client.left"],
                },
            )
            assert hook.status_code == 201, hook.text
            secret = hook.json()["secret"]
            made = await api.post(
                "/v1/meetings",
                json={
                    "endDate": FUTURE,
                    "roomMode": "group",
                    "roomNamePrefix": "rec-",
                    "fields": ["hostRoomUrl"],
                    "recording": {
                        "type": "cloud",
                        "destination": {"provider": "whereby", "fileFormat": "mp4"},
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

            await guest.page.evaluate(START_RECORDING_JS)
            refusal = (await wait_frames(guest, "error", 1))[-1]
            assert refusal["code"] == "not_allowed", refusal
            assert refusal["message"] == "only a host may start-recording", refusal
            assert not guest.frames_received("recording-status")

            await host.page.evaluate(START_RECORDING_JS)
            for person in (host, guest):
                status = (await wait_frames(person, "recording-status", 1))[-1]
                assert status["recording"] is True, status
            started = time.monotonic()
            await asyncio.sleep(RECORD_FOR_S)  # what is recorded: 10 s of both people
            await host.page.evaluate(STOP_RECORDING_JS)
            for person in (host, guest):
                status = (await wait_frames(person, "recording-status", 2))[-1]
                assert status == {"type": "recording-status", "recording": False,
                                  "startedAt": None}  # fmt: skip
            recorded_s = time.monotonic() - started

            listed = await until_recording_listed(api, meeting["roomName"])
            assert list(listed) == ["recordingId", "roomSessionId", "roomName", "filename",
                                    "startDate", "endDate", "sizeInMegaBytes"]  # fmt: skip
            assert listed["filename"] == (
                f"{meeting['roomName'].lstrip('/')}-{listed['startDate']}.mp4"
            )
            assert listed["sizeInMegaBytes"] > 0
            recording_id = listed["recordingId"]
            got = await api.get(f"/v1/recordings/{recording_id}")
            assert got.json() == listed

            link = await api.get(
                f"/v1/recordings/{recording_id}/access-link", params={"validForSeconds": 60}
            )
            assert link.status_code == 200, link.text
            assert list(link.json()) == ["accessLink", "expires"]
            url = link.json()["accessLink"]
            assert url.startswith(salon.base_url + "/_salon/recordings/")
            async with httpx.AsyncClient(timeout=30) as anyone:  # no API key: the link suffices
                whole = await anyone.get(url)
                assert whole.status_code == 200
                assert whole.headers["accept-ranges"] == "bytes"
                part = await anyone.get(url, headers={"Range": "bytes=100-199"})
                assert part.status_code == 206
                assert part.headers["content-range"] == f"bytes 100-199/{len(whole.content)}"
                assert part.content == whole.content[100:200]
                forged = await anyone.get(url[:-4] + ("0000" if url[-4:] != "0000" else "1111"))
                assert forged.status_code == 404
            composed = tmp_path / "composed.mp4"
            composed.write_bytes(whole.content)
            probe = ffprobe_streams(composed)
            kinds = sorted(s["codec_type"] for s in probe["streams"])
            assert kinds == ["audio", "video"], probe
            video = next(s for s in probe["streams"] if s["codec_type"] == "video")
            audio = next(s for s in probe["streams"] if s["codec_type"] == "audio")
            assert (video["codec_name"], video["width"], video["height"]) == ("h264", 1280, 720)
            assert audio["codec_name"] == "aac"
            length = float(probe["format"]["duration"])
            assert recorded_s - LENGTH_SLACK_S <= length <= recorded_s + 1.0, (length, recorded_s)

            deadline = time.monotonic() + 30
            while not any(
                json.loads(r.body)["type"] == "recording.finished" for r in receiver.at("/hooks")
            ):
                assert time.monotonic() < deadline, "no recording.finished webhook"
                await asyncio.sleep(0.2)
            bodies = []
            for request in receiver.at("/hooks"):
                verify(request.body, request.headers[HEADER.lower()], secret, tolerance=300)
                bodies.append(json.loads(request.body))
            finished = [b for b in bodies if b["type"] == "recording.finished"]
            assert len(finished) == 1, finished
            assert finished[0]["data"] == {
                "filename": listed["filename"],
                "recordingId": recording_id,
                "roomName": meeting["roomName"],
                "status": "completed",
            }
            recorder = [
                (b["type"], b["data"]["numClientsByRoleName"])
                for b in bodies
                if b["type"].startswith("room.client.") and b["data"]["roleName"] == "recorder"
            ]
            assert recorder == [
                ("room.client.joined", {"host": 1, "visitor": 1, "recorder": 1}),
                ("room.client.left", {"host": 1, "visitor": 1}),
            ]

            deleted = await api.delete(f"/v1/recordings/{recording_id}")
            assert deleted.status_code == 204
            assert (await api.get(f"/v1/recordings/{recording_id}")).status_code == 404
            assert (await api.delete(f"/v1/recordings/{recording_id}")).status_code == 204
            async with httpx.AsyncClient(timeout=30) as anyone:
                assert (await anyone.get(url)).status_code == 404
