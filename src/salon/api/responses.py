"""Request bodies in and error responses out, the same way for every `/v1` operation."""

from typing import Any, TypeVar

import orjson
from pydantic import BaseModel, ValidationError
from starlette.responses import JSONResponse

from salon.api.errors import describe_validation_error
from salon.api.schemas import ErrorOut, ThrottleOut
from salon.errors import InvalidInput

_Model = TypeVar("_Model", bound=BaseModel)

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


def parse_body(model: type[_Model], raw: bytes) -> _Model:
    """The JSON body as `model`, or `InvalidInput` naming the first field at fault."""
    try:
        return model.model_validate_json(raw)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        located = {**first, "loc": ("body", *first["loc"])}
        raise InvalidInput(describe_validation_error(located)) from None


class Json(JSONResponse):
    """Compact JSON by orjson: a third of the standard encoder's time on the create path."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)
