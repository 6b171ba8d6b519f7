"""What the templates show values with (their filters): times and lengths for people and
machines, sizes, error messages as sentences, query values. Escaping is the templates' own
(autoescape, `render.py`). Pure."""

from datetime import UTC, datetime
from urllib.parse import quote

from markupsafe import Markup, escape


def iso(epoch_ms: int) -> str:
    """A moment for machines (`<time datetime>`), to the second."""
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def when(epoch_ms: int | None, never: str = "never") -> Markup:
    """A time for people: `<time>` with the exact moment for machines and tooltips."""
    if epoch_ms is None:
        return escape(never)
    shown = datetime.fromtimestamp(epoch_ms / 1000, tz=UTC).strftime("%d %b %Y, %H:%M UTC")
    return Markup('<time datetime="{iso}" title="{iso}">{shown}</time>').format(
        iso=iso(epoch_ms), shown=shown
    )


def sentence(message: str) -> str:
    """An error message as a sentence: capitalised, with a full stop."""
    return message[:1].upper() + message[1:] + ("" if message.endswith((".", "?", "!")) else ".")


def since(joined_ms: int, now_ms: int) -> str:
    """How long ago, as people say it."""
    minutes = max(0, (now_ms - joined_ms) // 60_000)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min"


def query_value(value: str) -> str:
    """A value for a URL's query string, every reserved character encoded."""
    return quote(value, safe="")


def duration(ms: int) -> str:
    """A length for people: seconds under a minute, then minutes and hours."""
    seconds = max(0, ms) // 1000
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min {seconds % 60} s"
    return f"{minutes // 60} h {minutes % 60} min"


def file_size(size_bytes: int) -> str:
    """A size in kB under a megabyte, else in MB to one decimal (10³ and 10⁶ bytes, as
    `sizeInMegaBytes`)."""
    if size_bytes < 1_000_000:
        return f"{-(-size_bytes // 1000)} kB"
    return f"{size_bytes / 1_000_000:.1f} MB"
