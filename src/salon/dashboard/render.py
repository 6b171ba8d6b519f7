"""Pages from Jinja2 templates (`dashboard/templates/`), autoescaped: every value a page shows is
escaped unless a template marks it as markup. A route loads, decides, then calls `page`.

    route ──► page(request, "keys.html", viewer=…, area=…, keys=…) ──► layout.html + macros.html
"""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from salon.dashboard.html import (
    duration,
    file_size,
    iso,
    query_value,
    sentence,
    since,
    when,
)
from salon.dashboard.permissions import Area, areas_of
from salon.dashboard.web import CSRF_FIELD, PREFIX, Viewer
from salon.meetings.model import format_date_time

ASSETS = "/_salon/static/dashboard"
AREA_TITLES = {
    Area.MEETINGS: "Meetings",
    Area.LIVE: "Live rooms",
    Area.RECORDINGS: "Recordings",
    Area.KEYS: "API keys",
    Area.DOMAINS: "Allowed domains",
    Area.WEBHOOKS: "Webhooks",
    Area.MEMBERS: "Members",
    Area.APPEARANCE: "Appearance",
    Area.INSIGHTS: "Insights",
}
# Pages load nothing from elsewhere, run no inline script, and are framed by nobody.
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none';"
        " form-action 'self'; frame-ancestors 'none'"
    ),
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(PREFIX=PREFIX, ASSETS=ASSETS, CSRF_FIELD=CSRF_FIELD, AREA_TITLES=AREA_TITLES)
    env.filters.update(
        iso=iso,
        duration=duration,
        file_size=file_size,
        when=when,
        sentence=sentence,
        since=since,
        date_time=format_date_time,
        query_value=query_value,
    )
    return env


ENVIRONMENT = _environment()
TEMPLATES = Jinja2Templates(env=ENVIRONMENT)


def page(
    request: Request,
    template: str,
    *,
    viewer: Viewer | None = None,
    area: Area | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A whole page: `template` extends `layout.html`, which draws the navigation of `viewer`'s
    role (or none when signed out) with `area` as the current one."""
    nav = areas_of(viewer.account.role) if viewer is not None else []
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {"viewer": viewer, "area": area, "nav": nav, **context},
        status_code=status_code,
        headers=HEADERS,
    )


def fragment(template: str, **context: Any) -> Markup:
    """Part of a page (a chart, the live rooms list), rendered on its own."""
    rendered = ENVIRONMENT.get_template(template).render(**context)
    return Markup(rendered)  # noqa: S704 - the output of an autoescaped template


def flash(request: Request, texts: Mapping[str, str]) -> str | None:
    """The confirmation a redirect asked for by code (never text from the URL itself)."""
    return texts.get(request.query_params.get("notice") or "")


def message_page(
    request: Request, title: str, text: str, status_code: int, viewer: Viewer | None = None
) -> HTMLResponse:
    return page(
        request, "message.html", viewer=viewer, status_code=status_code, title=title, text=text
    )
