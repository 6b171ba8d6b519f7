"""Cloud recording inside Janus: each VideoRoom of a recorded room (the room and its breakout
groups) writes every published track to its own `.mjr` file in the recording's folder.

A room made while recording is on is created with `record` and `rec_dir`; one that exists
already gets the folder by `edit` and starts with `enable_recording`, which also covers the
publishers that join later. Beside the tracks, `feeds.json` says whose each feed is and which of
its streams is a screen share, for the composition that follows.
"""

import contextlib
import json
import logging
from pathlib import Path
from typing import Any, Protocol

from salon.recording.model import FEEDS_FILE
from salon.sfu.janus_client import JanusError, JanusHandle

log = logging.getLogger(__name__)


class RecordedRoom(Protocol):
    key: str
    room_id: int
    secret: str
    monitor: JanusHandle | None


def base_name(space: str) -> str:
    """The room a space belongs to: `/room#group-2` is part of `/room`."""
    return space.split("#", 1)[0]


class RoomRecordings:
    def __init__(self) -> None:
        self._folders: dict[str, Path] = {}
        self._feeds: dict[str, dict[str, dict[str, Any]]] = {}

    def folder_of(self, space: str) -> Path | None:
        return self._folders.get(base_name(space))

    def create_options(self, space: str) -> dict[str, Any]:
        """What a VideoRoom made now needs in its `create` request."""
        folder = self.folder_of(space)
        return {} if folder is None else {"record": True, "rec_dir": str(folder)}

    async def switch(self, room_name: str, folder: Path | None, rooms: list[RecordedRoom]) -> None:
        """Start recording `room_name`'s VideoRooms into `folder`, or stop (None)."""
        if folder is None:
            self._folders.pop(room_name, None)
            self._feeds.pop(room_name, None)
        else:
            folder.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - one small folder
            self._folders[room_name] = folder
            self._feeds[room_name] = {}
        for room in rooms:
            if base_name(room.key) == room_name:
                await self._apply(room, folder)

    async def catch_up(self, room: RecordedRoom, created_with: dict[str, Any]) -> None:
        """A VideoRoom just made: if recording was switched while it was being made, apply the
        switch now (its `create` request had been written before)."""
        folder = self.folder_of(room.key)
        if created_with.get("rec_dir") != (None if folder is None else str(folder)):
            await self._apply(room, folder)

    async def _apply(self, room: RecordedRoom, folder: Path | None) -> None:
        if room.monitor is None:
            return  # being made: `catch_up` applies it once it is
        with contextlib.suppress(JanusError):
            if folder is not None:
                await room.monitor.request(
                    {
                        "request": "edit",
                        "room": room.room_id,
                        "secret": room.secret,
                        "new_rec_dir": str(folder),
                    }
                )
            await room.monitor.request(
                {
                    "request": "enable_recording",
                    "room": room.room_id,
                    "secret": room.secret,
                    "record": folder is not None,
                }
            )

    def note_feed(
        self, space: str, feed_id: int, participant_id: str, streams: list[dict[str, Any]]
    ) -> None:
        """Remember whose feed this is, in the recording's folder, while the room records."""
        folder = self.folder_of(space)
        if folder is None:
            return
        feeds = self._feeds.setdefault(base_name(space), {})
        screen = [str(s.get("mid")) for s in streams if s.get("description") == "screen"]
        feeds[str(feed_id)] = {"participantId": participant_id, "screenMids": screen}
        try:
            (folder / FEEDS_FILE).write_text(json.dumps(feeds))
        except OSError as error:
            log.warning("recording: cannot write %s: %s", folder / FEEDS_FILE, error)
