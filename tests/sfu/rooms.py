"""What the SFU tests share: group meetings over HTTP, the managed Janus's process, and bots."""

import asyncio
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from browser.harness import FUTURE, POLL_S, Meeting, Meetings, Participant
from e2e.salon_process import SalonServer
from sfu.bots import Bot

WITHIN_S = 25.0
VETH_ADDRESS = "10.77.0.1"
"""The address of veth0 in the test namespace (scripts/test sets it up)."""


class GroupMeetings(Meetings):
    """The browser tests' meetings, made in `group` mode unless asked otherwise."""

    async def create(self, *, locked: bool = False, mode: str = "group") -> Meeting:
        return await super().create(locked=locked, mode=mode)

    def client(self) -> httpx.AsyncClient:
        """A client of the server's API, with its first key."""
        return httpx.AsyncClient(base_url=self.base_url, headers=self.headers, timeout=30)


async def create_group_meeting(
    api: httpx.AsyncClient, prefix: str, **fields: object
) -> dict[str, Any]:
    """`POST /v1/meetings` of a group room named `prefix`..., ending in the future: the meeting."""
    made = await api.post(
        "/v1/meetings",
        json={"endDate": FUTURE, "roomMode": "group", "roomNamePrefix": prefix, **fields},
    )
    assert made.status_code == 201, made.text
    result: dict[str, Any] = made.json()
    return result


def children_named(parent: int, name: str) -> list[int]:
    """The pids of `parent`'s children whose command is `name`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        command = stat[stat.index("(") + 1 : stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        if ppid == parent and command == name:
            found.append(int(entry.name))
    return found


def janus_pid(server: SalonServer) -> int | None:
    assert server.process is not None
    pids = children_named(server.process.pid, "janus")
    return pids[0] if pids else None


async def wait_for(
    condition: Callable[[], bool],
    what: str,
    within_s: float = WITHIN_S,
    detail: Callable[[], object] = lambda: "",
) -> float:
    """Poll until `condition()` holds; the seconds it took."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > within_s:
            raise AssertionError(f"{what} within {within_s} s {detail()}")
        await asyncio.sleep(POLL_S)
    return time.monotonic() - started


def kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)


async def bot_sent(bot: Bot, kind: str) -> int:
    """Packets of `kind` the bot's publisher connection has sent so far."""
    pc = bot.publisher
    assert pc is not None, f"{bot.name} does not publish"
    report = await pc.getStats()
    return sum(
        int(getattr(stats, "packetsSent", 0))
        for stats in report.values()
        if stats.type == "outbound-rtp" and stats.kind == kind
    )


def layers_asked(person: Participant, of: str) -> list[int]:
    """The simulcast layers the page asked for `of`'s camera, in its `sfu-view`s, in order."""
    return [
        video["substream"]
        for frame in person.frames_sent("sfu-view")
        for video in frame["videos"]
        if video["participantId"] == of and video["kind"] == "camera"
    ]
