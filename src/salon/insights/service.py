"""Insights for one organization: its rooms, their sessions, their participants, and one
participant's quality and activity. Read from the room history Salon records (a session starts
at two people; each reconnection after the resume grace is a new participant segment) and from
the quality samples; minutes are rounded up per connection. Pages are cursors over a sorted
result (the cursor is the offset of the next page)."""

from dataclasses import dataclass
from typing import Any

from salon.clock import Clock
from salon.errors import InvalidInput
from salon.ids import OrgId
from salon.insights.model import (
    SAMPLE_RATE_MS,
    QualitySample,
    activity_events,
    decode_samples,
    parse_sort,
)
from salon.meetings.model import format_date_time, offset_of, offset_page
from salon.storage import insights as insight_rows
from salon.storage.db import Database, Row

ROOM_SORTS = {
    "roomName": "room_name",
    "createdAt": "created_ms",
    "endAt": "end_ms",
    "firstSessionStartedAt": "first_started_ms",
    "lastSessionStartedAt": "last_started_ms",
    "totalParticipantMinutes": "participant_minutes",
    "totalRecorderMinutes": "recorder_minutes",
    "totalStreamerMinutes": "streamer_minutes",
    "totalUniqueParticipants": "unique_participants",
    "totalUniqueRecorders": "unique_recorders",
    "totalUniqueStreamers": "unique_streamers",
    "totalSessions": "total_sessions",
}
SESSION_SORTS = {
    "startedAt": "started_ms",
    "endedAt": "ended_ms",
    "createdAt": "started_ms",
    "endAt": "ended_ms",
    "totalParticipantMinutes": "participant_minutes",
    "totalRecorderMinutes": "recorder_minutes",
    "totalStreamerMinutes": "streamer_minutes",
    "totalUniqueParticipants": "unique_participants",
    "totalUniqueRecorders": "unique_recorders",
    "totalUniqueStreamers": "unique_streamers",
}
PARTICIPANT_SORTS = {"joinedAt": "joined_ms", "leftAt": "left_ms"}
FILTER_MAX = 200


@dataclass(frozen=True, slots=True)
class Page:
    results: list[dict[str, Any]]
    cursor: str | None


@dataclass(frozen=True, slots=True)
class RoomFilter:
    exact: str | None = None
    starts_with: str | None = None
    contains: str | None = None
    created_from: int | None = None
    created_to: int | None = None


def _date(ms: object) -> str | None:
    return None if ms is None else format_date_time(int(str(ms)))


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _figures(row: Row) -> dict[str, Any]:
    return {
        "totalParticipantMinutes": int(row["participant_minutes"]),
        "totalRecorderMinutes": int(row["recorder_minutes"]),
        "totalStreamerMinutes": int(row["streamer_minutes"]),
        "totalUniqueParticipants": int(row["unique_participants"]),
        "totalUniqueRecorders": int(row["unique_recorders"]),
        "totalUniqueStreamers": int(row["unique_streamers"]),
        "rating": None,
        "totalRatings": None,
    }


