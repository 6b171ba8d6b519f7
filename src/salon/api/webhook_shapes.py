"""The wire shapes of `/v1/webhooks` and `/v1/webhook-deliveries`, and their rendering.

The webhook service's views carry times as epoch milliseconds, as everything inside Salon does;
on the wire every time under `/v1` is ISO 8601 in UTC with milliseconds, like the meetings'
dates (`2021-08-11T12:56:01.000Z`).
"""

from typing import Any

from pydantic import BaseModel, Field
from pydantic.config import JsonDict

from salon.meetings.model import format_date_time

_ENDPOINT_TIMES = ("createdAt", "updatedAt")
_DELIVERY_TIMES = ("nextAttemptAt", "createdAt", "finishedAt")
_ATTEMPT_TIMES = ("at",)
DATE_TIME: JsonDict = {"format": "date-time"}


class WebhookOut(BaseModel):
    id: str
    url: str
    events: list[str]
    enabled: bool
    createdAt: str = Field(json_schema_extra=DATE_TIME)
    updatedAt: str = Field(json_schema_extra=DATE_TIME)
    secret: str | None = Field(default=None, description="Only when created, read or rotated.")


class WebhookListOut(BaseModel):
    results: list[WebhookOut]


class AttemptOut(BaseModel):
    number: int
    at: str = Field(json_schema_extra=DATE_TIME)
    status: int | None = Field(description="The receiver's HTTP status; null when none came.")
    latencyMs: int | None
    error: str | None
    response: str | None


class DeliveryOut(BaseModel):
    id: str
    eventId: str
    eventType: str
    endpointId: str
    status: str = Field(examples=["pending", "delivered", "failed"])
    attempts: int | list[AttemptOut] = Field(
        description="The number of attempts in the log; every attempt for one delivery."
    )
    nextAttemptAt: str | None = Field(json_schema_extra=DATE_TIME)
    lastStatus: int | None
    lastError: str | None
    lastLatencyMs: int | None
    replayOf: str | None
    createdAt: str = Field(json_schema_extra=DATE_TIME)
    finishedAt: str | None = Field(json_schema_extra=DATE_TIME)


class DeliveryListOut(BaseModel):
    results: list[DeliveryOut]


class DeliveryCountsOut(BaseModel):
    pending: int
    delivered: int
    failed: int


class ProcessCountsOut(BaseModel):
    delivered: int
    retried: int
    failed: int


class WebhookMetricsOut(BaseModel):
    deliveries: DeliveryCountsOut
    process: ProcessCountsOut


def _dated(view: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {
        key: format_date_time(value) if key in names and isinstance(value, int) else value
        for key, value in view.items()
    }


def render_endpoint(view: dict[str, Any]) -> dict[str, Any]:
    return _dated(view, _ENDPOINT_TIMES)


def render_delivery(view: dict[str, Any]) -> dict[str, Any]:
    rendered = _dated(view, _DELIVERY_TIMES)
    if isinstance(rendered["attempts"], list):
        rendered["attempts"] = [_dated(one, _ATTEMPT_TIMES) for one in rendered["attempts"]]
    return rendered
