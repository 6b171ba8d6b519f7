"""`--log-format json`: one JSON object a line, with the ids of the request or connection the
record was logged in, and the same redaction as the text lines (message and traceback)."""

import asyncio
import json
import logging
import sys

from salon import log_context
from salon.logs import JsonFormatter, RedactSecrets

ROOM_KEY = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiaG9zdCJ9.c2lnbmF0dXJl"
API_KEY = "salon_k7m2q9x4h3pa_Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA"


def record(message: str, *args: object, exc: bool = False) -> logging.LogRecord:
    made = logging.LogRecord("salon.rooms", logging.WARNING, __file__, 1, message, args, None)
    if exc:
        try:
            raise ValueError(f"bad key {API_KEY}")
        except ValueError:
            made.exc_info = sys.exc_info()
    RedactSecrets().filter(made)
    return made


def test_a_line_is_one_json_object_with_time_level_logger_and_redacted_message() -> None:
    line = JsonFormatter().format(record("opened /room?roomKey=%s by %s", ROOM_KEY, API_KEY))
    assert "\n" not in line
    parsed = json.loads(line)
    assert set(parsed) == {"time", "level", "logger", "message"}
    assert parsed["level"] == "warning"
    assert parsed["logger"] == "salon.rooms"
    assert parsed["time"].endswith("Z")
    assert len(parsed["time"]) == len("2026-12-03T09:30:00.000Z")
    assert parsed["message"] == "opened /room?roomKey=[redacted] by salon_k7m2q9x4h3pa_[redacted]"


def test_a_traceback_is_redacted_and_kept_on_the_same_line() -> None:
    line = JsonFormatter().format(record("failed", exc=True))
    assert "\n" not in line
    parsed = json.loads(line)
    assert "ValueError: bad key salon_k7m2q9x4h3pa_[redacted]" in parsed["exception"]
    assert API_KEY not in line


async def test_ids_bound_in_a_task_appear_in_its_lines_only() -> None:
    lines: dict[str, dict[str, str]] = {}

    async def connection(name: str, room: str) -> None:
        log_context.bind(room=room, participant_id=f"p-{name}")
        await asyncio.sleep(0)  # let the other task bind its own ids in between
        lines[name] = json.loads(JsonFormatter().format(record("hello")))

    await asyncio.gather(connection("a", "/room-a"), connection("b", "/room-b"))
    assert lines["a"]["room"] == "/room-a"
    assert lines["a"]["participant_id"] == "p-a"
    assert lines["b"]["room"] == "/room-b"
    assert lines["b"]["participant_id"] == "p-b"
    assert "room" not in json.loads(JsonFormatter().format(record("outside")))
