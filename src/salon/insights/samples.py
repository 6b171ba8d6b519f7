"""Participants' quality samples, gathered in memory and written in batches.

A sample costs its sender one small frame every two seconds and the server one append to a list;
a flush (every `FLUSH_INTERVAL_S`, and when the process stops) writes each participant's new
samples as one row, in one transaction for everyone. So the database sees a row per participant
per flush rather than a row per sample. A crash loses at most the samples of one interval, which
insights can afford; the room history (who was there, when) is written at once, elsewhere.
"""

import asyncio
import logging
from dataclasses import dataclass, field

from salon.clock import Clock
from salon.insights.model import QualitySample, encode_samples
from salon.storage import insights as insight_rows
from salon.storage.db import Database

log = logging.getLogger(__name__)

FLUSH_INTERVAL_S = 5.0
USER_AGENT_MAX = 512
FLUSH_CHUNK = 500
"""Participants per transaction of a flush: the event loop gets a turn between chunks, so a flush
for thousands of participants never stalls the room sockets of the process for long."""
MAX_PENDING_PER_PARTICIPANT = 64
"""Samples kept for one participant between flushes; more means a flood, and the oldest go."""


@dataclass(slots=True)
class _Pending:
    user_agent: str
    samples: list[tuple[int, QualitySample]] = field(default_factory=list)


class SampleBuffer:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._pending: dict[str, _Pending] = {}
        self._known: set[str] = set()
        self.stored = 0
        """Samples written so far by this process."""

    def add(self, participant_id: str, user_agent: str, sample: QualitySample) -> None:
        pending = self._pending.get(participant_id)
        if pending is None:
            pending = self._pending[participant_id] = _Pending(user_agent[:USER_AGENT_MAX])
        if len(pending.samples) >= MAX_PENDING_PER_PARTICIPANT:
            del pending.samples[0]
        pending.samples.append((self._clock(), sample))

    async def flush(self) -> int:
        """Write what is pending; the number of samples written."""
        if not self._pending:
            return 0
        pending, self._pending = self._pending, {}
        segments = [
            (participant_id, batch.user_agent, batch.samples[0][0])
            for participant_id, batch in pending.items()
            if participant_id not in self._known
        ]
        chunks = [
            (
                participant_id,
                batch.samples[0][0],
                batch.samples[-1][0],
                encode_samples(batch.samples),
            )
            for participant_id, batch in pending.items()
        ]
        async with self._db.transaction() as tx:
            await insight_rows.insert_samples(tx, segments, chunks)
        self._known.update(participant_id for participant_id, _, _ in segments)
        if len(self._known) > 100_000:
            self._known.clear()  # only saves re-inserting segment rows; ON CONFLICT covers it
        written = sum(len(batch.samples) for batch in pending.values())
        self.stored += written
        return written

    async def delete_older_than(self, cutoff_ms: int) -> int:
        async with self._db.transaction() as tx:
            return await insight_rows.delete_older_than(tx, cutoff_ms)

    async def run(self, retention_ms: int, sweep_every_s: float) -> None:
        """Flush every interval and drop samples past their retention, forever."""
        since_sweep = sweep_every_s
        while True:
            await asyncio.sleep(FLUSH_INTERVAL_S)
            try:
                await self.flush()
                since_sweep += FLUSH_INTERVAL_S
                if since_sweep >= sweep_every_s:
                    since_sweep = 0.0
                    await self.delete_older_than(self._clock() - retention_ms)
            except Exception:
                log.exception("storing quality samples failed; retrying at the next interval")
