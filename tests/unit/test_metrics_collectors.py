"""The scrape-time collectors turn live state into bounded gauges: rooms by mode, participants by
mode and role, Janus instances by name and kind, webhook outcomes and backlog."""

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from salon.metrics import events
from salon.metrics.collectors import (
    BacklogReading,
    JanusCollector,
    JobQueueReading,
    JobsCollector,
    RoomsCollector,
    RoomSnapshot,
    WebhooksCollector,
)


@dataclass
class Usage:
    name: str
    up: bool
    managed: bool
    rooms: int
    publishers: int
    forwarded_tracks: int


@dataclass
class Counts:
    delivered: int = 7
    retried: int = 2
    failed: int = 1


def scrape(*collectors: object) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    registry = CollectorRegistry()
    for collector in collectors:
        registry.register(collector)  # type: ignore[arg-type]
    text = generate_latest(registry).decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_rooms_and_participants_are_counted_by_mode_and_role() -> None:
    rooms = [
        RoomSnapshot("normal", ("host", "visitor"), knocking=1, in_session=True),
        RoomSnapshot("normal", ("visitor",), knocking=0, in_session=False),
        RoomSnapshot("group", ("host", "viewer", "viewer"), knocking=0, in_session=True),
    ]
    got = scrape(RoomsCollector(lambda: rooms))
    assert got[("salon_rooms", (("mode", "normal"),))] == 2
    assert got[("salon_rooms", (("mode", "group"),))] == 1
    assert got[("salon_participants", (("mode", "normal"), ("role", "visitor")))] == 2
    assert got[("salon_participants", (("mode", "normal"), ("role", "host")))] == 1
    assert got[("salon_participants", (("mode", "group"), ("role", "viewer")))] == 2
    assert got[("salon_knocking", ())] == 1
    assert got[("salon_sessions_open", ())] == 2


def test_janus_instances_report_state_rooms_and_forwarded_tracks() -> None:
    usage = [
        Usage(
            "ws://10.0.0.5:8188", up=True, managed=False, rooms=3, publishers=5, forwarded_tracks=40
        ),
        Usage(
            "ws://10.0.0.6:8188", up=False, managed=False, rooms=0, publishers=0, forwarded_tracks=0
        ),
    ]
    got = scrape(JanusCollector(lambda: usage))
    first = (("instance", "ws://10.0.0.5:8188"), ("kind", "external"))
    second = (("instance", "ws://10.0.0.6:8188"), ("kind", "external"))
    assert got[("salon_janus_instances", ())] == 2
    assert got[("salon_janus_up", first)] == 1
    assert got[("salon_janus_up", second)] == 0
    assert got[("salon_janus_rooms", first)] == 3
    assert got[("salon_janus_publishers", first)] == 5
    assert got[("salon_janus_forwarded_tracks", first)] == 40


def test_without_an_sfu_there_are_no_instances() -> None:
    assert scrape(JanusCollector(None))[("salon_janus_instances", ())] == 0


def test_webhook_outcomes_and_backlog() -> None:
    got = scrape(WebhooksCollector(Counts, BacklogReading(pending=12, oldest_age_s=3.5)))
    assert got[("salon_webhook_attempts_total", (("outcome", "delivered"),))] == 7
    assert got[("salon_webhook_attempts_total", (("outcome", "retried"),))] == 2
    assert got[("salon_webhook_attempts_total", (("outcome", "failed"),))] == 1
    assert got[("salon_webhook_pending", ())] == 12
    assert got[("salon_webhook_oldest_pending_age_seconds", ())] == 3.5


def test_the_job_queue_is_counted_by_kind_and_status_with_unknown_kinds_as_other() -> None:
    reading = JobQueueReading()
    kinds = ["recording.compose", "summary.write"]
    idle = scrape(JobsCollector(lambda: kinds, reading))
    assert idle[("salon_jobs", (("kind", "summary.write"), ("status", "pending")))] == 0
    assert idle[("salon_jobs", (("kind", "recording.compose"), ("status", "running")))] == 0

    reading.counts = {
        ("recording.compose", "pending"): 3,
        ("recording.compose", "running"): 1,
        ("job-of-another-version", "pending"): 2,
        ("made.up", "pending"): 1,
    }
    busy = scrape(JobsCollector(lambda: kinds, reading))
    assert busy[("salon_jobs", (("kind", "recording.compose"), ("status", "pending")))] == 3
    assert busy[("salon_jobs", (("kind", "recording.compose"), ("status", "running")))] == 1
    assert busy[("salon_jobs", (("kind", "other"), ("status", "pending")))] == 3
    assert busy[("salon_jobs", (("kind", "summary.write"), ("status", "pending")))] == 0
    assert {dict(labels)["kind"] for _, labels in busy} == {*kinds, "other"}


def test_job_runs_and_group_commits_move_their_histograms() -> None:
    def count(name: str, **labels: str) -> float:
        registry = CollectorRegistry()
        for metric in events.ALL:
            registry.register(metric)
        value = registry.get_sample_value(name, labels)
        return 0.0 if value is None else value

    ran = count("salon_job_duration_seconds_count", kind="summary.write", outcome="done")
    slow = count(
        "salon_job_duration_seconds_bucket", kind="summary.write", outcome="done", le="5.0"
    )
    batches = count("salon_db_commit_batch_size_sum")
    events.job_ran("summary.write", "done", 7.5)
    events.committed(12, 0.002)
    assert (
        count("salon_job_duration_seconds_count", kind="summary.write", outcome="done") == ran + 1
    )
    assert (
        count("salon_job_duration_seconds_bucket", kind="summary.write", outcome="done", le="5.0")
        == slow
    )  # 7.5 s is over the 5 s bucket
    assert count("salon_db_commit_batch_size_sum") == batches + 12