class InsightsService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def rooms(
        self, org_id: OrgId, found: RoomFilter, sort: str | None, cursor: str | None, limit: int
    ) -> Page:
        column, descending = parse_sort(sort, tuple(ROOM_SORTS), "createdAt:desc")
        offset = offset_of(cursor)
        like = []
        if found.starts_with is not None:
            like.append(_like_escaped(found.starts_with.lower()) + "%")
        if found.contains is not None:
            like.append("%" + _like_escaped(found.contains.lower()) + "%")
        rows = await insight_rows.list_rooms(
            self._db,
            org_id,
            exact=found.exact,
            like=like,
            created_from=found.created_from,
            created_to=found.created_to,
            sort_column=ROOM_SORTS[column],
            descending=descending,
            offset=offset,
            limit=limit + 1,
            now_ms=self._clock(),
        )
        shown, next_cursor = offset_page(rows, offset, limit)
        return Page(
            [
                {
                    "roomName": row["room_name"],
                    "createdAt": _date(row["created_ms"]),
                    "endAt": _date(row["end_ms"]),
                    "firstSessionStartedAt": _date(row["first_started_ms"]),
                    "lastSessionStartedAt": _date(row["last_started_ms"]),
                    "totalSessions": int(row["total_sessions"]),
                    **_figures(row),
                }
                for row in shown
            ],
            next_cursor,
        )

    async def sessions(
        self,
        org_id: OrgId,
        room_name: str,
        session_id: str | None,
        sort: str | None,
        cursor: str | None,
        limit: int,
    ) -> Page:
        column, descending = parse_sort(sort, tuple(SESSION_SORTS), "startedAt:desc")
        offset = offset_of(cursor)
        rows = await insight_rows.list_sessions(
            self._db,
            org_id,
            room_name,
            session_id,
            sort_column=SESSION_SORTS[column],
            descending=descending,
            offset=offset,
            limit=limit + 1,
            now_ms=self._clock(),
        )
        shown, next_cursor = offset_page(rows, offset, limit)
        results = []
        for row in shown:
            started, ended = _date(row["started_ms"]), _date(row["ended_ms"])
            results.append(
                {
                    "roomSessionId": row["id"],
                    "roomName": row["room_name"],
                    "startedAt": started,
                    "endedAt": ended,
                    # Whereby's schema requires these names for the same two times.
                    "createdAt": started,
                    "endAt": ended,
                    **_figures(row),
                }
            )
        return Page(results, next_cursor)

    async def participants(
        self,
        org_id: OrgId,
        session_id: str | None,
        external_id: str | None,
        sort: str | None,
        cursor: str | None,
        limit: int,
    ) -> Page:
        if session_id is None and external_id is None:
            raise InvalidInput("roomSessionId or externalId is required")
        column, descending = parse_sort(sort, tuple(PARTICIPANT_SORTS), "joinedAt:asc")
        offset = offset_of(cursor)
        rows = await insight_rows.list_participants(
            self._db,
            org_id,
            session_id=session_id,
            external_id=external_id,
            sort_column=PARTICIPANT_SORTS[column],
            descending=descending,
            offset=offset,
            limit=limit + 1,
        )
        shown, next_cursor = offset_page(rows, offset, limit)
        return Page(
            [
                {
                    "roomSessionId": row["room_session_id"],
                    "participantId": row["id"],
                    "deviceId": None,
                    "userId": None,
                    "roleName": row["role"],
                    "displayName": row["display_name"],
                    "joinedAt": _date(row["joined_ms"]),
                    "leftAt": _date(row["left_ms"]),
                    "externalId": row["external_id"],
                    "rating": None,
                    "tags": None,
                    "comment": None,
                }
                for row in shown
            ],
            next_cursor,
        )

    async def participant(
        self, org_id: OrgId, session_id: str, participant_id: str
    ) -> list[dict[str, Any]]:
        """One participant segment's quality and activity; `[]` when the organization has no
        such participant in that session."""
        row = await insight_rows.get_participant(self._db, org_id, session_id, participant_id)
        if row is None:
            return []
        samples: list[tuple[int, QualitySample]] = []
        for text in await insight_rows.list_sample_rows(self._db, participant_id):
            samples.extend(decode_samples(text))
        left_ms = None if row["left_ms"] is None else int(row["left_ms"])
        events = activity_events(int(row["joined_ms"]), left_ms, samples)
        return [
            {
                "displayName": row["display_name"],
                "userRole": row["role"],
                "userAgent": row["user_agent"] or "",
                "timeStamp": _date(row["joined_ms"]),
                "sampleRateMs": SAMPLE_RATE_MS,
                "samples": {
                    "timeStamp": [format_date_time(at) for at, _ in samples],
                    "packetLossSend": [s.packet_loss_send for _, s in samples],
                    "packetLossRecv": [s.packet_loss_recv for _, s in samples],
                    "bitrateSend": [s.bitrate_send for _, s in samples],
                    "bitrateRecv": [s.bitrate_recv for _, s in samples],
                },
                "events": [{"type": kind.value, "at": format_date_time(at)} for kind, at in events],
            }
        ]
