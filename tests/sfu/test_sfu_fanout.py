"""One Chromium publisher and eight subscribers (aiortc bots; four of them viewers) in a group
room: every subscriber decodes the publisher's video and receives its audio through Janus, and a
viewer's attempt to publish is refused."""

import asyncio
import time
from urllib.parse import parse_qs, urlsplit

from browser.harness import Crowd, join
from e2e.salon_process import SalonServer
from sfu.bots import Bot
from sfu.rooms import GroupMeetings, wait_for

SUBSCRIBERS = 8
MIN_VIDEO_FRAMES = 20
MIN_AUDIO_FRAMES = 50


async def test_one_publisher_reaches_eight_subscribers_and_viewers_cannot_publish(
    crowd: Crowd, meetings: GroupMeetings, salon: SalonServer, bots: list[Bot]
) -> None:
    meeting = await meetings.create()
    viewer_key = parse_qs(urlsplit(meeting.viewer_room_url).query)["roomKey"][0]
    host = await crowd.person("Hana")
    await join(host, meeting.host_room_url)

    for index in range(SUBSCRIBERS):
        is_viewer = index % 2 == 1
        bots.append(
            Bot(
                salon.base_url,
                meeting.room_name,
                f"{'Viewer' if is_viewer else 'Guest'} {index}",
                room_key=viewer_key if is_viewer else None,
                publishes=False,
            )
        )
    started = time.monotonic()
    await asyncio.gather(*(bot.join() for bot in bots))

    def everyone_receives() -> bool:
        return all(
            bot.received[host.pid].video_frames >= MIN_VIDEO_FRAMES
            and bot.received[host.pid].audio_frames >= MIN_AUDIO_FRAMES
            for bot in bots
            if bot.id is not None
        ) and all(bot.id is not None for bot in bots)

    took = await wait_for(
        everyone_receives,
        f"{SUBSCRIBERS} subscribers decode the publisher",
        detail=lambda: {bot.name: bot.received.get(host.pid) for bot in bots},
    )
    firsts = [bot.received[host.pid].first_frame_at for bot in bots]
    print(f"{SUBSCRIBERS} subscribers receiving after {took:.1f} s; first frames "
          f"{sorted(round(f - started, 2) for f in firsts if f is not None)}")  # fmt: skip

    roles = {bot.name: next(f["role"] for f in bot.frames if f["type"] == "joined") for bot in bots}
    assert sorted(roles.values()) == ["viewer"] * 4 + ["visitor"] * 4, roles
    viewer = next(bot for bot in bots if roles[bot.name] == "viewer")
    await viewer.send(
        {"type": "sfu-publish", "description": {"type": "offer", "sdp": "v=0\r\n"}, "restart": True}
    )
    refused = await wait_for(
        lambda: any(
            f["type"] == "error" and f.get("about") == "sfu-publish" for f in viewer.frames
        ),
        "the viewer's publish refused",
    )
    assert refused >= 0
    [error] = [f for f in viewer.frames if f["type"] == "error"]
    assert error == {
        "type": "error",
        "code": "not_allowed",
        "message": "a viewer cannot send audio or video",
        "about": "sfu-publish",
    }
