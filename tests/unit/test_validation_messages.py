"""Validation errors become one clear sentence naming the field (docs/whereby-compatibility.md,
"Errors"), and the domain errors carry stable codes."""

from typing import Any, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from salon.api.errors import describe_validation_error
from salon.errors import (
    ApiErrorCode,
    Conflict,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    SalonError,
    Unauthorized,
)

# --- errors built by hand ----------------------------------------------------------------------


def _error(kind: str, *loc: int | str, ctx: dict[str, Any] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"type": kind, "loc": loc, "msg": "ignored", "input": None}
    if ctx is not None:
        error["ctx"] = ctx
    return error


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (_error("missing", "body", "endDate"), "endDate is required"),
        (
            _error("literal_error", "body", "roomMode", ctx={"expected": "'normal' or 'group'"}),
            "roomMode must be one of 'normal' or 'group'",
        ),
        (_error("string_type", "body", "endDate"), "endDate must be a string"),
        (_error("string_sub_type", "body", "endDate"), "endDate must be a string"),
        (_error("bool_type", "body", "isLocked"), "isLocked must be a boolean"),
        (_error("int_type", "query", "limit"), "limit must be an integer"),
        (_error("int_parsing", "query", "limit"), "limit must be an integer"),
        (_error("int_from_float", "query", "limit"), "limit must be an integer"),
        (_error("model_type", "body", "recording"), "recording must be an object"),
        (_error("model_attributes_type", "body", "streaming"), "streaming must be an object"),
        (_error("dict_type", "body", "roomPreferences"), "roomPreferences must be an object"),
        (_error("list_type", "body", "fields"), "fields must be an array"),
        (
            _error("greater_than_equal", "query", "limit", ctx={"ge": 1}),
            "limit must be at least 1",
        ),
        (
            _error("less_than_equal", "query", "limit", ctx={"le": 100}),
            "limit must be at most 100",
        ),
        (_error("string_too_long", "body", "roomNamePrefix"), "roomNamePrefix is too long"),
        (_error("too_long", "body", "fields"), "fields is too long"),
        (_error("string_too_short", "body", "streaming", "destination", "url"),
         "streaming.destination.url must not be empty"),
        (_error("too_short", "body", "fields"), "fields must not be empty"),
        (_error("string_pattern_mismatch", "body", "endDate"), "endDate is not valid"),
        (_error("string_pattern_mismatch", "body", "tokens", "colors", "focus",
                ctx={"pattern": "^#[a-fA-F0-9]{6}$"}),
         "tokens.colors.focus must match ^#[a-fA-F0-9]{6}$"),
        (_error("something_new", "query", "cursor"), "cursor is not valid"),
    ],
)  # fmt: skip
def test_each_error_type_reads_as_a_sentence(error: dict[str, Any], message: str) -> None:
    assert describe_validation_error(error) == message


@pytest.mark.parametrize(
    ("loc", "field"),
    [
        (("body", "endDate"), "endDate"),
        (("body", "recording", "destination", "provider"), "recording.destination.provider"),
        (("body", "fields", 0), "fields[0]"),
        (("body", "fields", 12), "fields[12]"),
        (("body", "a", 0, "b", 1), "a[0].b[1]"),
        (("query", "limit"), "limit"),
        (("header", "authorization"), "authorization"),
    ],
)
def test_the_field_path_is_dotted_with_indexes_in_brackets(
    loc: tuple[int | str, ...], field: str
) -> None:
    assert describe_validation_error(_error("missing", *loc)) == f"{field} is required"


def test_invalid_json_is_named_as_such() -> None:
    assert describe_validation_error(_error("json_invalid", "body", 7)) == (
        "request body is not valid JSON"
    )
    assert describe_validation_error(_error("json_invalid")) == "request body is not valid JSON"


@pytest.mark.parametrize("kind", ["model_type", "model_attributes_type", "dict_type", "missing"])
def test_a_body_that_is_not_an_object(kind: str) -> None:
    assert describe_validation_error(_error(kind, "body")) == "request body must be a JSON object"


# --- errors pydantic really produces -----------------------------------------------------------


