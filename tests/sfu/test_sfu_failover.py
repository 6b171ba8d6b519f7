"""Failover between two external Janus instances (`--janus ws://A,ws://B --janus-admin-key K`).

Two Janus processes started here (with Salon's own config writer) and a `salon serve` that uses
both; a group room with two aiortc bots that publish and subscribe. The Janus that carries the
room (the one whose VideoRoom lists it) is killed with SIGKILL: within 10 s both bots decode
each other again through the other instance, and a new room is placed there too. Once the killed
instance is back, Salon reconnects to it and places the next room there, the least loaded.
"""

import asyncio
import os
import secrets
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest_asyncio

from e2e.salon_process import SalonServer
from salon.sfu.janus_client import JanusError, JanusSession
from salon.sfu.process import free_port, janus_binary, janus_library_dir, write_config
from sfu.bots import Bot
from sfu.rooms import GroupMeetings, wait_for

RECOVERY_WITHIN_S = 10.0
READY_WITHIN_S = 15.0
STOP_WITHIN_S = 5.0
DECODED_VIDEO = 20
"""More than a second and a half of the bots' 15 fps: pictures that keep coming."""
DECODED_AUDIO = 50
"""A second of 20 ms audio frames."""


@dataclass
class ExternalJanus:
    """A Janus that Salon does not manage: started and stopped here, by pid."""

    url: str
    process: asyncio.subprocess.Process
    folder: Path

    @property
    def alive(self) -> bool:
        return self.process.returncode is None


async def _answers(url: str) -> bool:
    try:
        session = await JanusSession.open(url, timeout_s=2.0)
    except JanusError:
        return False
    try:
        info = await session.info()
    finally:
        await session.close()
    return info.get("server-name") == "salon-janus"


async def start_janus(folder: Path, admin_key: str) -> ExternalJanus:
    port = free_port()
    write_config(
        folder,
        ws_port=port,
        admin_secret=secrets.token_urlsafe(24),
        admin_key=admin_key,
        rtp_ports="20000-40000",
        library_dir=janus_library_dir(),
    )
    return await launch_janus(folder, f"ws://127.0.0.1:{port}")


async def launch_janus(folder: Path, url: str) -> ExternalJanus:
    """Run Janus on the configuration in `folder` until it answers at `url`."""
    binary = janus_binary()
    assert binary is not None, "janus is missing: apt-get install -y janus"
    log = folder / "janus.log"
    process = await asyncio.create_subprocess_exec(
        *[binary, "-F", str(folder), "-o", "-N", "-L", str(log)],
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
        start_new_session=True,
    )
    janus = ExternalJanus(url, process, folder)
    deadline = time.monotonic() + READY_WITHIN_S
    while not await _answers(janus.url):
        assert janus.alive, f"janus exited with {process.returncode}; see {log}"
        assert time.monotonic() < deadline, f"janus did not answer within {READY_WITHIN_S} s"
        await asyncio.sleep(0.1)  # between two polls of a condition
    return janus


