"""Salon against Whereby's own OpenAPI document (`tests/data/whereby-openapi.json`, a copy of
Whereby's published file), on the operations Salon implements, driven by schemathesis.

The document has known defects, listed in `docs/whereby-compatibility.md`; `known_defects_fixed`
corrects exactly those, each with its reason, and nothing else. A `map_body` hook moves a
generated `endDate` into the future: Whereby's own rule (`endDate` not in the past) is prose the
document cannot express. The run beside it with Salon's own document is `test_openapi.py`.
"""

import copy
import json
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from edges.test_openapi import MAX_EXAMPLES, Target, target
from salon.meetings.model import parse_date_time

__all__ = ["target"]  # the fixture, shared with the run over Salon's own document

DOCUMENT = Path(__file__).parent.parent / "data" / "whereby-openapi.json"
FUTURE_END = "2099-06-01T12:00:00.000Z"
OPERATIONS = [
    ("POST", "/meetings"),
    ("GET", "/meetings"),
    ("GET", "/meetings/{meetingId}"),
    ("DELETE", "/meetings/{meetingId}"),
]
POSITIVE, NEGATIVE = schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE
FUZZ_CASES = [(method, path, POSITIVE) for method, path in OPERATIONS] + [
    ("POST", "/meetings", NEGATIVE),
    ("GET", "/meetings", NEGATIVE),
]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
BAD_REQUEST = {"description": "Salon: the request breaks a rule; `error` names it."}


def _nullable(schema: dict[str, Any]) -> None:
    schema["nullable"] = True


def known_defects_fixed(raw: dict[str, Any]) -> dict[str, Any]:
    """Whereby's document with the defects of `docs/whereby-compatibility.md` corrected."""
    document = copy.deepcopy(raw)
    paths = document["paths"]
    for method, path in OPERATIONS:
        # No 400 anywhere, though creating a meeting has rules (an endDate in the past).
        paths[path][method.lower()]["responses"].setdefault("400", BAD_REQUEST)
    # `cursor` is "null when there are no more results", yet typed as a plain string.
    listing = paths["/meetings"]["get"]["responses"]["200"]["content"]["application/json"]
    _nullable(listing["schema"]["properties"]["cursor"])
    return document


def load_schema(target: Target) -> Any:
    schema = schemathesis.openapi.from_dict(known_defects_fixed(json.loads(DOCUMENT.read_text())))
    schema.app = target.app
    schema.config.update(base_url="http://salon.test/v1")

    def map_body(_: Any, body: Any) -> Any:
        if isinstance(body, dict) and isinstance(body.get("endDate"), str):
            try:
                parse_date_time("endDate", body["endDate"])
            except Exception:
                return body  # a malformed date stays malformed (negative cases)
            return {**body, "endDate": FUTURE_END}
        return body

    schema.hooks.register_hook_with_name(map_body, "map_body")
    return schema


@pytest.fixture(scope="module")
def whereby_schema(target: Target) -> Any:
    return load_schema(target)


def test_the_copy_is_whereby_document_with_its_operations() -> None:
    document = json.loads(DOCUMENT.read_text())
    assert document["servers"][0]["url"] == "https://api.whereby.dev/v1"
    for method, path in OPERATIONS:
        assert method.lower() in document["paths"][path]


@pytest.mark.parametrize(
    ("method", "path", "mode"),
    FUZZ_CASES,
    ids=[f"{method} {path} {mode.value}" for method, path, mode in FUZZ_CASES],
)
def test_salon_conforms_to_whereby_openapi(
    target: Target,
    whereby_schema: Any,
    method: str,
    path: str,
    mode: schemathesis.GenerationMode,
) -> None:
    operation = whereby_schema[path][method]

    @hypothesis.settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def conforms(case: schemathesis.Case[Any]) -> None:
        response = case.call_and_validate(headers=target.auth, checks=CHECKS)
        statuses.add(response.status_code)

    statuses: set[int] = set()
    conforms()
    if mode is POSITIVE and method == "POST":
        assert 201 in statuses, statuses  # the hook's future endDate lets valid creates pass
