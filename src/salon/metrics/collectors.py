"""Gauges read from live state when Prometheus scrapes, so the code owning that state needs no
metrics calls: rooms and participants (by mode and role), Janus instances, webhook outcomes and
backlog, the job queue. Each collector takes callables, not services, so this package imports no
service."""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector


@dataclass(frozen=True, slots=True)
class RoomSnapshot:
    mode: str
    roles: tuple[str, ...]
    """One entry per participant in the room."""
    knocking: int
    in_session: bool


class RoomsCollector(Collector):
    def __init__(self, rooms: Callable[[], Iterable[RoomSnapshot]]) -> None:
        self._rooms = rooms

    def collect(self) -> Iterator[Metric]:
        rooms = GaugeMetricFamily(
            "salon_rooms", "Live rooms in this process, by mode.", labels=["mode"]
        )
        people = GaugeMetricFamily(
            "salon_participants",
            "Participants in live rooms, by mode and role.",
            labels=["mode", "role"],
        )
        knocking = GaugeMetricFamily("salon_knocking", "People waiting at a locked room's door.")
        sessions = GaugeMetricFamily("salon_sessions_open", "Rooms with a session going on.")
        by_mode: dict[str, int] = {}
        by_role: dict[tuple[str, str], int] = {}
        waiting = open_sessions = 0
        for room in self._rooms():
            by_mode[room.mode] = by_mode.get(room.mode, 0) + 1
            for role in room.roles:
                by_role[(room.mode, role)] = by_role.get((room.mode, role), 0) + 1
            waiting += room.knocking
            open_sessions += room.in_session
        for mode, count in sorted(by_mode.items()):
            rooms.add_metric([mode], count)
        for (mode, role), count in sorted(by_role.items()):
            people.add_metric([mode, role], count)
        knocking.add_metric([], waiting)
        sessions.add_metric([], open_sessions)
        yield from (rooms, people, knocking, sessions)


class InstanceUsage(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def up(self) -> bool: ...
    @property
    def managed(self) -> bool: ...
    @property
    def rooms(self) -> int: ...
    @property
    def publishers(self) -> int: ...
    @property
    def forwarded_tracks(self) -> int: ...


class JanusCollector(Collector):
    """With no SFU configured `salon_janus_instances` is 0: alerts tell "none" from "down"."""

    def __init__(self, usage: Callable[[], Iterable[InstanceUsage]] | None) -> None:
        self._usage = usage

    def collect(self) -> Iterator[Metric]:
        labels = ["instance", "kind"]
        total = GaugeMetricFamily("salon_janus_instances", "Janus instances configured.")
        up = GaugeMetricFamily(
            "salon_janus_up", "1 while Salon holds a session with the instance.", labels=labels
        )
        rooms = GaugeMetricFamily(
            "salon_janus_rooms", "VideoRooms placed on the instance.", labels=labels
        )
        publishers = GaugeMetricFamily(
            "salon_janus_publishers", "Feeds published to the instance.", labels=labels
        )
        tracks = GaugeMetricFamily(
            "salon_janus_forwarded_tracks",
            "Tracks the instance forwards to subscribers.",
            labels=labels,
        )
        instances = list(self._usage()) if self._usage is not None else []
        total.add_metric([], len(instances))
        for instance in instances:
            key = [instance.name, "managed" if instance.managed else "external"]
            up.add_metric(key, int(instance.up))
            rooms.add_metric(key, instance.rooms)
            publishers.add_metric(key, instance.publishers)
            tracks.add_metric(key, instance.forwarded_tracks)
        yield from (total, up, rooms, publishers, tracks)


class DeliveryCounts(Protocol):
    @property
    def delivered(self) -> int: ...
    @property
    def retried(self) -> int: ...
    @property
    def failed(self) -> int: ...


@dataclass(slots=True)
class BacklogReading:
    """Filled by `Exposition.refresh` just before each scrape (the query is async)."""

    pending: int = 0
    oldest_age_s: float = 0.0


class WebhooksCollector(Collector):
    def __init__(self, counts: Callable[[], DeliveryCounts], backlog: BacklogReading) -> None:
        self._counts = counts
        self._backlog = backlog

    def collect(self) -> Iterator[Metric]:
        attempts = CounterMetricFamily(
            "salon_webhook_attempts",
            "Webhook delivery attempts by outcome: delivered, retried (to be retried), failed"
            " (final).",
            labels=["outcome"],
        )
        counts = self._counts()
        for outcome in ("delivered", "retried", "failed"):
            attempts.add_metric([outcome], getattr(counts, outcome))
        pending = GaugeMetricFamily("salon_webhook_pending", "Deliveries waiting in the outbox.")
        pending.add_metric([], self._backlog.pending)
        oldest = GaugeMetricFamily(
            "salon_webhook_oldest_pending_age_seconds",
            "Age of the oldest pending delivery (0 when none is pending).",
        )
        oldest.add_metric([], self._backlog.oldest_age_s)
        yield from (attempts, pending, oldest)


JOB_STATUSES = ("pending", "running")
OTHER_KIND = "other"


@dataclass(slots=True)
class JobQueueReading:
    """Filled by `Exposition.refresh` just before each scrape: (kind, status) → jobs."""

    counts: dict[tuple[str, str], int] = field(default_factory=dict)


class JobsCollector(Collector):
    """The queue's depth by kind and status. Every kind the runner handles has its series (0
    when idle); a kind it does not handle (another node's, an older version's) counts as
    `other`, so the label stays a bounded set."""

    def __init__(self, kinds: Callable[[], Iterable[str]], reading: JobQueueReading) -> None:
        self._kinds = kinds
        self._reading = reading

    def collect(self) -> Iterator[Metric]:
        queued = GaugeMetricFamily(
            "salon_jobs",
            "Background jobs waiting (pending) or running, by kind.",
            labels=["kind", "status"],
        )
        known = set(self._kinds())
        counts = dict.fromkeys(((kind, status) for kind in known for status in JOB_STATUSES), 0)
        for (kind, status), count in self._reading.counts.items():
            if status in JOB_STATUSES:
                key = (kind if kind in known else OTHER_KIND, status)
                counts[key] = counts.get(key, 0) + count
        for (kind, status), count in sorted(counts.items()):
            queued.add_metric([kind, status], count)
        yield queued