class _Destination(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")
    provider: Literal["s3", "whereby"]


class _Body(BaseModel):
    """A strict request model shaped like `POST /v1/meetings`."""

    model_config = ConfigDict(strict=True, extra="ignore")
    endDate: str
    startDate: str | None = None
    isLocked: bool = False
    roomMode: Literal["normal", "group"] = "normal"
    limit: int = Field(default=50, ge=1, le=100)
    roomNamePrefix: str = Field(default="", max_length=200)
    url: str = Field(default="rtmp://x", min_length=1)
    fields: list[Literal["hostRoomUrl", "viewerRoomUrl", "dialIn"]] = Field(
        default_factory=list, max_length=3
    )
    recording: _Destination | None = None


def _describe(body: object) -> str:
    with pytest.raises(ValidationError) as caught:
        _Body.model_validate(body)
    first = caught.value.errors()[0]
    return describe_validation_error({**first, "loc": ("body", *first["loc"])})


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "endDate is required"),
        ({"endDate": 5}, "endDate must be a string"),
        ({"endDate": "x", "startDate": 5}, "startDate must be a string"),
        ({"endDate": "x", "isLocked": "true"}, "isLocked must be a boolean"),
        ({"endDate": "x", "roomMode": "big"}, "roomMode must be one of 'normal' or 'group'"),
        ({"endDate": "x", "limit": 0}, "limit must be at least 1"),
        ({"endDate": "x", "limit": 101}, "limit must be at most 100"),
        ({"endDate": "x", "limit": "5"}, "limit must be an integer"),
        ({"endDate": "x", "limit": 1.5}, "limit must be an integer"),
        ({"endDate": "x", "roomNamePrefix": "a" * 201}, "roomNamePrefix is too long"),
        ({"endDate": "x", "url": ""}, "url must not be empty"),
        ({"endDate": "x", "fields": "hostRoomUrl"}, "fields must be an array"),
        (
            {"endDate": "x", "fields": ["hostRoomUrl", "hostRoomURL"]},
            "fields[1] must be one of 'hostRoomUrl', 'viewerRoomUrl' or 'dialIn'",
        ),
        ({"endDate": "x", "fields": ["dialIn"] * 4}, "fields is too long"),
        ({"endDate": "x", "recording": "cloud"}, "recording must be an object"),
        ({"endDate": "x", "recording": {}}, "recording.provider is required"),
        ({"endDate": "x", "recording": {"provider": "gcs"}},
         "recording.provider must be one of 's3' or 'whereby'"),
        ([{"endDate": "x"}], "request body must be a JSON object"),
        ("endDate", "request body must be a JSON object"),
    ],
)  # fmt: skip
def test_real_pydantic_errors_read_as_sentences(body: object, message: str) -> None:
    assert _describe(body) == message


def test_real_invalid_json_reads_as_a_sentence() -> None:
    with pytest.raises(ValidationError) as caught:
        _Body.model_validate_json('{"endDate": ')
    first = dict(caught.value.errors()[0])
    assert first["type"] == "json_invalid"
    assert describe_validation_error(first) == "request body is not valid JSON"


# --- domain errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (InvalidInput("x"), "invalid_input"),
        (Unauthorized("x"), "unauthorized"),
        (NotFound("x"), "not_found"),
        (Conflict("x"), "conflict"),
        (PayloadTooLarge("x"), "payload_too_large"),
        (RateLimited("x", ms_left=1), "rate_limited"),
    ],
)
def test_each_domain_error_has_a_stable_code(error: SalonError, code: str) -> None:
    assert isinstance(error, SalonError)
    assert error.code == code
    assert error.message == "x"
    assert str(error) == "x"


def test_rate_limited_carries_the_wait() -> None:
    error = RateLimited("Rate limit active for throttle key: organization:1", ms_left=38_689)
    assert error.ms_left == 38_689
    assert error.message == "Rate limit active for throttle key: organization:1"


def test_the_error_codes_are_the_documented_strings() -> None:
    assert {code.value for code in ApiErrorCode} == {
        "invalid_input",
        "unauthorized",
        "forbidden",
        "not_found",
        "conflict",
        "payload_too_large",
        "rate_limited",
        "method_not_allowed",
        "unavailable",
    }
