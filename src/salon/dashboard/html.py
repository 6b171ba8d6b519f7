"""HTML built from templates that escape every value unless it is `Html` already. Pure.

html("<p>{name}</p>", name=user_text)      # user_text is escaped
html("<ul>{items}</ul>", items=join(...))   # already-built `Html` goes in as is
"""

import html as _stdlib_html
from collections.abc import Iterable
from datetime import UTC, datetime


class Html(str):
    """Markup that is safe to place in a page as it is."""

    __slots__ = ()


def escape(value: object) -> Html:
    if isinstance(value, Html):
        return value
    return Html(_stdlib_html.escape("" if value is None else str(value), quote=True))


def html(template: str, **values: object) -> Html:
    """`template` is trusted markup; every value is escaped unless it is `Html`."""
    return Html(template.format_map({name: escape(value) for name, value in values.items()}))


def join(parts: Iterable[Html]) -> Html:
    return Html("".join(escape(part) for part in parts))


def when(epoch_ms: int | None, never: str = "never") -> Html:
    """A time for people: `<time>` with the exact moment for machines and tooltips."""
    if epoch_ms is None:
        return escape(never)
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)
    return html(
        '<time datetime="{iso}" title="{iso}">{shown}</time>',
        iso=moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        shown=moment.strftime("%d %b %Y, %H:%M UTC"),
    )
