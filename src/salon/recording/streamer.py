"""Live streaming of a group room to the meeting's RTMP URL, carried by the SFU: started by the
meeting's `automatic` trigger when the first participant is in, stopped when the room empties.
The destination is checked when streaming starts (`streaming.destination_problem`): a refused
one is logged and not streamed to.
"""

import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from salon.meetings.model import Meeting, RoomMode
from salon.recording.streaming import (
    destination_problem,
    streaming_options,
)
from salon.webhooks.destinations import Address, DestinationPolicy, parse_address
from salon.webhooks.service import resolve_host

log = logging.getLogger(__name__)


class StreamMedia(Protocol):
    async def stream(self, room_name: str, target: tuple[str, str | None] | None) -> None: ...


class LiveStreaming:
    def __init__(
        self,
        media: StreamMedia | None,
        policy: DestinationPolicy,
        resolve: Callable[[str], Awaitable[list[Address]]] = resolve_host,
    ) -> None:
        self._media = media
        self._policy = policy
        self._resolve = resolve
        self._streaming: set[str] = set()

    def streaming(self, room_name: str) -> bool:
        return room_name in self._streaming

    async def start(self, meeting: Meeting) -> str | None:
        """Start streaming the meeting's room; why not, when it cannot."""
        name = str(meeting.room_name)
        options = streaming_options(meeting.options)
        if self._media is None or meeting.room_mode is not RoomMode.GROUP:
            return "live streaming works in group rooms only"
        if options.target is None:
            return "this meeting has no streaming destination"
        if name in self._streaming:
            return None
        target = options.target
        literal = parse_address(target.host)
        addresses = [literal] if literal is not None else await self._resolve(target.host)
        problem = destination_problem(target, addresses, self._policy)
        if problem is not None:
            log.warning("streaming: %s: %s", name, problem)
            return problem
        self._streaming.add(name)
        await self._media.stream(name, target.pinned(addresses[0]))
        log.info("streaming: %s is live", name)
        return None

    async def stop(self, meeting: Meeting) -> None:
        name = str(meeting.room_name)
        if self._media is None or name not in self._streaming:
            return
        self._streaming.discard(name)
        await self._media.stream(name, None)
        log.info("streaming: %s stopped", name)
