"""Allowed domains: the sites that may frame the organization's rooms, with the same rules as
`salon domains`, and a live preview of the `Content-Security-Policy` header rooms send."""

from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import Response

from salon.dashboard.html import html, join
from salon.dashboard.layout import (
    confirm_button,
    csrf_input,
    empty_state,
    field,
    heading,
    notice_of,
    page,
    section,
)
from salon.dashboard.permissions import Area
from salon.dashboard.refusals import DashboardRoute
from salon.dashboard.web import PREFIX, Viewer, dashboard_of, redirect, require, signed_in_form
from salon.errors import InvalidInput
from salon.orgs.domains import frame_ancestors

router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=DashboardRoute)
HERE = f"{PREFIX}/domains"
NOTICES = {
    "added": "Added. Room pages send the new header from their next load.",
    "removed": "Removed. Room pages send the new header from their next load.",
}
FORMS = "https://app.example.com · https://*.example.com · https://app.example.com:8443 · http://localhost:3000"


async def _page(
    request: Request,
    viewer: Viewer,
    *,
    error: str | None = None,
    value: str = "",
    status_code: int = 200,
) -> Response:
    origins = await dashboard_of(request).orgs.allowed_domains(viewer.org.org_id)
    rows = [
        html(
            '<li class="row" data-testid="domain-row"><code>{origin}</code>{remove}</li>',
            origin=origin,
            remove=confirm_button(
                f"{HERE}/remove?origin={quote(origin, safe='')}",
                viewer.csrf,
                "Remove",
                "Pages of this site can no longer frame your rooms.",
                "domain-remove",
            ),
        )
        for origin in origins
    ]
    listing = (
        html('<ul class="rows">{rows}</ul>', rows=join(rows))
        if origins
        else empty_state(
            "No allowed domains",
            "Rooms open directly, and only Salon's own pages may frame them. Add the origin of "
            "the site that embeds your rooms in an iframe.",
        )
    )
    add = html(
        """<form method="post" action="{here}" class="inline-form grow" novalidate>
  {csrf}{origin}<button type="submit" class="primary" data-testid="domain-add">Add domain</button>
</form>""",
        here=HERE,
        csrf=csrf_input(viewer.csrf),
        origin=field(
            "origin",
            "Origin",
            value=value,
            error=error,
            required=True,
            hint=FORMS,
            extra='data-testid="domain-origin" data-csp-input autocomplete="off" '
            'spellcheck="false" inputmode="url"',
        ),
    )
    preview = html(
        """<p class="hint">Every room page of this organization answers with this header. As you
type an origin above, the line below shows the header with it added.</p>
<pre class="csp" data-testid="csp-preview" data-csp-preview data-current="{current}"
  aria-live="polite">Content-Security-Policy: {current}</pre>""",
        current=frame_ancestors(origins),
    )
    content = join(
        [
            heading("Allowed domains", "Sites whose pages may embed your rooms in an iframe."),
            notice_of(request.query_params.get("notice"), NOTICES),
            section("Add a domain", add),
            section("Header preview", preview),
            section("Allowed", listing),
        ]
    )
    return page(
        "Allowed domains", content, viewer=viewer, area=Area.DOMAINS, status_code=status_code
    )


@router.get("/domains")
async def domains_page(request: Request) -> Response:
    return await _page(request, await require(request, Area.DOMAINS))


@router.post("/domains")
async def add_domain(request: Request) -> Response:
    viewer, form = await signed_in_form(request, Area.DOMAINS)
    try:
        await dashboard_of(request).orgs.add_domain(viewer.org.org_id, form["origin"])
    except InvalidInput as invalid:
        return await _page(
            request, viewer, error=invalid.message, value=form["origin"], status_code=400
        )
    return redirect(HERE, notice="added")


@router.post("/domains/remove")
async def remove_domain(request: Request) -> Response:
    viewer, _ = await signed_in_form(request, Area.DOMAINS)
    await dashboard_of(request).orgs.remove_domain(
        viewer.org.org_id, request.query_params.get("origin", "")
    )
    return redirect(HERE, notice="removed")
