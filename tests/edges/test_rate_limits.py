"""Rate limits (docs/whereby-compatibility.md, "Rate limits"): points per organization per minute.

A read costs 1, a delete 2, a write 3; every `/v1` response carries `X-RateLimit-*`; a refused
request gets `429`, `Retry-After` and `{"error", "code", "data": {"msLeft"}}`. The budget here is
10 points, and the fake clock only moves when a test moves it.
"""

import math
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx
import pytest

from helpers import CLIENT_ADDRESS, Api, FakeClock, make_api
from salon.clock import MS_PER_MINUTE
from salon.config import Settings
from salon.storage.db import Database

LIMIT = 10
WINDOW = timedelta(milliseconds=MS_PER_MINUTE)
HTTP_DATE = re.compile(r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT")
END = "2099-01-01T00:00:00Z"
RATE_HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")


@pytest.fixture
async def limited(database: Database, clock: FakeClock) -> AsyncIterator[Api]:
    made = await make_api(database, clock, rate_limit_points=LIMIT)
    try:
        yield made
    finally:
        await made.client.aclose()


def now_of(clock: FakeClock) -> datetime:
    return datetime.fromtimestamp(clock() / 1000, tz=UTC)


def assert_rate_headers(response: httpx.Response, remaining: int, reset: datetime) -> None:
    assert response.headers["x-ratelimit-limit"] == str(LIMIT)
    assert response.headers["x-ratelimit-remaining"] == str(remaining)
    raw_reset = response.headers["x-ratelimit-reset"]
    assert HTTP_DATE.fullmatch(raw_reset), raw_reset
    assert parsedate_to_datetime(raw_reset) == reset
    if response.status_code != 429:
        assert "retry-after" not in response.headers


def assert_throttled(response: httpx.Response, bucket: str, ms_left: int) -> None:
    """A 429 for `bucket`, whose wait is `ms_left` and `Retry-After` its whole seconds. The
    message names the kind of bucket, never its id (an organization's, a client's address)."""
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == ["error", "code", "data"]
    assert body == {
        "error": f"Rate limit active for throttle key: {bucket.partition(':')[0]}",
        "code": "rate_limited",
        "data": {"msLeft": ms_left},
    }
    retry_after = response.headers["retry-after"]
    assert retry_after.isdigit()
    assert int(retry_after) == max(1, math.ceil(ms_left / 1000))


async def create(api: Api, headers: dict[str, str] | None = None) -> httpx.Response:
    return await api.client.post(
        "/v1/meetings", json={"endDate": END}, headers=api.auth if headers is None else headers
    )


async def spend_all(api: Api, headers: dict[str, str] | None = None) -> None:
    """Three creates (9 points) and a read (1): the whole budget of the window."""
    for _ in range(3):
        assert (await create(api, headers)).status_code == 201
    read = await api.client.get("/v1/hello", headers=api.auth if headers is None else headers)
    assert read.status_code == 200
    assert read.headers["x-ratelimit-remaining"] == "0"


async def test_every_v1_response_carries_the_rate_limit_headers(limited: Api) -> None:
    reset = now_of(limited.clock) + WINDOW
    created = await create(limited)
    assert created.status_code == 201
    assert_rate_headers(created, 7, reset)
    path = f"/v1/meetings/{created.json()['meetingId']}"
    client, auth = limited.client, limited.auth
    for response, status, remaining in [
        (await client.get("/v1/meetings", headers=auth), 200, 6),
        (await client.get(path, headers=auth), 200, 5),
        (await client.delete(path, headers=auth), 204, 3),
        (await client.get("/v1/meetings?limit=0", headers=auth), 400, 2),
        (await client.get(path, headers=auth), 404, 1),
    ]:
        assert response.status_code == status
        assert_rate_headers(response, remaining, reset)
    unauthenticated = await client.get("/v1/meetings")
    assert unauthenticated.status_code == 401
    assert_rate_headers(unauthenticated, LIMIT - 1, reset)


async def test_oversized_unroutable_and_wrong_method_responses_carry_the_headers(
    limited: Api,
) -> None:
    reset = now_of(limited.clock) + WINDOW
    body = b'{"endDate": "2099-01-01T00:00:00Z"}' + b" " * Settings().max_body_bytes
    too_large = await limited.client.post("/v1/meetings", content=body, headers=limited.auth)
    assert too_large.status_code == 413
    assert_rate_headers(too_large, 7, reset)
    unknown = await limited.client.get("/v1/nothing", headers=limited.auth)
    assert unknown.status_code == 404
    assert_rate_headers(unknown, 6, reset)
    wrong = await limited.client.put("/v1/meetings", json={}, headers=limited.auth)
    assert wrong.status_code == 405
    assert_rate_headers(wrong, 3, reset)


async def test_a_read_costs_1_a_delete_2_and_a_write_3(limited: Api) -> None:
    client, auth = limited.client, limited.auth
    steps = [
        (await client.head("/v1/hello", headers=auth), 9),
        (await client.get("/v1/hello", headers=auth), 8),
        (await client.delete("/v1/meetings/12345", headers=auth), 6),
        (await create(limited), 3),
        (await client.get("/v1/meetings", headers=auth), 2),
    ]
    for response, remaining in steps:
        assert response.status_code < 400, response.text
        assert response.headers["x-ratelimit-remaining"] == str(remaining)


async def test_going_over_the_budget_is_429_and_a_refused_request_costs_nothing(
    limited: Api,
) -> None:
    reset = now_of(limited.clock) + WINDOW
    bucket = f"organization:{limited.org_id}"
    for _ in range(3):
        assert (await create(limited)).status_code == 201
    refused = await create(limited)
    assert_throttled(refused, bucket, MS_PER_MINUTE)
    assert_rate_headers(refused, 1, reset)

    limited.clock.advance(15_500)
    refused = await create(limited)
    assert_throttled(refused, bucket, 44_500)
    assert refused.headers["retry-after"] == "45"
    refused_delete = await limited.client.delete("/v1/meetings/1", headers=limited.auth)
    assert_throttled(refused_delete, bucket, 44_500)
    read = await limited.client.get("/v1/meetings", headers=limited.auth)
    assert read.status_code == 200
    assert_rate_headers(read, 0, reset)
    assert len(read.json()["results"]) == 3
    assert_throttled(await limited.client.get("/v1/hello", headers=limited.auth), bucket, 44_500)


async def test_the_last_millisecond_of_the_window_asks_to_retry_after_one_second(
    limited: Api,
) -> None:
    await spend_all(limited)
    limited.clock.advance(MS_PER_MINUTE - 1)
    refused = await limited.client.get("/v1/hello", headers=limited.auth)
    assert_throttled(refused, f"organization:{limited.org_id}", 1)
    assert refused.headers["retry-after"] == "1"


async def test_advancing_the_clock_a_minute_restores_the_budget(limited: Api) -> None:
    await spend_all(limited)
    limited.clock.advance(MS_PER_MINUTE)
    restored = await create(limited)
    assert restored.status_code == 201
    assert_rate_headers(restored, LIMIT - 3, now_of(limited.clock) + WINDOW)


async def test_the_keys_of_one_organization_share_its_budget(limited: Api) -> None:
    _, second_key = await limited.app.state.services.keys.create(limited.org_id, "second")
    second = {"Authorization": f"Bearer {second_key}"}
    assert (await create(limited)).status_code == 201
    seen = await limited.client.get("/v1/hello", headers=second)
    assert seen.headers["x-ratelimit-remaining"] == str(LIMIT - 4)
    for _ in range(2):
        assert (await create(limited, second)).status_code == 201
    assert_throttled(await create(limited), f"organization:{limited.org_id}", MS_PER_MINUTE)


async def test_another_organization_has_a_budget_of_its_own(limited: Api) -> None:
    services = limited.app.state.services
    other_org = await services.orgs.create("other")
    _, other_key = await services.keys.create(other_org.org_id, "other")
    other = {"Authorization": f"Bearer {other_key}"}
    await spend_all(limited)
    assert_throttled(await create(limited), f"organization:{limited.org_id}", MS_PER_MINUTE)
    theirs = await create(limited, other)
    assert theirs.status_code == 201
    assert theirs.headers["x-ratelimit-remaining"] == str(LIMIT - 3)
    for _ in range(2):
        assert (await create(limited, other)).status_code == 201
    assert_throttled(
        await create(limited, other), f"organization:{other_org.org_id}", MS_PER_MINUTE
    )


async def test_requests_without_a_valid_key_are_charged_by_client_address(limited: Api) -> None:
    bucket = f"address:{CLIENT_ADDRESS}"
    for remaining in range(LIMIT - 1, -1, -1):
        response = await limited.client.get("/v1/meetings")
        assert response.status_code == 401
        assert response.headers["x-ratelimit-remaining"] == str(remaining)
    assert_throttled(await limited.client.get("/v1/meetings"), bucket, MS_PER_MINUTE)
    wrong_key = {"Authorization": "Bearer salon_aaaaaaaaaaaa_" + "A" * 43}
    assert_throttled(
        await limited.client.get("/v1/hello", headers=wrong_key), bucket, MS_PER_MINUTE
    )

    # The organization's own budget is untouched by the guessing.
    with_key = await limited.client.get("/v1/hello", headers=limited.auth)
    assert with_key.status_code == 200
    assert with_key.headers["x-ratelimit-remaining"] == str(LIMIT - 1)

    # Another address has its own budget.
    elsewhere = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=limited.app, client=("198.51.100.9", 40000)),
        base_url="http://salon.test",
    )
    async with elsewhere:
        response = await elsewhere.get("/v1/meetings")
    assert response.status_code == 401
    assert response.headers["x-ratelimit-remaining"] == str(LIMIT - 1)


async def test_zero_points_turns_rate_limiting_off(api: Api) -> None:
    responses = [await create(api) for _ in range(3 * LIMIT)]
    responses += [
        await api.client.get("/v1/meetings", headers=api.auth),
        await api.client.get("/v1/meetings/404404", headers=api.auth),
        await api.client.get("/v1/meetings"),
        await api.client.delete("/v1/meetings/1", headers=api.auth),
    ]
    assert [r.status_code for r in responses] == [201] * 3 * LIMIT + [200, 404, 401, 204]
    for response in responses:
        for name in (*RATE_HEADERS, "retry-after"):
            assert name not in response.headers
