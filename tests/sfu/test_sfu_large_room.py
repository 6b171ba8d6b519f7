"""A group room larger than one page of the grid, on its own `salon serve` with small caps: a
Chromium participant decodes only the videos on its page, turning the page changes which, a
talker on another page is heard (within a measured switch) and named, only the loudest voices
are received, and the room refuses the participant and the viewer past its caps, counted across
breakout groups."""

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from functools import partial
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import pytest_asyncio
from playwright.async_api import ViewportSize, expect

from browser.harness import Crowd, Person, join
from e2e.salon_process import SalonServer
from sfu.bots import Bot
from sfu.rooms import GroupMeetings, wait_for

CAP = 8
VIEWER_CAP = 1
VOICES = 2
BOTS = 6
SMALL_WINDOW: ViewportSize = {"width": 560, "height": 460}
"""Small enough that the grid's page holds fewer tiles than the room has people."""
WINDOW_S = 1.5
"""How long frames are counted to tell a decoding video from one that is not received."""

RECEIVING_JS = """
async (windowMs) => {
  const sfu = window.salonRoom.sfu;
  const sample = async () => {
    const out = {};
    if (!sfu.subscriber) return out;
    (await sfu.subscriber.getStats()).forEach((s) => {
      if (s.type !== 'inbound-rtp' || !s.mid) return;
      const info = sfu.streams.get(s.mid);
      if (!info) return;
      const key = `${info.participantId}/${s.kind}`;
      const count = s.kind === 'video' ? (s.framesDecoded || 0) : (s.packetsReceived || 0);
      out[key] = (out[key] || 0) + count;
    });
    return out;
  };
  const before = await sample();
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  const after = await sample();
  const growing = { video: [], audio: [] };
  for (const [key, count] of Object.entries(after)) {
    if (count > (before[key] || 0)) {
      const [id, kind] = key.split('/');
      growing[kind].push(id);
    }
  }
  return growing;
}
"""
SHOWN_JS = """
() => document.querySelector('salon-grid').shownTiles()
  .filter((t) => !t.isMe && t.kind === 'camera').map((t) => t.participantId)
"""


@pytest.fixture(scope="module")
def small_salon(
    private_network: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SalonServer]:
    """A server of its own: caps and voices this small would get in the other tests' way."""
    base = tmp_path_factory.mktemp("salon-large-room")
    caps = ["--group-capacity", str(CAP), "--group-viewer-capacity", str(VIEWER_CAP)]
    server = SalonServer.on(
        log_dir=base / "logs",
        data_dir=base / "data",
        extra_args=["--janus", "auto", *caps, "--sfu-voices", str(VOICES)],
    )
    with server:
        yield server


@pytest.fixture(scope="module")
def small_meetings(small_salon: SalonServer) -> GroupMeetings:
    key = small_salon.first_key
    assert key is not None, small_salon.stdout
    return GroupMeetings(small_salon.base_url, key)


@pytest_asyncio.fixture(loop_scope="session")
async def quiet_bots() -> AsyncIterator[list[Bot]]:
    made: list[Bot] = []
    yield made
    await asyncio.gather(*(bot.close() for bot in made))


def joined(bot: Bot) -> bool:
    return bot.id is not None


async def receiving(person: Person) -> dict[str, list[str]]:
    growing: dict[str, list[str]] = await person.page.evaluate(RECEIVING_JS, WINDOW_S * 1000)
    return growing


async def shown(person: Person) -> list[str]:
    ids: list[str] = await person.page.evaluate(SHOWN_JS)
    return ids


async def settle_on_page(person: Person, bots: list[Bot]) -> tuple[list[str], list[str]]:
    """Wait until what the page decodes is exactly the cameras it shows; both, as names."""
    names = {bot.pid: bot.name for bot in bots}
    seen: dict[str, Any] = {}

    async def matches() -> bool:
        seen["shown"] = await shown(person)
        seen["decoding"] = (await receiving(person))["video"]
        return bool(seen["shown"]) and sorted(seen["decoding"]) == sorted(seen["shown"])

    deadline = time.monotonic() + 45
    while not await matches():
        assert time.monotonic() < deadline, (
            f"decoding {[names.get(i, i) for i in seen['decoding']]}, "
            f"showing {[names.get(i, i) for i in seen['shown']]}"
        )
    return seen["shown"], seen["decoding"]


