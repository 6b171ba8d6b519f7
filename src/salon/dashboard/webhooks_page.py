"""Webhooks: create and edit endpoints (URL, events, on or off), reveal and rotate the signing
secret, send a test event, and the delivery log with status, latency, response and replay."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from salon.dashboard.permissions import Area
from salon.dashboard.refusals import DashboardRoute
from salon.dashboard.render import flash, page
from salon.dashboard.web import (
    PREFIX,
    Form,
    Viewer,
    redirect,
    require,
    signed_in_form,
)
from salon.errors import InvalidInput
from salon.services import services_of
from salon.webhooks.events import EVENT_TYPES
from salon.webhooks.model import Endpoint

router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=DashboardRoute)
HERE = f"{PREFIX}/webhooks"
LOG_ROWS = 50
NOTICES = {
    "created": "Webhook created. Send it a test event to check your receiver.",
    "saved": "Saved.",
    "rotated": "A new secret is in use for every delivery from now on; update your receiver.",
    "test": "A test event is on its way; it appears in the delivery log below.",
    "replayed": "The event is queued again, as a new delivery.",
    "deleted": "Webhook deleted.",
}


# --- the list ------------------------------------------------------------------------------------


async def _list_page(
    request: Request,
    viewer: Viewer,
    *,
    form: Form | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return page(
        request,
        "webhooks.html",
        viewer=viewer,
        area=Area.WEBHOOKS,
        status_code=status_code,
        here=HERE,
        flash=flash(request, NOTICES),
        endpoints=await services_of(request).webhooks.list_endpoints(viewer.org.org_id),
        event_types=EVENT_TYPES,
        url=form["url"] if form else "",
        chosen=form.all("events") if form is not None else list(EVENT_TYPES),
        errors=errors or {},
    )


@router.get("/webhooks")
async def webhooks_page(request: Request) -> Response:
    return await _list_page(request, await require(request, Area.WEBHOOKS))


def _field_of(message: str) -> str:
    return "events" if "event" in message else "url"


@router.post("/webhooks")
async def create_webhook(request: Request) -> Response:
    viewer, form = await signed_in_form(request, Area.WEBHOOKS)
    try:
        endpoint = await services_of(request).webhooks.create(
            viewer.org.org_id, form["url"], form.all("events")
        )
    except InvalidInput as invalid:
        return await _list_page(
            request,
            viewer,
            form=form,
            errors={_field_of(invalid.message): invalid.message},
            status_code=400,
        )
    return redirect(f"{HERE}/{endpoint.id}", notice="created")


# --- one endpoint --------------------------------------------------------------------------------


async def _endpoint_page(
    request: Request,
    viewer: Viewer,
    endpoint_id: str,
    *,
    secret: str | None = None,
    form: Form | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    service = services_of(request).webhooks
    endpoint: Endpoint = await service.get(viewer.org.org_id, endpoint_id)
    log = []
    for summary in await service.deliveries(viewer.org.org_id, endpoint.id, LOG_ROWS):
        detail = await service.delivery(viewer.org.org_id, summary["id"])
        log.append(detail | {"attempts_count": summary["attempts"]})
    return page(
        request,
        "webhook.html",
        viewer=viewer,
        area=Area.WEBHOOKS,
        status_code=status_code,
        webhooks=HERE,
        flash=flash(request, NOTICES),
        endpoint=endpoint,
        log=log,
        secret=secret,
        event_types=EVENT_TYPES,
        url=form["url"] if form else endpoint.url,
        chosen=form.all("events") if form else endpoint.events,
        enabled=form.has("enabled") if form else endpoint.enabled,
        errors=errors or {},
    )


@router.get("/webhooks/{endpoint_id}")
async def endpoint_page(request: Request, endpoint_id: str) -> Response:
    return await _endpoint_page(request, await require(request, Area.WEBHOOKS), endpoint_id)


@router.post("/webhooks/{endpoint_id}")
async def save_endpoint(request: Request, endpoint_id: str) -> Response:
    viewer, form = await signed_in_form(request, Area.WEBHOOKS)
    try:
        await services_of(request).webhooks.update(
            viewer.org.org_id,
            endpoint_id,
            url=form["url"],
            event_types=form.all("events"),
            enabled=form.has("enabled"),
        )
    except InvalidInput as invalid:
        return await _endpoint_page(
            request,
            viewer,
            endpoint_id,
            form=form,
            errors={_field_of(invalid.message): invalid.message},
            status_code=400,
        )
    return redirect(f"{HERE}/{endpoint_id}", notice="saved")


@router.post("/webhooks/{endpoint_id}/reveal")
async def reveal_secret(request: Request, endpoint_id: str) -> Response:
    viewer, _ = await signed_in_form(request, Area.WEBHOOKS)
    endpoint = await services_of(request).webhooks.get(viewer.org.org_id, endpoint_id)
    return await _endpoint_page(request, viewer, endpoint_id, secret=endpoint.secret)


@router.post("/webhooks/{endpoint_id}/rotate")
async def rotate_secret(request: Request, endpoint_id: str) -> Response:
    viewer, _ = await signed_in_form(request, Area.WEBHOOKS)
    endpoint = await services_of(request).webhooks.update(
        viewer.org.org_id, endpoint_id, rotate_secret=True
    )
    return await _endpoint_page(request, viewer, endpoint_id, secret=endpoint.secret)


@router.post("/webhooks/{endpoint_id}/test")
async def send_test(request: Request, endpoint_id: str) -> Response:
    viewer, _ = await signed_in_form(request, Area.WEBHOOKS)
    services = services_of(request)
    await services.webhooks.send_test(viewer.org.org_id, endpoint_id, viewer.org.subdomain)
    services.dispatcher.wake()
    return redirect(f"{HERE}/{endpoint_id}", notice="test")


@router.post("/webhooks/{endpoint_id}/delete")
async def delete_endpoint(request: Request, endpoint_id: str) -> Response:
    viewer, _ = await signed_in_form(request, Area.WEBHOOKS)
    await services_of(request).webhooks.delete(viewer.org.org_id, endpoint_id)
    return redirect(HERE, notice="deleted")


@router.post("/webhooks/deliveries/{delivery_id}/replay")
async def replay_delivery(request: Request, delivery_id: str) -> Response:
    viewer, _ = await signed_in_form(request, Area.WEBHOOKS)
    services = services_of(request)
    replayed = await services.webhooks.replay(viewer.org.org_id, delivery_id)
    services.dispatcher.wake()
    return redirect(f"{HERE}/{replayed['endpointId']}", notice="replayed")
