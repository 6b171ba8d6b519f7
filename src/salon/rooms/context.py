"""The narrow context the room's collaborators share: send, broadcast, record, clock.

    collaborator ──ctx.send(room, who, notice)──► encode once ──► the client (or held for a
                                                     newcomer until `joined` leaves)
    collaborator ──ctx.broadcast(room, notice)──► encode once ──► every participant
    collaborator ──ctx.record(event)──► the room recorder (history and webhooks)

Nothing here decides anything: the rules are the `Room` aggregate's and the collaborators'.
"""

import asyncio
import logging
from collections.abc import Callable, Coroutine, Iterable
from typing import Any

from salon.clock import Clock
from salon.ids import ParticipantId
from salon.rooms.events import RoomEvent, RoomEventType
from salon.rooms.notices import Encoder, Frame, Notice
from salon.rooms.recorder import RoomRecorder
from salon.rooms.room import Room

log = logging.getLogger(__name__)


class RoomContext:
    def __init__(self, encode: Encoder, recorder: RoomRecorder, clock: Clock) -> None:
        self._encode = encode
        self._recorder = recorder
        self.clock = clock
        self._tasks: set[asyncio.Task[None]] = set()

    # --- to people --------------------------------------------------------------------------

    def send(self, room: Room, participant_id: ParticipantId, notice: Notice) -> None:
        self._deliver(room, participant_id, self._encode(notice))

    def broadcast(self, room: Room, notice: Notice, *, skip: ParticipantId | None = None) -> None:
        """To every participant (but `skip`), encoded once."""
        self.send_each(room, (p for p in room.state.participants if p != skip), notice)

    def to_hosts(self, room: Room, notice: Notice) -> None:
        self.send_each(room, (host.id for host in room.state.hosts()), notice)

    def send_each(self, room: Room, receivers: Iterable[ParticipantId], notice: Notice) -> None:
        frame: Frame | None = None
        for participant_id in receivers:
            frame = frame or self._encode(notice)
            self._deliver(room, participant_id, frame)

    def frame(self, notice: Notice) -> Frame:
        return self._encode(notice)

    @staticmethod
    def _deliver(room: Room, participant_id: ParticipantId, frame: Frame) -> None:
        held = room.holding.get(participant_id)
        if held is not None:
            held.append(frame)
            return
        client = room.clients.get(participant_id)
        if client is not None:
            client.send(frame)

    # --- to the record ------------------------------------------------------------------------

    def event(self, room: Room, kind: RoomEventType, **fields: Any) -> RoomEvent:
        counts = None
        if kind in (RoomEventType.CLIENT_JOINED, RoomEventType.CLIENT_LEFT):
            counts = room.state.count_by_role()
        return RoomEvent(
            type=kind,
            meeting=room.meeting,
            at_ms=self.clock(),
            session_id=room.session_id,
            count_by_role=counts,
            **fields,
        )

    async def record(self, event: RoomEvent) -> None:
        await self._recorder.record(event)

    # --- timers -------------------------------------------------------------------------------

    def later(
        self, delay_s: float, work: Callable[[], Coroutine[Any, Any, None]]
    ) -> asyncio.TimerHandle:
        """Run `work` after `delay_s` as a task of the room service."""
        return asyncio.get_running_loop().call_later(delay_s, self.spawn, work)

    def spawn(self, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
        task = asyncio.get_running_loop().create_task(work())
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("room timer failed", exc_info=task.exception())

    def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
