"""`/v1/webhooks` and `/v1/webhook-deliveries`: Salon's own management API for webhooks.

Whereby configures webhooks in its dashboard only; these routes are Salon's addition, kept apart
from the compatible endpoints (their own tag, their own module).
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from salon.api.deps import caller_of
from salon.api.openapi import request_body_schema
from salon.api.responses import COMMON_ERRORS, Json, parse_body
from salon.api.schemas import ErrorOut
from salon.api.webhook_shapes import (
    DeliveryListOut,
    DeliveryOut,
    WebhookListOut,
    WebhookMetricsOut,
    WebhookOut,
    render_delivery,
    render_endpoint,
)
from salon.services import services_of
from salon.webhooks.events import EVENT_TYPES
from salon.webhooks.service import WebhookService, endpoint_view

router = APIRouter(prefix="/v1", tags=["webhooks (Salon)"], responses=COMMON_ERRORS)


class CreateWebhookBody(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    url: str = Field(max_length=2000, examples=["https://example.com/hooks/salon"])
    events: list[str] | None = Field(
        default=None, max_length=len(EVENT_TYPES), examples=[list(EVENT_TYPES[:2])]
    )


class UpdateWebhookBody(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    url: str | None = Field(default=None, max_length=2000)
    events: list[str] | None = Field(default=None, max_length=len(EVENT_TYPES))
    enabled: bool | None = None


def _webhooks(request: Request) -> WebhookService:
    return services_of(request).webhooks


@router.post(
    "/webhooks",
    status_code=201,
    summary="Create a webhook endpoint (its signing secret is in the answer)",
    response_model=WebhookOut,
    openapi_extra=request_body_schema(CreateWebhookBody),
    responses={409: {"model": ErrorOut, "description": "The organization has its most endpoints."}},
)
async def create_webhook(request: Request) -> Response:
    who = caller_of(request)
    body = parse_body(CreateWebhookBody, await request.body())
    endpoint = await _webhooks(request).create(who.org_id, body.url, body.events)
    return Json(render_endpoint(endpoint_view(endpoint, with_secret=True)), status_code=201)


@router.get("/webhooks", summary="List webhook endpoints", response_model=WebhookListOut)
async def list_webhooks(request: Request) -> Response:
    endpoints = await _webhooks(request).list_endpoints(caller_of(request).org_id)
    return Json({"results": [render_endpoint(endpoint_view(endpoint)) for endpoint in endpoints]})


@router.get(
    "/webhooks/{webhookId}",
    summary="Get a webhook endpoint, with its secret",
    response_model=WebhookOut,
)
async def get_webhook(webhookId: str, request: Request) -> Response:
    endpoint = await _webhooks(request).get(caller_of(request).org_id, webhookId)
    return Json(render_endpoint(endpoint_view(endpoint, with_secret=True)))


@router.patch(
    "/webhooks/{webhookId}",
    summary="Change a webhook endpoint's URL, events or enabled state",
    response_model=WebhookOut,
    openapi_extra=request_body_schema(UpdateWebhookBody),
)
async def update_webhook(webhookId: str, request: Request) -> Response:
    who = caller_of(request)
    body = parse_body(UpdateWebhookBody, await request.body())
    endpoint = await _webhooks(request).update(
        who.org_id, webhookId, url=body.url, event_types=body.events, enabled=body.enabled
    )
    return Json(render_endpoint(endpoint_view(endpoint)))


@router.post(
    "/webhooks/{webhookId}/rotate-secret",
    summary="Replace the signing secret",
    response_model=WebhookOut,
)
async def rotate_secret(webhookId: str, request: Request) -> Response:
    endpoint = await _webhooks(request).update(
        caller_of(request).org_id, webhookId, rotate_secret=True
    )
    return Json(render_endpoint(endpoint_view(endpoint, with_secret=True)))


@router.delete(
    "/webhooks/{webhookId}", status_code=204, response_class=Response, summary="Delete one"
)
async def delete_webhook(webhookId: str, request: Request) -> Response:
    await _webhooks(request).delete(caller_of(request).org_id, webhookId)
    return Response(status_code=204)


@router.get(
    "/webhook-deliveries", summary="The delivery log, newest first", response_model=DeliveryListOut
)
async def list_deliveries(
    request: Request,
    webhook_id: Annotated[str | None, Query(alias="webhookId", max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Response:
    found = await _webhooks(request).deliveries(caller_of(request).org_id, webhook_id, limit)
    return Json({"results": [render_delivery(view) for view in found]})


@router.get(
    "/webhook-deliveries/{deliveryId}",
    summary="One delivery with every attempt",
    response_model=DeliveryOut,
)
async def get_delivery(deliveryId: str, request: Request) -> Response:
    found = await _webhooks(request).delivery(caller_of(request).org_id, deliveryId)
    return Json(render_delivery(found))


@router.post(
    "/webhook-deliveries/{deliveryId}/replay",
    status_code=201,
    summary="Send a delivery's event again (a new delivery)",
    response_model=DeliveryOut,
)
async def replay_delivery(deliveryId: str, request: Request) -> Response:
    replayed = await _webhooks(request).replay(caller_of(request).org_id, deliveryId)
    services_of(request).dispatcher.wake()
    return Json(render_delivery(replayed), status_code=201)


@router.get(
    "/webhook-metrics",
    summary="The caller's deliveries by state, and this process's counters of them",
    response_model=WebhookMetricsOut,
)
async def webhook_metrics(request: Request) -> Response:
    who = caller_of(request)
    counters = services_of(request).dispatcher.counters_for(who.org_id)
    stored: dict[str, Any] = await _webhooks(request).metrics(who.org_id)
    return Json(
        {
            "deliveries": stored,
            "process": {
                "delivered": counters.delivered,
                "retried": counters.retried,
                "failed": counters.failed,
            },
        }
    )
