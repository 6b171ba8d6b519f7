"""Room themes: set by the API (per room) and the dashboard (an organization's defaults), read
by room pages. Images are checked by decoding them (`images.py`) and kept in the database."""

import base64
import json
from dataclasses import dataclass

from salon.clock import Clock
from salon.errors import NotFound
from salon.ids import OrgId, RoomName
from salon.meetings.model import Meeting
from salon.meetings.service import MeetingService
from salon.storage import themes as theme_rows
from salon.storage.db import Database
from salon.themes.images import decoded_media_type
from salon.themes.model import (
    IMAGE_LIMIT_BYTES,
    ORG_DEFAULT,
    StoredPart,
    ThemePart,
    check_colors,
    check_preset,
    effective,
)


@dataclass(frozen=True, slots=True)
class ThemeImage:
    data: bytes
    media_type: str
    updated_ms: int


class ThemeService:
    def __init__(self, db: Database, clock: Clock, meetings: MeetingService) -> None:
        self._db = db
        self._clock = clock
        self._meetings = meetings

    async def _owned_room(self, org_id: OrgId, room_name: str) -> str:
        """The room's name if it is a room of this organization that exists, else `NotFound`
        (the same answer for another organization's room as for no room at all)."""
        meeting = await self._meetings.active_meeting(RoomName(room_name))
        if meeting is None or meeting.org_id != org_id:
            raise NotFound(f"room {room_name!r} not found")
        return room_name

    async def _target(self, org_id: OrgId, room_name: str | None) -> str:
        return ORG_DEFAULT if room_name is None else await self._owned_room(org_id, room_name)

    async def set_colors(
        self, org_id: OrgId, room_name: str | None, colors: dict[str, str] | None
    ) -> None:
        """Custom colours, or `None` to use the organization's (or Salon's) again."""
        target = await self._target(org_id, room_name)
        async with self._db.transaction() as tx:
            if colors is None:
                await theme_rows.delete_part(tx, org_id, target, ThemePart.TOKENS)
                return
            await theme_rows.put_part(
                tx,
                org_id,
                target,
                ThemePart.TOKENS,
                settings=json.dumps(check_colors(colors), sort_keys=True),
                image=None,
                image_type=None,
                now_ms=self._clock(),
            )

    async def set_image(
        self, org_id: OrgId, room_name: str | None, part: ThemePart, data: bytes
    ) -> None:
        target = await self._target(org_id, room_name)
        media_type = decoded_media_type(data, IMAGE_LIMIT_BYTES[part])
        async with self._db.transaction() as tx:
            await theme_rows.put_part(
                tx,
                org_id,
                target,
                part,
                settings=None,
                image=base64.b64encode(data).decode("ascii"),
                image_type=media_type,
                now_ms=self._clock(),
            )

    async def set_preset(
        self, org_id: OrgId, room_name: str | None, part: ThemePart, palette: str | None,
        theme: str | None,
    ) -> None:  # fmt: skip
        """A background's palette and pattern (Whereby's JSON form), replacing any image."""
        target = await self._target(org_id, room_name)
        preset = check_preset(palette, theme)
        async with self._db.transaction() as tx:
            await theme_rows.put_part(
                tx,
                org_id,
                target,
                part,
                settings=json.dumps(preset, sort_keys=True),
                image=None,
                image_type=None,
                now_ms=self._clock(),
            )

    async def reset(self, org_id: OrgId, room_name: str | None, part: ThemePart) -> None:
        """Back to the organization's part (for a room) or Salon's (for the defaults)."""
        target = await self._target(org_id, room_name)
        async with self._db.transaction() as tx:
            await theme_rows.delete_part(tx, org_id, target, part)

    async def parts(self, org_id: OrgId, room_name: str) -> dict[ThemePart, StoredPart]:
        """What a room shows (or, for `ORG_DEFAULT`, the organization's defaults)."""
        rows = await theme_rows.list_parts(self._db, org_id, (ORG_DEFAULT, room_name))
        layers: dict[str, dict[ThemePart, StoredPart]] = {ORG_DEFAULT: {}, room_name: {}}
        for row in rows:
            part = ThemePart(row["part"])
            settings = json.loads(row["settings"]) if row["settings"] else {}
            owner = str(row["room_name"])
            layers[owner][part] = StoredPart(
                part, settings, row["image_type"], int(row["updated_ms"]), owner
            )
        return effective(layers[ORG_DEFAULT], layers[room_name])

    async def room_theme(self, room_name: RoomName) -> tuple[Meeting, dict[ThemePart, StoredPart]]:
        """The theme of a room that can be entered now, for its page."""
        meeting = await self._meetings.active_meeting(room_name)
        if meeting is None:
            raise NotFound(f"room {room_name!r} not found")
        return meeting, await self.parts(meeting.org_id, room_name)

    async def image(self, room_name: RoomName, part: ThemePart) -> ThemeImage:
        """The image a room shows for `part` (its own, else its organization's), for its page."""
        meeting, shown = await self.room_theme(room_name)
        chosen = shown.get(part)
        row = None
        if chosen is not None and chosen.image_type is not None:
            row = await theme_rows.get_image(self._db, meeting.org_id, chosen.owner, part)
        if row is None:
            raise NotFound(f"no {part} image for {room_name!r}")
        return ThemeImage(
            base64.b64decode(row["image"]), str(row["image_type"]), int(row["updated_ms"])
        )
