"""One application's registry: the event metrics, the live-state collectors, the process's own
CPU, memory and file descriptors, and the scrape itself (refresh the async readings, render).

Salon serves from one process (`salon serve` runs one uvicorn worker), so the in-process registry
is exact; prometheus_client's multiprocess mode is not needed."""

import logging
from collections.abc import Awaitable, Callable

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector

from salon.metrics import events
from salon.metrics.collectors import BacklogReading

log = logging.getLogger(__name__)

BacklogQuery = Callable[[], Awaitable[tuple[int, int | None]]]
"""→ (pending deliveries, creation time of the oldest in epoch ms, or None)."""
ReadinessCheck = Callable[[], Awaitable[bool]]
"""What `/readyz` answers, as a boolean."""
Refresh = Callable[[], Awaitable[None]]
"""Another reading that needs I/O (the job queue), taken before each scrape."""


class Exposition:
    def __init__(
        self,
        collectors: list[Collector],
        backlog: BacklogReading,
        backlog_query: BacklogQuery,
        now_ms: Callable[[], int],
        ready: ReadinessCheck,
        refreshes: tuple[tuple[str, Refresh], ...] = (),
    ) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        GCCollector(registry=self.registry)  # it registers itself
        own: list[Collector] = [
            *events.ALL,
            ProcessCollector(registry=None),
            PlatformCollector(registry=None),
            *collectors,
        ]
        for collector in own:
            self.registry.register(collector)
        self._backlog = backlog
        self._backlog_query = backlog_query
        self._now_ms = now_ms
        self._ready = ready
        self._refreshes = refreshes
        self._ready_gauge = Gauge(
            "salon_ready",
            "1 when /readyz would answer 200 (the database reads and writes).",
            registry=self.registry,
        )

    async def refresh(self) -> None:
        """Read what needs I/O. A database that does not answer leaves the last readings (the
        job queue, the webhook backlog) and logs a warning rather than failing the scrape
        (`salon_ready` reports it)."""
        self._ready_gauge.set(1 if await self._ready() else 0)
        for what, refresh in self._refreshes:
            try:
                await refresh()
            except Exception as error:
                log.warning("metrics: could not read the %s (%s)", what, type(error).__name__)
        try:
            pending, oldest_ms = await self._backlog_query()
        except Exception as error:
            log.warning("metrics: could not read the webhook backlog (%s)", type(error).__name__)
            return
        self._backlog.pending = pending
        self._backlog.oldest_age_s = (
            0.0 if oldest_ms is None else max(0.0, (self._now_ms() - oldest_ms) / 1000)
        )

    async def render(self) -> tuple[bytes, str]:
        await self.refresh()
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
