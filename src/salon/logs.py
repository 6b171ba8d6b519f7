"""Logging set-up, with a filter that keeps secrets out of every log line.

Room keys travel in URLs (`?roomKey=…`), and so do the dashboard's one-time links
(`/dashboard/setup/…`, `/invite/…`, `/reset/…`: whoever holds one creates an account or sets a
password), so an access log would record them; API keys could reach a log through an error
message. The filter rewrites each record's final text before any handler
formats it.
"""

import logging
import re

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


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Alembic narrates every run, even when there is nothing to migrate.
    logging.getLogger("alembic").setLevel(logging.WARNING)
