"""Metrics of things that happen, bumped by one call where they happen.

Everything else (rooms, participants, Janus, the webhook outbox) is read at scrape time by
`salon.metrics.collectors`, so the code that owns that state knows nothing of metrics. Labels are
bounded sets (message types, outcomes, modes): never an id, a room name or a URL. The objects are
created unregistered and each application's registry adds them, so several applications in one
process (tests) share one set of counters and none is registered twice.
"""

from prometheus_client import Counter, Histogram

LATENCY_BUCKETS_S = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)
JOB_BUCKETS_S = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0)
"""From removing a folder (milliseconds) to composing or transcribing an hour of a meeting."""
UNKNOWN_TYPE = "unknown"

HTTP_REQUESTS = Counter(
    "salon_http_requests",
    "HTTP requests answered, by route template, method and status code.",
    ["route", "method", "status"],
    registry=None,
)
HTTP_SECONDS = Histogram(
    "salon_http_request_duration_seconds",
    "Time from a request's arrival to the end of its response, by route template.",
    ["route", "method"],
    buckets=LATENCY_BUCKETS_S,
    registry=None,
)
RATE_LIMITED = Counter(
    "salon_rate_limited_requests",
    "Requests answered 429 (API budget or dashboard sign-in throttle), by area.",
    ["area"],
    registry=None,
)
SIGNAL_IN = Counter(
    "salon_signaling_messages_received",
    "Signaling messages received from clients, by message type.",
    ["type"],
    registry=None,
)
SIGNAL_OUT = Counter(
    "salon_signaling_messages_sent",
    "Signaling messages queued to clients, by message type.",
    ["type"],
    registry=None,
)
SLOW_READERS = Counter(
    "salon_signaling_slow_readers_dropped",
    "Signaling connections closed because their outgoing queue was full.",
    registry=None,
)
JOIN_SECONDS = Histogram(
    "salon_join_duration_seconds",
    "Time from a `join` message to its answer (joined, knocking or refused).",
    buckets=LATENCY_BUCKETS_S,
    registry=None,
)
COMMIT_BATCH = Histogram(
    "salon_db_commit_batch_size",
    "Transactions made durable by one commit (group commit, SQLite or PostgreSQL).",
    buckets=BATCH_BUCKETS,
    registry=None,
)
COMMIT_SECONDS = Histogram(
    "salon_db_commit_duration_seconds",
    "Time one group commit took (SQLite or PostgreSQL).",
    buckets=LATENCY_BUCKETS_S,
    registry=None,
)
JOB_SECONDS = Histogram(
    "salon_job_duration_seconds",
    "Time a background job's attempt took, by kind (composition, transcription, summary, file"
    " removal) and outcome: done, retried (failed; tried again later), failed (for good).",
    ["kind", "outcome"],
    buckets=JOB_BUCKETS_S,
    registry=None,
)

ALL = (
    HTTP_REQUESTS,
    HTTP_SECONDS,
    RATE_LIMITED,
    SIGNAL_IN,
    SIGNAL_OUT,
    SLOW_READERS,
    JOIN_SECONDS,
    COMMIT_BATCH,
    COMMIT_SECONDS,
    JOB_SECONDS,
)


def signal_received(kind: str | None) -> None:
    SIGNAL_IN.labels(kind or UNKNOWN_TYPE).inc()


def signal_sent(kind: object) -> None:
    SIGNAL_OUT.labels(kind if isinstance(kind, str) else UNKNOWN_TYPE).inc()


def slow_reader_dropped() -> None:
    SLOW_READERS.inc()


def join_answered(seconds: float) -> None:
    JOIN_SECONDS.observe(seconds)


def committed(batch_size: int, seconds: float) -> None:
    COMMIT_BATCH.observe(batch_size)
    COMMIT_SECONDS.observe(seconds)


def job_ran(kind: str, outcome: str, seconds: float) -> None:
    """`kind` is one the job runner has a handler for (a constant of the code), never input."""
    JOB_SECONDS.labels(kind, outcome).observe(seconds)
