"""Webhooks: create and edit endpoints (URL, events, on or off), reveal and rotate the signing
secret, send a test event, and the delivery log with status, latency, response and replay."""

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from salon.dashboard.html import Html, html, join, when
from salon.dashboard.layout import (
    confirm_button,
    copy_box,
    csrf_input,
    empty_state,
    error_text,
    field,
    heading,
    notice,
    notice_of,
    page,
    section,
)
from salon.dashboard.permissions import Area
from salon.dashboard.refusals import DashboardRoute
from salon.dashboard.web import (
    PREFIX,
    Form,
    Viewer,
    dashboard_of,
    redirect,
    require,
    signed_in_form,
)
from salon.errors import InvalidInput
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


def _events_fieldset(chosen: tuple[str, ...] | list[str], error: str | None) -> Html:
    boxes = [
        html(
            '<label class="check"><input type="checkbox" name="events" value="{e}"{on}> '
            "<code>{e}</code></label>",
            e=event,
            on=Html(" checked" if event in chosen else ""),
        )
        for event in EVENT_TYPES
    ]
    return html(
        '<fieldset class="field{invalid}"{aria}><legend>Events</legend>'
        '<div class="checks">{boxes}</div>{error}</fieldset>',
        invalid=Html(" invalid" if error else ""),
        aria=Html(' aria-describedby="f-events-error"' if error else ""),
        boxes=join(boxes),
        error=error_text("f-events", error),
    )


def _endpoint_form(
    viewer: Viewer,
    action: str,
    url: str,
    chosen: tuple[str, ...] | list[str],
    errors: dict[str, str],
    submit: str,
    enabled: bool | None = None,
) -> Html:
    toggle = (
        html(
            '<label class="check"><input type="checkbox" name="enabled" value="on"{on}> Enabled '
            '<span class="hint">(a disabled webhook keeps its deliveries waiting)</span></label>',
            on=Html(" checked" if enabled else ""),
        )
        if enabled is not None
        else Html("")
    )
    return html(
        """<form method="post" action="{action}" novalidate class="stack">
  {csrf}{url}{events}{toggle}
  <div><button type="submit" class="primary" data-testid="webhook-save">{submit}</button></div>
</form>""",
        action=action,
        csrf=csrf_input(viewer.csrf),
        url=field(
            "url",
            "Receiver URL",
            value=url,
            error=errors.get("url"),
            kind="url",
            required=True,
            hint="Salon POSTs signed JSON events here.",
            extra='data-testid="webhook-url" spellcheck="false"',
        ),
        events=_events_fieldset(chosen, errors.get("events")),
        toggle=toggle,
        submit=submit,
    )


# --- the list ------------------------------------------------------------------------------------


