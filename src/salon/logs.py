"""Logging set-up, with a filter that keeps secrets out of every log line.

Room keys travel in URLs (`?roomKey=…`), and so do the dashboard's one-time links
(`/dashboard/setup/…`, `/invite/…`, `/reset/…`: whoever holds one creates an account or sets a
password), so an access log would record them; API keys could reach a log through an error
message. The filter rewrites each record's final text before any handler
formats it.
"""

import json
import logging
import re
from datetime import UTC, datetime

from salon.log_context import current_ids

_SECRETS = (
    (re.compile(r"(roomKey=)[^&\s\"']+"), r"\1[redacted]"),
    (re.compile(r"(/dashboard/(?:setup|invite|reset)/)[^/?#\s\"']+"), r"\1[redacted]"),
    (re.compile(r"(salon_[a-z0-9]{12}_)[A-Za-z0-9_-]+"), r"\1[redacted]"),
    (re.compile(r"((?i:bearer)\s+)[^\s\"']+"), r"\1[redacted]"),
)


def redact(text: str) -> str:
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601 with milliseconds), level, logger, message,
    the request, room and participant ids when the record was logged while they were known, and
    the exception's traceback; all of it passed through the same redaction as the text lines."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        line |= {name: redact(value) for name, value in current_ids().items()}
        if record.exc_info:
            line["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: str, log_format: str = "text") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    )
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Alembic narrates every run, even when there is nothing to migrate.
    logging.getLogger("alembic").setLevel(logging.WARNING)
