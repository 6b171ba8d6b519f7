"""What FastAPI cannot infer for Salon's OpenAPI document: bodies parsed by hand, and the bearer
scheme that the gate enforces before any route runs."""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from salon.api.gate import API_PREFIX

_SCHEMAS = "#/components/schemas/{model}"
BEARER = "BearerAuth"
OPENAPI_PATH = f"{API_PREFIX}/openapi.json"
DOCS_PATH = f"{API_PREFIX}/docs"
_PUBLIC = {OPENAPI_PATH, DOCS_PATH}


def request_body_schema(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` declaring `model` as the required JSON body of an operation."""
    schema = model.model_json_schema(ref_template=_SCHEMAS)
    definitions = schema.pop("$defs", {})
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": schema}},
        },
        "x-salon-schemas": definitions,
    }


def _head_of(get: dict[str, Any]) -> dict[str, Any]:
    """The `HEAD` twin of a `GET` operation (`api/methods.py` serves it): same statuses, no body."""
    return {
        **get,
        "summary": f"{get.get('summary', '')} (headers only)",
        "operationId": f"{get.get('operationId', 'get')}_head",
        "responses": {
            status: {"description": response.get("description", "")}
            for status, response in get.get("responses", {}).items()
        },
    }


def install_openapi(app: FastAPI, description: str) -> None:
    def build() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = get_openapi(
            title=app.title, version=app.version, description=description, routes=app.routes
        )
        components = document.setdefault("components", {})
        schemas = components.setdefault("schemas", {})
        components["securitySchemes"] = {
            BEARER: {
                "type": "http",
                "scheme": "bearer",
                "description": "A Salon API key: `Authorization: Bearer salon_…`",
            }
        }
        for path, operations in document.get("paths", {}).items():
            if path.startswith(API_PREFIX) and "get" in operations and path not in _PUBLIC:
                operations["head"] = _head_of(operations["get"])
            for operation in operations.values():
                schemas.update(operation.pop("x-salon-schemas", {}))
                if path.startswith(API_PREFIX) and path not in _PUBLIC:
                    operation["security"] = [{BEARER: []}]
        app.openapi_schema = document
        return document

    app.openapi = build  # type: ignore[method-assign]
