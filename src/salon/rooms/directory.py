"""The live rooms of this process, by name: made on a first join, dropped once idle."""

from salon.ids import OrgId, RoomName
from salon.meetings.model import Meeting
from salon.recording.options import RecordingType
from salon.rooms.room import Room
from salon.rooms.state import GroupCaps, RoomState


class RoomDirectory:
    def __init__(self, group_caps: GroupCaps) -> None:
        self._group_caps = group_caps
        self._rooms: dict[RoomName, Room] = {}

    def get(self, name: RoomName) -> Room | None:
        return self._rooms.get(name)

    def open(
        self,
        meeting: Meeting,
        *,
        recording: RecordingType = RecordingType.NONE,
        live_transcription: bool = False,
    ) -> Room:
        """The meeting's live room, made if it is not open yet; `recording` (what its hosts may
        record, read when it is made) puts a cloud-recorded room's media on the SFU, and
        `live_transcription` a live-transcribed room's."""
        room = self._rooms.get(meeting.room_name)
        if room is None:
            state = RoomState(
                meeting.room_name,
                meeting.room_mode,
                meeting.is_locked,
                group_caps=self._group_caps,
                recording=recording,
                live_transcription=live_transcription,
            )
            room = self._rooms[meeting.room_name] = Room(meeting, state)
        return room

    def drop_if_idle(self, room: Room) -> None:
        if room.idle:
            self.forget(room)

    def forget(self, room: Room) -> None:
        if self._rooms.get(room.state.name) is room:
            del self._rooms[room.state.name]

    def of_org(self, org_id: OrgId) -> list[Room]:
        return [room for room in self._rooms.values() if room.meeting.org_id == org_id]

    def all(self) -> list[Room]:
        return list(self._rooms.values())
