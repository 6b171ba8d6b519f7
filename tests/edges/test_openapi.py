"""The app's own OpenAPI document: served, complete, and true to the app (checked by schemathesis).

Schemathesis drives the app in-process over ASGI on its own event loop thread, so its target is
built here over a SQLite file of its own, not through the per-test `api` fixture.
"""

import asyncio
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.types import Receive, Scope, Send

from helpers import PUBLIC_URL, Api
from salon.app import build_app, open_database
from salon.config import Settings
from salon.storage.db import Database

SCHEMA_PATH = "/v1/openapi.json"
OPERATIONS = [
    ("POST", "/v1/meetings"),
    ("GET", "/v1/meetings"),
    ("GET", "/v1/meetings/{meetingId}"),
    ("DELETE", "/v1/meetings/{meetingId}"),
    ("GET", "/v1/hello"),
    ("HEAD", "/v1/hello"),
    ("POST", "/v1/webhooks"),
    ("GET", "/v1/webhooks"),
    ("GET", "/v1/webhook-deliveries"),
    ("GET", "/v1/insights/rooms"),
    ("GET", "/v1/insights/room-sessions"),
    ("GET", "/v1/insights/participants"),
    ("GET", "/v1/insights/participant"),
    ("PUT", "/v1/rooms/{roomName}/theme/tokens"),
    ("PUT", "/v1/rooms/{roomName}/theme/room-background"),
    ("POST", "/v1/transcriptions"),
    ("GET", "/v1/transcriptions"),
    ("GET", "/v1/transcriptions/{transcriptionId}"),
    ("DELETE", "/v1/transcriptions/{transcriptionId}"),
    ("GET", "/v1/transcriptions/{transcriptionId}/access-link"),
    ("POST", "/v1/transcriptions/bulk-delete"),
    ("POST", "/v1/summaries"),
    ("GET", "/v1/summaries"),
    ("GET", "/v1/summaries/{summaryId}"),
    ("DELETE", "/v1/summaries/{summaryId}"),
]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
POSITIVE, NEGATIVE = schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE
# Negative cases only where the document constrains an input (a body, a query, a path).
FUZZ_CASES = [(method, path, POSITIVE) for method, path in OPERATIONS] + [
    ("POST", "/v1/meetings", NEGATIVE),
    ("GET", "/v1/meetings", NEGATIVE),
    ("GET", "/v1/meetings/{meetingId}", NEGATIVE),
]
MAX_EXAMPLES = 40


async def get_document(api: Api) -> dict[str, Any]:
    response = await api.client.get(SCHEMA_PATH)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    document: dict[str, Any] = response.json()
    return document


def resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


async def test_the_openapi_document_is_served_and_lists_every_operation(api: Api) -> None:
    document = await get_document(api)
    assert document["openapi"].startswith("3.")
    operations = {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in ("get", "head", "post", "put", "patch", "delete")
    }
    assert set(OPERATIONS) <= operations
    found = document["paths"]["/v1/meetings/{meetingId}"]["get"]["responses"]["200"]
    meeting = resolve(document, found["content"]["application/json"]["schema"])
    assert set(meeting["required"]) == {"meetingId", "roomName", "roomUrl", "startDate", "endDate"}


async def test_the_create_operation_documents_its_request_body(api: Api) -> None:
    document = await get_document(api)
    create = document["paths"]["/v1/meetings"]["post"]
    assert "requestBody" in create, "POST /v1/meetings declares no request body"
    schema = resolve(document, create["requestBody"]["content"]["application/json"]["schema"])
    assert schema["required"] == ["endDate"]
    assert {"endDate", "startDate", "roomNamePrefix", "fields"} <= set(schema["properties"])


async def test_the_document_declares_the_bearer_scheme(api: Api) -> None:
    document = await get_document(api)
    schemes = document.get("components", {}).get("securitySchemes", {})
    assert [s for s in schemes.values() if s.get("type") == "http" and s.get("scheme") == "bearer"]
    hello = document["paths"]["/v1/hello"]["get"]
    assert hello.get("security", document.get("security"))


