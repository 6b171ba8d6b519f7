"""Allowed domains: the sites that may frame the organization's rooms, with the same rules as
`salon domains`, and a live preview of the `Content-Security-Policy` header rooms send."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from salon.dashboard.permissions import Area
from salon.dashboard.refusals import DashboardRoute
from salon.dashboard.render import flash, page
from salon.dashboard.web import PREFIX, Viewer, redirect, require, signed_in_form
from salon.errors import InvalidInput
from salon.orgs.domains import frame_ancestors
from salon.services import services_of

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
    origins = await services_of(request).orgs.allowed_domains(viewer.org.org_id)
    return page(
        request,
        "domains.html",
        viewer=viewer,
        area=Area.DOMAINS,
        status_code=status_code,
        here=HERE,
        flash=flash(request, NOTICES),
        origins=origins,
        header=frame_ancestors(origins),
        forms=FORMS,
        error=error,
        value=value,
    )


@router.get("/domains")
async def domains_page(request: Request) -> Response:
    return await _page(request, await require(request, Area.DOMAINS))


@router.post("/domains")
async def add_domain(request: Request) -> Response:
    viewer, form = await signed_in_form(request, Area.DOMAINS)
    try:
        await services_of(request).orgs.add_domain(viewer.org.org_id, form["origin"])
    except InvalidInput as invalid:
        return await _page(
            request, viewer, error=invalid.message, value=form["origin"], status_code=400
        )
    return redirect(HERE, notice="added")


@router.post("/domains/remove")
async def remove_domain(request: Request) -> Response:
    viewer, _ = await signed_in_form(request, Area.DOMAINS)
    await services_of(request).orgs.remove_domain(
        viewer.org.org_id, request.query_params.get("origin", "")
    )
    return redirect(HERE, notice="removed")
