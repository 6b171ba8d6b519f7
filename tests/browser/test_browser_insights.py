"""Quality samples from real browsers: two people in a room, each page sends a `stats` sample
every two seconds from `getStats()`, and `/v1/insights/participant` shows them (bitrate flowing
both ways while media flows, the camera and microphone events)."""

import asyncio
import time
from typing import Any

import httpx
from playwright.async_api import expect

from browser.harness import SCREENSHOTS, Crowd, Meetings, assert_mesh_flows, join
from e2e.salon_process import SalonServer

PASSWORD = "a long enough passphrase"
STORED_WITHIN_S = 40.0
"""Sampled every 2 s, written every 5 s, on a loaded machine."""


async def insights(meetings: Meetings, path: str, **query: str) -> Any:
    async with httpx.AsyncClient(base_url=meetings.base_url, timeout=10) as client:
        response = await client.get(f"/v1/insights/{path}", params=query, headers=meetings.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_each_browser_reports_its_quality(
    crowd: Crowd, meetings: Meetings, salon: SalonServer
) -> None:
    meeting = await meetings.create()
    host = await crowd.person("Host")
    await join(host, meeting.host_room_url)
    guest = await crowd.person("Guest")
    await join(guest, meeting.room_url)
    await assert_mesh_flows([host, guest])
    deadline = time.monotonic() + STORED_WITHIN_S
    while True:
        sessions = (await insights(meetings, "room-sessions", roomName=meeting.room_name))[
            "results"
        ]
        found = []
        if sessions:
            session = sessions[0]["roomSessionId"]
            for person in (host, guest):
                found += await insights(
                    meetings, "participant", roomSessionId=session, participantId=person.pid
                )
        flowing = [
            q for q in found
            if any(b > 50_000 for b in q["samples"]["bitrateSend"])
            and any(b > 50_000 for b in q["samples"]["bitrateRecv"])
        ]  # fmt: skip
        if len(flowing) == 2:
            break
        assert time.monotonic() < deadline, (
            f"no flowing samples within {STORED_WITHIN_S} s: {found}"
        )
        await asyncio.sleep(1)  # the pause between polls, not a synchronisation
    for quality in flowing:
        assert quality["sampleRateMs"] == 2000
        assert "Chrome" in quality["userAgent"]
        kinds = [event["type"] for event in quality["events"]]
        assert kinds[:1] == ["joined"]
        assert {"microphone_on", "camera_on"} <= set(kinds)
        losses = quality["samples"]["packetLossSend"] + quality["samples"]["packetLossRecv"]
        assert all(0 <= loss <= 100 for loss in losses)
    assert {q["userRole"] for q in flowing} == {"host", "visitor"}

    # The dashboard's Insights page draws the same samples (screenshot dashboard-insights.png).
    made = salon.cli(
        "users", "create", "insights@example.com", "--role", "owner", "--password-stdin",
        input_text=PASSWORD,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    owner = await crowd.person("Owner")
    await owner.page.goto(f"{salon.base_url}/dashboard/sign-in")
    await owner.page.get_by_label("E-mail").fill("insights@example.com")
    await owner.page.get_by_label("Password").fill(PASSWORD)
    await owner.testid("sign-in").click()
    await expect(owner.page.get_by_role("heading", name="Meetings", level=1)).to_be_visible()
    await owner.page.goto(f"{salon.base_url}/dashboard/insights")
    await owner.page.get_by_role("link", name=meeting.room_name).click()
    charts = owner.page.locator("figure[data-testid=chart-bitrate] polyline")
    await expect(charts).to_have_count(4)  # sent and received, for each of the two
    await owner.page.screenshot(path=str(SCREENSHOTS / "dashboard-insights.png"), full_page=True)
