"""The Janus instances Salon may use, each with its one session, reconnected when it drops.

    managed:  JanusProcess ready ──► connect ──► up ──lost──► down ──► (process restarts) ──► …
    external: ws://a, ws://b ──► connect (retrying) ──► up ──lost──► down ──► retry ──► …

Rooms are placed on the instance up that forwards the fewest tracks (placement.py) and stay
there while it lives. `on_down(url)` and `on_up(url)` tell `JanusGroupMedia`, which moves the
rooms of a dead instance.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from salon.sfu.janus_client import JanusError, JanusSession
from salon.sfu.placement import instance_loads, place
from salon.sfu.process import JanusProcess

log = logging.getLogger(__name__)

RETRY_PAUSES_S = (0.2, 0.5, 1.0, 2.0, 5.0)
UP_WITHIN_S = 15.0
"""How long a join may wait for an instance to come up before the room has no SFU."""


class NoSfuUp(Exception):
    """No Janus instance is up."""


@dataclass
class Instance:
    """One Janus: a fixed URL (external) or a managed process whose URL changes at restarts."""

    name: str
    url: str = ""
    admin_key: str | None = None
    process: JanusProcess | None = None
    session: JanusSession | None = None
    lost: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def up(self) -> bool:
        return self.session is not None and self.session.lost is None


class JanusPool:
    def __init__(self, instances: list[Instance]) -> None:
        self.instances = {instance.name: instance for instance in instances}
        self.placed: dict[str, str] = {}
        """Room key → instance name."""
        self.on_up: Callable[[str], None] = lambda _name: None
        self.on_down: Callable[[str], None] = lambda _name: None
        self.tracks: Callable[[str], int] = lambda _room: 0
        """A room's forwarded tracks now (`JanusGroupMedia` knows them)."""
        self._changed = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._started = False

    @classmethod
    def external(cls, urls: list[str], admin_key: str | None) -> "JanusPool":
        return cls([Instance(name=url, url=url, admin_key=admin_key) for url in urls])

    @classmethod
    def managed(cls, process: JanusProcess) -> "JanusPool":
        return cls([Instance(name="managed", process=process)])

    def start(self) -> None:
        """Start (managed) and connect to the instances; the first room asks for it."""
        if self._started:
            return
        self._started = True
        for instance in self.instances.values():
            if instance.process is not None:
                self._tasks.append(asyncio.create_task(instance.process.supervise()))
            self._tasks.append(asyncio.create_task(self._keep_connected(instance)))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for instance in self.instances.values():
            if instance.session is not None:
                with contextlib.suppress(JanusError):
                    await asyncio.wait_for(instance.session.close(), 2.0)
            if instance.process is not None:
                await instance.process.stop()

    async def _keep_connected(self, instance: Instance) -> None:
        failures = 0
        while True:
            if instance.process is not None:
                await instance.process.wait_ready()
                instance.url = instance.process.url
                instance.admin_key = instance.process.admin_key
            try:
                session = await JanusSession.open(instance.url)
            except JanusError as error:
                pause = RETRY_PAUSES_S[min(failures, len(RETRY_PAUSES_S) - 1)]
                failures += 1
                if failures in (1, 10) or failures % 100 == 0:
                    log.warning("janus %s: %s; retrying", instance.name, error.reason)
                await asyncio.sleep(pause)
                continue
            failures = 0
            lost = asyncio.Event()
            session.on_lost = lambda _reason, lost=lost: lost.set()  # type: ignore[misc]
            instance.session = session
            log.info("janus %s: connected (%s)", instance.name, instance.url)
            self._changed.set()
            self.on_up(instance.name)
            await lost.wait()
            instance.session = None
            self.on_down(instance.name)
            if instance.process is not None:
                # The process may still look alive for a moment: wait for its own verdict.
                await asyncio.sleep(0.05)

    def up(self) -> frozenset[str]:
        return frozenset(name for name, instance in self.instances.items() if instance.up)

    def loads(self) -> dict[str, int]:
        return instance_loads(self.instances, self.placed, self.tracks)

    async def instance_for(self, room: str) -> Instance:
        """The instance carrying `room`, waiting a while for one to come up."""
        self.start()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + UP_WITHIN_S
        while True:
            name = place(room, self.placed, self.loads(), self.up())
            if name is not None:
                self.placed[room] = name
                return self.instances[name]
            left = deadline - loop.time()
            if left <= 0:
                raise NoSfuUp("no Janus instance is up")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), left)

    def release(self, room: str) -> None:
        self.placed.pop(room, None)