async def _list_page(
    request: Request,
    viewer: Viewer,
    *,
    form: Form | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    endpoints = await dashboard_of(request).webhooks.list_endpoints(viewer.org.org_id)
    rows = [
        html(
            """<li class="row" data-testid="webhook-row">
  <a href="{here}/{id}" class="row-main"><code>{url}</code></a>
  <span class="pill {state}">{state}</span>
  <span class="muted">{count} event type{s}</span>
</li>""",
            here=HERE,
            id=e.id,
            url=e.url,
            state="enabled" if e.enabled else "disabled",
            count=len(e.events),
            s="" if len(e.events) == 1 else "s",
        )
        for e in endpoints
    ]
    listing = (
        html('<ul class="rows">{rows}</ul>', rows=join(rows))
        if endpoints
        else empty_state(
            "No webhooks yet",
            "Add your receiver's URL below: Salon then POSTs a signed event to it when people "
            "join and leave your rooms.",
        )
    )
    chosen = form.all("events") if form is not None else list(EVENT_TYPES)
    create = _endpoint_form(
        viewer, HERE, form["url"] if form else "", chosen, errors or {}, "Create webhook"
    )
    content = join(
        [
            heading(
                "Webhooks", "Signed HTTP POSTs to your back end when something happens in a room."
            ),
            notice_of(request.query_params.get("notice"), NOTICES),
            section("Endpoints", listing),
            section("New webhook", create),
        ]
    )
    return page("Webhooks", content, viewer=viewer, area=Area.WEBHOOKS, status_code=status_code)


@router.get("/webhooks")
async def webhooks_page(request: Request) -> Response:
    return await _list_page(request, await require(request, Area.WEBHOOKS))


def _field_of(message: str) -> str:
    return "events" if "event" in message else "url"


@router.post("/webhooks")
async def create_webhook(request: Request) -> Response:
    viewer, form = await signed_in_form(request, Area.WEBHOOKS)
    try:
        endpoint = await dashboard_of(request).webhooks.create(
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


def _log_row(delivery: dict[str, Any], viewer: Viewer) -> Html:
    last = delivery["attempts"][-1] if delivery["attempts"] else None
    outcome = (
        "waiting"
        if last is None
        else str(last["status"])
        if last["status"] is not None
        else "no answer"
    )
    response = "" if last is None else (last["response"] or last["error"] or "")
    return html(
        """<tr data-testid="delivery-row" data-delivery-id="{id}" data-status="{status}">
  <td data-label="When">{created}</td>
  <td data-label="Event"><code>{type}</code></td>
  <td data-label="Status"><span class="pill {status}">{status}</span></td>
  <td data-label="Response" data-testid="delivery-http">{outcome}</td>
  <td data-label="Latency">{latency}</td>
  <td data-label="Attempts">{attempts}</td>
  <td data-label="Body">{body}</td>
  <td class="actions"><form method="post" action="{here}/deliveries/{id}/replay">{csrf}
    <button type="submit" class="secondary" data-testid="delivery-replay">Replay</button>
  </form></td>
</tr>""",
        id=delivery["id"],
        created=when(delivery["createdAt"]),
        type=delivery["eventType"],
        status=delivery["status"],
        outcome=outcome,
        latency="–" if last is None else f"{last['latencyMs']} ms",
        attempts=delivery["attempts_count"],
        body=html(
            '<details><summary>Show</summary><pre class="response">{r}</pre></details>', r=response
        )
        if response
        else "–",
        here=HERE,
        csrf=csrf_input(viewer.csrf),
    )


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
    service = dashboard_of(request).webhooks
    endpoint: Endpoint = await service.get(viewer.org.org_id, endpoint_id)
    here = f"{HERE}/{endpoint.id}"
    log = []
    for summary in await service.deliveries(viewer.org.org_id, endpoint.id, LOG_ROWS):
        detail = await service.delivery(viewer.org.org_id, summary["id"])
        detail["attempts_count"] = summary["attempts"]
        log.append(_log_row(detail, viewer))
    deliveries = (
        html(
            '<table class="list" data-testid="delivery-log"><thead><tr><th>When</th><th>Event</th>'
            "<th>Status</th><th>HTTP</th><th>Latency</th><th>Attempts</th><th>Response</th>"
            '<th><span class="sr-only">Actions</span></th></tr></thead>'
            "<tbody>{rows}</tbody></table>",
            rows=join(log),
        )
        if log
        else empty_state("No deliveries yet", "Send a test event, or join one of your rooms.")
    )
    secret_box = (
        join(
            [
                notice(
                    "Keep it secret: your receiver checks each delivery's Whereby-Signature "
                    "header with it."
                ),
                copy_box("Signing secret", secret, "webhook-secret"),
            ]
        )
        if secret
        else html(
            '<form method="post" action="{here}/reveal">{csrf}'
            '<button type="submit" class="secondary" '
            'data-testid="webhook-reveal">Reveal secret</button></form>',
            here=here,
            csrf=csrf_input(viewer.csrf),
        )
    )
    secret_section = html(
        '<div class="cluster">{box}{rotate}</div>',
        box=secret_box,
        rotate=confirm_button(
            f"{here}/rotate",
            viewer.csrf,
            "Rotate",
            "The old secret stops working at once.",
            "webhook-rotate",
        ),
    )
    edit = _endpoint_form(
        viewer,
        here,
        form["url"] if form else endpoint.url,
        form.all("events") if form else endpoint.events,
        errors or {},
        "Save",
        enabled=form.has("enabled") if form else endpoint.enabled,
    )
    test = html(
        '<form method="post" action="{here}/test">{csrf}<button type="submit" class="primary" '
        'data-testid="webhook-test">Send a test event</button></form>',
        here=here,
        csrf=csrf_input(viewer.csrf),
    )
    content = join(
        [
            html('<p class="crumbs"><a href="{h}">Webhooks</a></p>', h=HERE),
            heading("Webhook", endpoint.url),
            notice_of(request.query_params.get("notice"), NOTICES),
            section("Test", test),
            section("Delivery log", deliveries),
            section("Signing secret", secret_section),
            section("Settings", edit),
            section(
                "Delete",
                confirm_button(
                    f"{here}/delete",
                    viewer.csrf,
                    "Delete webhook",
                    "Its waiting deliveries fail.",
                    "webhook-delete",
                ),
            ),
        ]
    )
    return page("Webhook", content, viewer=viewer, area=Area.WEBHOOKS, status_code=status_code)


@router.get("/webhooks/{endpoint_id}")
async def endpoint_page(request: Request, endpoint_id: str) -> Response:
    return await _endpoint_page(request, await require(request, Area.WEBHOOKS), endpoint_id)


@router.post("/webhooks/{endpoint_id}")
async def save_endpoint(request: Request, endpoint_id: str) -> Response:
    viewer, form = await signed_in_form(request, Area.WEBHOOKS)
    try:
        await dashboard_of(request).webhooks.update(
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
    endpoint = await dashboard_of(request).webhooks.get(viewer.org.org_id, endpoint_id)
    return await _endpoint_page(request, viewer, endpoint_id, secret=endpoint.secret)


@router.post("/webhooks/{endpoint_id}/rotate")
async def rotate_secret(request: Request, endpoint_id: str) -> Response:
    viewer, _ = await signed_in_form(request, Area.WEBHOOKS)
    endpoint = await dashboard_of(request).webhooks.update(
        viewer.org.org_id, endpoint_id, rotate_secret=True
    )
    return await _endpoint_page(request, viewer, endpoint_id, secret=endpoint.secret)


@router.post("/webhooks/{endpoint_id}/test")
async def send_test(request: Request, endpoint_id: str) -> Response:
    viewer, _ = await signed_in_form(request, Area.WEBHOOKS)
    board = dashboard_of(request)
    await board.webhooks.send_test(viewer.org.org_id, endpoint_id, viewer.org.subdomain)
    board.wake_dispatcher()
    return redirect(f"{HERE}/{endpoint_id}", notice="test")


@router.post("/webhooks/{endpoint_id}/delete")
async def delete_endpoint(request: Request, endpoint_id: str) -> Response:
    viewer, _ = await signed_in_form(request, Area.WEBHOOKS)
    await dashboard_of(request).webhooks.delete(viewer.org.org_id, endpoint_id)
    return redirect(HERE, notice="deleted")


@router.post("/webhooks/deliveries/{delivery_id}/replay")
async def replay_delivery(request: Request, delivery_id: str) -> Response:
    viewer, _ = await signed_in_form(request, Area.WEBHOOKS)
    board = dashboard_of(request)
    replayed = await board.webhooks.replay(viewer.org.org_id, delivery_id)
    board.wake_dispatcher()
    return redirect(f"{HERE}/{replayed['endpointId']}", notice="replayed")
