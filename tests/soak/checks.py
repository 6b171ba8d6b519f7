"""What must hold after a soak or a chaos run, read from the database Salon wrote and from what the
webhook receiver got: meetings kept, outbox drained, every event delivered at least once, every
participant and session closed, with as many `left` events as `joined` ones."""

import asyncio
import json
import time
from dataclasses import dataclass, field

import httpx

from salon.storage.db import Database
from salon.storage.engines import open_database
from soak.load import Meetings
from webhook_helpers import Receiver

DRAIN_WITHIN_S = 180.0


@dataclass
class Verdict:
    figures: dict[str, object] = field(default_factory=dict)
    missed: list[str] = field(default_factory=list)

    def goal(self, ok: bool, what: str) -> None:
        if not ok:
            self.missed.append(what)


async def _count(db: Database, sql: str, params: dict[str, object] | None = None) -> int:
    row = await db.fetch_one(sql, params or {})
    assert row is not None
    return int(next(iter(row.values())))


async def meetings_kept(base_url: str, api_key: str, meetings: Meetings, verdict: Verdict) -> None:
    lost = []
    async with httpx.AsyncClient(
        base_url=base_url, headers={"Authorization": f"Bearer {api_key}"}, timeout=10
    ) as http:
        for meeting_id in list(meetings.acknowledged):
            if (await http.get(f"/v1/meetings/{meeting_id}")).status_code != 200:
                lost.append(meeting_id)
    verdict.figures["meetings acknowledged and kept"] = len(meetings.acknowledged) - len(lost)
    verdict.figures["meetings lost"] = len(lost)
    verdict.goal(not lost, f"{len(lost)} acknowledged meetings lost: {lost[:5]}")


async def database_closed_and_delivered(
    database_url: str, endpoint_id: str, receiver: Receiver, path: str, verdict: Verdict
) -> None:
    db = open_database(database_url)
    try:
        # A socket cut off mid-join is closed after the resume grace (20 s), then its `left`
        # and the session's end are recorded and delivered: wait for all of it, with a deadline.
        deadline = time.monotonic() + DRAIN_WITHIN_S
        pending = -1
        while time.monotonic() < deadline:
            pending = await _count(
                db, "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'pending'"
            )
            still_open = await _count(
                db, "SELECT COUNT(*) AS n FROM room_participants WHERE left_ms IS NULL"
            )
            if pending == 0 and still_open == 0:
                break
            await asyncio.sleep(1.0)  # the pause between two looks at the outbox
        failed = await _count(
            db, "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'failed'"
        )
        rows = await db.fetch_all(
            "SELECT event_id FROM webhook_deliveries WHERE endpoint_id = :e", {"e": endpoint_id}
        )
        queued = {row["event_id"] for row in rows}
        bodies = [json.loads(r.body) for r in receiver.at(path) if r.step == 200]
        delivered_ids = [body["id"] for body in bodies]
        missing = queued - set(delivered_ids)
        open_participants = await _count(
            db, "SELECT COUNT(*) AS n FROM room_participants WHERE left_ms IS NULL"
        )
        open_sessions = await _count(
            db, "SELECT COUNT(*) AS n FROM room_sessions WHERE ended_ms IS NULL"
        )
        joined = await _count(
            db, "SELECT COUNT(*) AS n FROM webhook_events WHERE type = 'room.client.joined'"
        )
        left = await _count(
            db, "SELECT COUNT(*) AS n FROM webhook_events WHERE type = 'room.client.left'"
        )
        started = await _count(
            db, "SELECT COUNT(*) AS n FROM webhook_events WHERE type = 'room.session.started'"
        )
        ended = await _count(
            db, "SELECT COUNT(*) AS n FROM webhook_events WHERE type = 'room.session.ended'"
        )
    finally:
        await db.close()
    verdict.figures |= {
        "webhook events queued": len(queued),
        "webhook events received (200)": len(set(delivered_ids)),
        "webhook duplicates received": len(delivered_ids) - len(set(delivered_ids)),
        "webhook deliveries pending at the end": pending,
        "webhook deliveries failed": failed,
        "participants left open": open_participants,
        "sessions left open": open_sessions,
        "joined/left events": f"{joined}/{left}",
        "session started/ended events": f"{started}/{ended}",
    }
    verdict.goal(pending == 0, f"{pending} webhook deliveries still pending")
    verdict.goal(failed == 0, f"{failed} webhook deliveries failed for good")
    verdict.goal(not missing, f"{len(missing)} webhook events never delivered")
    verdict.goal(open_participants == 0, f"{open_participants} participants never closed")
    verdict.goal(open_sessions == 0, f"{open_sessions} sessions never closed")
    verdict.goal(joined == left, f"{joined} client.joined events but {left} client.left")
    verdict.goal(started == ended, f"{started} session.started events but {ended} ended")