async def test_a_page_decodes_only_its_videos_and_hears_the_loudest_off_page(
    crowd: Crowd, small_meetings: GroupMeetings, small_salon: SalonServer, quiet_bots: list[Bot]
) -> None:
    meeting = await small_meetings.create()
    host = await crowd.person("Hana")
    await host.page.set_viewport_size(SMALL_WINDOW)
    await join(host, meeting.host_room_url)
    for index in range(BOTS):
        quiet_bots.append(
            Bot(small_salon.base_url, meeting.room_name, f"Bot {index}", speaking=False, view=[])
        )
    for bot in quiet_bots:  # one by one: the join order is the grid's order
        await bot.join()
        await wait_for(partial(joined, bot), f"{bot.name} joined")

    await expect(host.page.get_by_test_id("grid-pages")).to_be_visible()
    first_page, _ = await settle_on_page(host, quiet_bots)
    assert 0 < len(first_page) < BOTS, first_page

    await host.page.get_by_test_id("grid-next").click()
    await expect(host.page.get_by_test_id("grid-page")).to_contain_text("2")
    second_page, _ = await settle_on_page(host, quiet_bots)
    assert not set(second_page) & set(first_page), (first_page, second_page)

    # Nobody talks: the voices received are the first VOICES others, never more.
    heard = await receiving(host)
    assert 0 < len(heard["audio"]) <= VOICES, heard
    talker = next(b for b in quiet_bots if b.pid in first_page and b.pid not in heard["audio"])
    started = time.monotonic()
    talker.speak(True)

    async def talker_heard() -> bool:
        return talker.pid in (await receiving(host))["audio"]

    deadline = started + 30
    while not await talker_heard():
        assert time.monotonic() < deadline, f"{talker.name}'s voice never reached the page"
    switch_s = time.monotonic() - started - WINDOW_S
    print(f"audio switch: {talker.name} heard {switch_s:.2f} s after starting to talk "
          f"(at most; the counting window of {WINDOW_S} s taken off)")  # fmt: skip

    heard = await receiving(host)
    assert talker.pid in heard["audio"]
    assert len(heard["audio"]) <= VOICES, heard
    # On another page than the talker: named beside the page controls, its video not decoded.
    offpage = host.page.get_by_test_id("grid-offpage-speaker")
    await expect(offpage).to_contain_text(talker.name)
    assert talker.pid not in heard["video"]


async def test_the_room_refuses_past_its_caps_across_breakout_groups(
    small_meetings: GroupMeetings, small_salon: SalonServer, quiet_bots: list[Bot]
) -> None:
    meeting = await small_meetings.create()
    host_key = parse_qs(urlsplit(meeting.host_room_url).query)["roomKey"][0]
    viewer_key = parse_qs(urlsplit(meeting.viewer_room_url).query)["roomKey"][0]

    def bot(name: str, key: str | None = None) -> Bot:
        made = Bot(small_salon.base_url, meeting.room_name, name, room_key=key, publishes=False)
        quiet_bots.append(made)
        return made

    host = bot("Host", host_key)
    await host.join()
    await wait_for(lambda: host.id is not None, "the host joined")
    await host.send({"type": "breakout-start", "groups": ["Red", "Blue"]})
    guests = [bot(f"Guest {n}") for n in range(CAP - 1)]
    for guest in guests:
        await guest.join()
    await wait_for(lambda: all(g.id is not None for g in guests), "the guests joined")
    await host.send({"type": "breakout-assign", "participantId": guests[0].pid, "group": 1})
    viewer = bot("Viewer", viewer_key)
    await viewer.join()
    await wait_for(lambda: viewer.id is not None, "the viewer joined")

    late, late_viewer = bot("Late"), bot("Late viewer", viewer_key)
    for refused in (late, late_viewer):
        await refused.join()
    await wait_for(
        lambda: all(any(f["type"] == "room-full" for f in b.frames) for b in (late, late_viewer)),
        "both refused",
    )
    assert [f for f in late.frames if f["type"] == "room-full"] == [
        {"type": "room-full", "capacity": CAP}
    ]
    assert [f for f in late_viewer.frames if f["type"] == "room-full"] == [
        {"type": "room-full", "capacity": VIEWER_CAP, "role": "viewer"}
    ]
    assert late.id is None
    assert late_viewer.id is None
