"""The one place where errors become HTTP responses: `{"error": <message>, "code": <code>}`."""

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response

from salon.errors import (
    ApiErrorCode,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    SalonError,
    StorageUnavailable,
    Unauthorized,
)

log = logging.getLogger(__name__)

_STATUS: dict[type[SalonError], int] = {
    InvalidInput: 400,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    PayloadTooLarge: 413,
    RateLimited: 429,
}
_HTTP_CODES = {
    404: ApiErrorCode.NOT_FOUND,
    405: ApiErrorCode.METHOD_NOT_ALLOWED,
    413: ApiErrorCode.PAYLOAD_TOO_LARGE,
}


def error_body(message: str, code: ApiErrorCode) -> dict[str, Any]:
    return {"error": message, "code": code.value}


def error_response(error: SalonError, headers: dict[str, str] | None = None) -> Response:
    body = error_body(error.message, error.code)
    if isinstance(error, RateLimited):
        body["data"] = {"msLeft": error.ms_left}
    status = next((s for kind, s in _STATUS.items() if isinstance(error, kind)), 500)
    if isinstance(error, Unauthorized):
        headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
    return JSONResponse(body, status_code=status, headers=headers)


def _field_path(location: Sequence[int | str]) -> str:
    path = ""
    for part in location[1:]:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def describe_validation_error(error: dict[str, Any]) -> str:
    """A clear sentence naming the field, from one of pydantic's errors."""
    location = error.get("loc", ())
    kind = error.get("type", "")
    if kind == "json_invalid":
        return "request body is not valid JSON"
    field = _field_path(location)
    if location and location[0] == "body" and not field:
        return "request body must be a JSON object"
    context = error.get("ctx") or {}
    if kind == "missing":
        return f"{field} is required"
    if kind == "literal_error":
        return f"{field} must be one of {context.get('expected', '')}"
    if kind in ("string_type", "string_sub_type"):
        return f"{field} must be a string"
    if kind == "bool_type":
        return f"{field} must be a boolean"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"{field} must be an integer"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"{field} must be an object"
    if kind == "list_type":
        return f"{field} must be an array"
    if kind in ("greater_than_equal", "less_than_equal"):
        limit = context.get("ge", context.get("le"))
        side = "at least" if kind == "greater_than_equal" else "at most"
        return f"{field} must be {side} {limit}"
    if kind == "string_pattern_mismatch" and context.get("pattern"):
        return f"{field} must match {context['pattern']}"
    if kind in ("string_too_long", "too_long"):
        return f"{field} is too long"
    if kind in ("string_too_short", "too_short"):
        return f"{field} must not be empty"
    return f"{field} is not valid"


async def _on_salon_error(_: Request, error: Exception) -> Response:
    assert isinstance(error, SalonError)
    return error_response(error)


async def _on_validation_error(_: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    first = error.errors()[0] if error.errors() else {}
    return error_response(InvalidInput(describe_validation_error(dict(first))))


async def _on_http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    if error.status_code == 404:
        message = f"no such resource: {request.url.path}"
    elif error.status_code == 405:
        message = f"method {request.method} is not allowed on {request.url.path}"
    else:
        message = str(error.detail)
    code = _HTTP_CODES.get(error.status_code, ApiErrorCode.INVALID_INPUT)
    return JSONResponse(
        error_body(message, code), status_code=error.status_code, headers=error.headers
    )


def storage_unavailable_response(error: Exception) -> Response:
    log.error("storage unavailable: %s", error)
    return JSONResponse(
        error_body("the database is unavailable; try again", ApiErrorCode.UNAVAILABLE),
        status_code=503,
        headers={"Retry-After": "1"},
    )


async def _on_storage_error(_: Request, error: Exception) -> Response:
    return storage_unavailable_response(error)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(SalonError, _on_salon_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(HTTPException, _on_http_error)
    app.add_exception_handler(StorageUnavailable, _on_storage_error)
