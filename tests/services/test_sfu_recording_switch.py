"""Switching recording on the VideoRooms of a room, with a monitor handle that notes its requests:
rooms made already get the folder and `enable_recording`; a room being made when recording starts
(its `create` written before) catches up once made; breakout groups belong to their room."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from salon.sfu.recording import RoomRecordings


@dataclass
class Monitor:
    requests: list[dict[str, Any]] = field(default_factory=list)

    async def request(self, body: dict[str, Any]) -> tuple[dict[str, Any], None]:
        self.requests.append(body)
        return {}, None


@dataclass
class Room:
    key: str
    room_id: int = 7
    secret: str = "s"
    monitor: Monitor | None = None


def asked(room: Room) -> list[tuple[str, object]]:
    assert room.monitor is not None
    return [(r["request"], r.get("new_rec_dir", r.get("record"))) for r in room.monitor.requests]


async def test_made_rooms_and_their_groups_record_into_the_folder(tmp_path: Path) -> None:
    recordings = RoomRecordings()
    main, group, other = (
        Room("/r", monitor=Monitor()),
        Room("/r#group-1", monitor=Monitor()),
        Room("/s", monitor=Monitor()),
    )
    folder = tmp_path / "rec" / "tracks"
    await recordings.switch("/r", folder, [main, group, other])  # type: ignore[list-item]
    assert folder.is_dir()
    for room in (main, group):
        assert asked(room) == [("edit", str(folder)), ("enable_recording", True)]
    assert asked(other) == []
    assert recordings.create_options("/r#group-2") == {"record": True, "rec_dir": str(folder)}
    await recordings.switch("/r", None, [main, group, other])  # type: ignore[list-item]
    assert asked(main)[-1] == ("enable_recording", False)
    assert recordings.create_options("/r") == {}


async def test_a_room_being_made_when_recording_starts_catches_up(tmp_path: Path) -> None:
    recordings = RoomRecordings()
    making = Room("/r")
    created_with = recordings.create_options("/r")  # its create request, written first
    folder = tmp_path / "tracks"
    await recordings.switch("/r", folder, [making])  # type: ignore[list-item]
    making.monitor = Monitor()  # now it is made
    await recordings.catch_up(making, created_with)  # type: ignore[arg-type]
    assert asked(making) == [("edit", str(folder)), ("enable_recording", True)]
    made_after = Room("/r", monitor=Monitor())
    await recordings.catch_up(made_after, recordings.create_options("/r"))  # type: ignore[arg-type]
    assert asked(made_after) == []