async def stop_janus(janus: ExternalJanus) -> None:
    """SIGTERM by pid, then SIGKILL if it has not ended within a few seconds."""
    if janus.alive:
        os.kill(janus.process.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(janus.process.wait(), STOP_WITHIN_S)
        except TimeoutError:
            os.kill(janus.process.pid, signal.SIGKILL)
    await janus.process.wait()


async def rooms_on(janus: ExternalJanus, admin_key: str) -> list[dict[str, Any]]:
    """The VideoRooms this Janus carries (private ones too: the admin key lists them)."""
    session = await JanusSession.open(janus.url, timeout_s=2.0)
    try:
        handle = await session.attach()
        data, _ = await handle.request({"request": "list", "admin_key": admin_key})
        await handle.detach()
    finally:
        await session.close()
    rooms: list[dict[str, Any]] = data.get("list", [])
    return rooms


@pytest_asyncio.fixture(loop_scope="session")
async def januses(tmp_path: Path) -> AsyncIterator[tuple[str, list[ExternalJanus]]]:
    admin_key = secrets.token_urlsafe(24)
    started: list[ExternalJanus] = []
    try:
        for name in ("a", "b"):
            started.append(await start_janus(tmp_path / f"janus-{name}", admin_key))
        yield admin_key, started
    finally:
        for janus in started:
            await stop_janus(janus)


def decoding(bot: Bot, other: Bot, since: tuple[int, int] = (0, 0)) -> bool:
    got = bot.received[other.pid]
    return (
        got.video_frames - since[0] >= DECODED_VIDEO
        and got.audio_frames - since[1] >= DECODED_AUDIO
    )


def counts(bot: Bot, other: Bot) -> tuple[int, int]:
    got = bot.received[other.pid]
    return got.video_frames, got.audio_frames


async def test_the_janus_carrying_a_room_is_killed_and_the_room_moves_to_the_other_within_10_s(
    januses: tuple[str, list[ExternalJanus]], tmp_path: Path, bots: list[Bot]
) -> None:
    admin_key, instances = januses
    server = SalonServer.on(
        log_dir=tmp_path / "logs",
        data_dir=tmp_path / "data",
        extra_args=[
            "--janus",
            ",".join(janus.url for janus in instances),
            "--janus-admin-key",
            admin_key,
        ],
    )
    with server:

        def log_tail() -> str:
            return (server.stdout + server.stderr)[-6000:]

        key = server.first_key
        assert key is not None, f"no API key in the banner of salon serve:\n{server.stdout}"
        meetings = GroupMeetings(server.base_url, key)
        meeting = await meetings.create()
        ada = Bot(server.base_url, meeting.room_name, "Ada")
        bob = Bot(server.base_url, meeting.room_name, "Bob")
        bots += [ada, bob]
        for bot in (ada, bob):
            await bot.join()
        await wait_for(lambda: ada.id is not None and bob.id is not None, "both joined")
        await wait_for(
            lambda: decoding(ada, bob) and decoding(bob, ada),
            "the bots decode each other",
            detail=lambda: (ada.received, bob.received, log_tail()),
        )

        carried = [await rooms_on(janus, admin_key) for janus in instances]
        assert sorted(len(rooms) for rooms in carried) == [0, 1], carried
        host, survivor = (
            (instances[0], instances[1]) if carried[0] else (instances[1], instances[0])
        )

        frames_before = {bot.name: len(bot.frames) for bot in (ada, bob)}
        os.kill(host.process.pid, signal.SIGKILL)
        killed_at = time.monotonic()

        def left() -> float:
            return max(0.5, RECOVERY_WITHIN_S - (time.monotonic() - killed_at))

        # Count only what arrives on the new subscriptions: each bot has been told
        # `ready`, dropped its old connections, and received a new subscriber offer.
        def new_offer(bot: Bot) -> bool:
            after = bot.frames[frames_before[bot.name] :]
            kinds = [frame["type"] for frame in after]
            return "sfu-offer" in kinds and any(
                frame["type"] == "sfu-state" and frame["state"] == "ready" for frame in after
            )

        await wait_for(
            lambda: new_offer(ada) and new_offer(bob),
            "both bots offered a new subscription",
            within_s=left(),
            detail=lambda: (ada.states, bob.states, log_tail()),
        )
        since = {"ada": counts(ada, bob), "bob": counts(bob, ada)}
        await wait_for(
            lambda: decoding(ada, bob, since["ada"]) and decoding(bob, ada, since["bob"]),
            "the bots decode each other again",
            within_s=left(),
            detail=lambda: (since, ada.received, bob.received, log_tail()),
        )
        took = time.monotonic() - killed_at
        assert took <= RECOVERY_WITHIN_S, f"decoding again after {took:.1f} s"
        await host.process.wait()
        assert ada.states == ["reconnecting", "ready"], ada.states
        assert bob.states == ["reconnecting", "ready"], bob.states
        moved = await rooms_on(survivor, admin_key)
        assert len(moved) == 1, moved
        # Salon's monitor handle and the two bots' publishers.
        assert moved[0]["num_participants"] == 3, moved

        # A room made now goes to the instance that is up.
        second = await meetings.create()
        cleo = Bot(server.base_url, second.room_name, "Cleo")
        bots.append(cleo)
        await cleo.join()
        await wait_for(lambda: cleo.id is not None, "Cleo joined")
        survivor_rooms: list[dict[str, Any]] = []

        async def placed_on_survivor() -> bool:
            survivor_rooms[:] = await rooms_on(survivor, admin_key)
            return len(survivor_rooms) == 2

        await poll_until(placed_on_survivor, lambda: (survivor_rooms, log_tail()))
        assert survivor.alive

        # The killed instance comes back at its URL: Salon reconnects (it retries every few
        # seconds) and the next room goes there, where nothing is placed.
        returned = await launch_janus(host.folder, host.url)
        instances[instances.index(host)] = returned  # stopped by the fixture
        reconnected = f"connected ({host.url})"
        await wait_for(
            lambda: (server.stdout + server.stderr).count(reconnected) == 2,
            "Salon reconnected",
            detail=log_tail,
        )
        third = await meetings.create()
        dan = Bot(server.base_url, third.room_name, "Dan")
        bots.append(dan)
        await dan.join()
        returned_rooms: list[dict[str, Any]] = []

        async def placed_on_returned() -> bool:
            returned_rooms[:] = await rooms_on(returned, admin_key)
            return len(returned_rooms) == 1

        await poll_until(placed_on_returned, lambda: (returned_rooms, log_tail()))
        assert len(await rooms_on(survivor, admin_key)) == 2
        print(f"failover to the other Janus in {took:.1f} s after SIGKILL")


async def poll_until(condition: Callable[[], Awaitable[bool]], detail: Callable[[], Any]) -> None:
    deadline = time.monotonic() + RECOVERY_WITHIN_S
    while not await condition():
        assert time.monotonic() < deadline, detail()
        await asyncio.sleep(0.25)  # between two polls of a condition