async def test_the_docs_page_is_html_that_loads_the_document(api: Api) -> None:
    response = await api.client.get("/v1/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert SCHEMA_PATH in response.text


async def test_the_docs_page_loads_everything_from_salon_itself(api: Api) -> None:
    """No CDN: every asset the page names is served here, and its policy allows nothing else."""
    page = await api.client.get("/v1/docs")
    policy = [d.strip() for d in page.headers["content-security-policy"].split(";")]
    for directive in ("default-src 'none'", "script-src 'self'", "connect-src 'self'"):
        assert directive in policy, policy
    assert "<script>" not in page.text  # no inline script: 'self' is enough
    referenced = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert len(referenced) >= 4, referenced
    kinds = set()
    for url in referenced:
        assert url.startswith("/"), url
        assert not url.startswith("//"), url
        asset = await api.client.get(url)
        assert asset.status_code == 200, url
        assert asset.content, url
        assert asset.headers["x-content-type-options"] == "nosniff"
        kinds.add(asset.headers["content-type"].split(";")[0])
        if url.endswith("api-docs.js"):
            assert "http" not in asset.text
            assert "validatorUrl: null" in asset.text
    assert {"text/css", "text/javascript", "image/png"} <= kinds, kinds
    assert (await api.client.get("/_salon/swagger-ui/index.html")).status_code == 404


# --- schemathesis ----------------------------------------------------------------------------


@dataclass
class Target:
    app: Any
    auth: dict[str, str]


def without_lifespan(app: FastAPI) -> Any:
    """The app without its lifespan, so that no housekeeping task outlives the test on
    schemathesis' shared event loop (the sweeper it runs has tests of its own)."""

    async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            return
        await app(scope, receive, send)

    return asgi


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Target]:
    path = tmp_path_factory.mktemp("schemathesis") / "salon.db"
    shutil.copyfile(sqlite_template, path)
    database: Database = open_database(f"sqlite:///{path}")

    async def build() -> tuple[FastAPI, str]:
        settings = Settings(public_url=PUBLIC_URL, rate_limit_points=0)
        app = await build_app(settings, database)
        org, _ = await app.state.services.orgs.ensure_default()
        _, key = await app.state.services.keys.create(org.org_id, "schemathesis")
        return app, key

    app, key = asyncio.run(build())
    try:
        yield Target(without_lifespan(app), {"Authorization": f"Bearer {key}"})
    finally:
        asyncio.run(database.close())


@pytest.mark.parametrize(
    ("method", "path", "mode"),
    FUZZ_CASES,
    ids=[f"{method} {path} {mode.value}" for method, path, mode in FUZZ_CASES],
)
def test_the_app_conforms_to_its_own_openapi(
    target: Target, method: str, path: str, mode: schemathesis.GenerationMode
) -> None:
    schema = schemathesis.openapi.from_asgi(SCHEMA_PATH, target.app)
    operation = schema[path][method]

    @hypothesis.settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def conforms(case: schemathesis.Case[Any]) -> None:
        case.call_and_validate(headers=target.auth, checks=CHECKS)

    conforms()


async def test_every_v1_operation_documents_the_shape_of_its_success(api: Api) -> None:
    document = await get_document(api)
    bare = []
    for path, item in document["paths"].items():
        if not path.startswith("/v1/") or path in ("/v1/openapi.json", "/v1/docs"):
            continue
        for method, operation in item.items():
            if method in ("head", "delete", "parameters"):
                continue
            success = {s: r for s, r in operation["responses"].items() if s.startswith("2")}
            for status, response in success.items():
                if status == "204":
                    continue
                content: dict[str, Any] = response.get("content", {})
                first: dict[str, Any] = next(iter(content.values()), {})
                schema: dict[str, Any] = first.get("schema", {})
                if not resolve(document, schema).get("properties") and "items" not in schema:
                    bare.append(f"{method.upper()} {path} {status}")
    assert bare == []
