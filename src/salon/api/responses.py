"""The error responses every `/v1` operation documents in the OpenAPI document."""

from typing import Any

from salon.api.schemas import ErrorOut, ThrottleOut

COMMON_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "The request breaks a rule; `error` names it."},
    401: {"model": ErrorOut, "description": "API key missing or invalid."},
    404: {"model": ErrorOut, "description": "No such resource."},
    413: {"model": ErrorOut, "description": "The request body is too large."},
    429: {
        "model": ThrottleOut,
        "description": "Rate limited: wait `data.msLeft` milliseconds (or `Retry-After` seconds).",
    },
}
