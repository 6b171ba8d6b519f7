"""Limits shared by every node through Redis: the API's points and the sign-in throttle. Each
limiter here stands for one node; two over one Redis database count one budget. With Redis gone
they fail open, with one warning a minute."""

import logging

import pytest
from redis.asyncio import Redis

from cluster.nodes import running_nodes
from helpers import FakeClock
from salon.accounts import throttle
from salon.cluster.guard import RedisGuard
from salon.cluster.redis_limits import RedisApiLimiter, RedisSignInLimiter

END = "2099-01-01T00:00:00Z"
UNREACHABLE = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def sign_in_limiter(client: Redis, clock: FakeClock) -> RedisSignInLimiter:
    return RedisSignInLimiter(
        client,
        RedisGuard(),
        clock,
        window_ms=throttle.WINDOW_MS,
        per_pair=throttle.PER_PAIR,
        per_client=throttle.PER_CLIENT,
        slowdown_after=throttle.SLOWDOWN_AFTER,
        pace_ms=throttle.PACE_MS,
    )


async def test_two_nodes_spend_one_budget_of_points(redis_url: str, clock: FakeClock) -> None:
    client = Redis.from_url(redis_url)
    try:
        one, two = (RedisApiLimiter(client, RedisGuard(), 10, clock) for _ in range(2))
        verdicts = [await (one if n % 2 else two).charge("organization:1", 3) for n in range(4)]
        assert [v.allowed for v in verdicts] == [True, True, True, False]
        assert verdicts[2].remaining == 1
        assert (await one.charge("organization:1", 1)).allowed  # what is left still fits
        assert not (await two.charge("organization:1", 1)).allowed
        assert (await two.charge("organization:2", 3)).allowed  # another budget
        refused = await one.charge("organization:1", 1)
        assert 0 < refused.ms_left <= 60_000
        assert refused.reset_ms == clock() + refused.ms_left
    finally:
        await client.aclose()


async def test_a_window_ends_after_a_minute(redis_url: str, clock: FakeClock) -> None:
    client = Redis.from_url(redis_url)
    try:
        limiter = RedisApiLimiter(client, RedisGuard(), 3, clock)
        assert (await limiter.charge("address:10.0.0.1", 3)).allowed
        assert not (await limiter.charge("address:10.0.0.1", 1)).allowed
        await client.pexpireat("salon:points:address:10.0.0.1", 1)  # the minute is over
        assert (await limiter.charge("address:10.0.0.1", 3)).allowed
    finally:
        await client.aclose()


async def test_unreachable_redis_fails_open_with_one_warning(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    client = Redis.from_url(UNREACHABLE, socket_connect_timeout=1.0)
    guard_clock = [0.0]
    guard = RedisGuard(lambda: guard_clock[0])
    try:
        limiter = RedisApiLimiter(client, guard, 3, clock)
        signin = RedisSignInLimiter(
            client,
            guard,
            clock,
            window_ms=throttle.WINDOW_MS,
            per_pair=1,
            per_client=1,
            slowdown_after=1,
            pace_ms=throttle.PACE_MS,
        )
        with caplog.at_level(logging.WARNING, logger="salon.cluster"):
            for _ in range(5):
                assert (await limiter.charge("organization:1", 3)).allowed
                attempt = await signin.reserve("a@example.org", "10.0.0.1")
                assert attempt.wait_ms == 0
                await attempt.failed()
                guard_clock[0] += 1.5  # past the back-off: each round asks Redis again
        assert guard.failures >= 5
        warnings = [r for r in caplog.records if "Redis is unreachable" in r.getMessage()]
        assert len(warnings) == 1
        guard_clock[0] += 60
        with caplog.at_level(logging.WARNING, logger="salon.cluster"):
            await limiter.charge("organization:1", 3)
        assert len([r for r in caplog.records if "Redis is unreachable" in r.getMessage()]) == 2
    finally:
        await client.aclose()


async def test_sign_in_failures_count_on_every_node(redis_url: str, clock: FakeClock) -> None:
    client = Redis.from_url(redis_url)
    try:
        one, two = sign_in_limiter(client, clock), sign_in_limiter(client, clock)
        for n in range(throttle.PER_PAIR):
            attempt = await (one if n % 2 else two).reserve("a@example.org", "10.0.0.1")
            assert attempt.wait_ms == 0
            await attempt.failed()
        refused = await one.reserve("a@example.org", "10.0.0.1")
        assert 0 < refused.wait_ms <= throttle.WINDOW_MS
        assert (await two.reserve("a@example.org", "10.0.0.1")).wait_ms > 0
        elsewhere = await two.reserve("a@example.org", "10.9.9.9")  # the owner, elsewhere
        assert elsewhere.wait_ms == 0
        await elsewhere.succeeded()
    finally:
        await client.aclose()


async def test_attempts_being_checked_count_until_settled(redis_url: str, clock: FakeClock) -> None:
    client = Redis.from_url(redis_url)
    try:
        one, two = sign_in_limiter(client, clock), sign_in_limiter(client, clock)
        held = [await one.reserve("b@example.org", "10.0.0.2") for _ in range(throttle.PER_PAIR)]
        assert all(attempt.wait_ms == 0 for attempt in held)
        assert (await two.reserve("b@example.org", "10.0.0.2")).wait_ms == 1_000
        for attempt in held[:-1]:
            await attempt.failed()
        await held[-1].succeeded()  # a success forgets the pair's failures
        assert (await two.reserve("b@example.org", "10.0.0.2")).wait_ms == 0
    finally:
        await client.aclose()


async def test_thirty_points_on_two_nodes_are_spent_by_ten_creates(
    fresh_postgres: str, redis_url: str, clock: FakeClock
) -> None:
    """`--rate-limit-points 30` on both nodes: a create costs 3, so 10 creates spread over the
    two nodes spend the organization's budget, and the next is refused on either node."""
    async with running_nodes(fresh_postgres, redis_url, clock, rate_limit_points=30) as cluster:
        body = {"endDate": END}
        for n in range(10):
            node = cluster.nodes[n % 2]
            created = await node.client.post("/v1/meetings", headers=cluster.auth, json=body)
            assert created.status_code == 201, created.text
            assert created.headers["x-ratelimit-remaining"] == str(30 - 3 * (n + 1))
        for node in cluster.nodes:
            refused = await node.client.post("/v1/meetings", headers=cluster.auth, json=body)
            assert refused.status_code == 429, refused.text
            assert refused.json()["code"] == "rate_limited"
            assert 0 < refused.json()["data"]["msLeft"] <= 60_000
            assert int(refused.headers["retry-after"]) >= 1


async def test_unreachable_redis_never_makes_a_5xx(fresh_postgres: str, clock: FakeClock) -> None:
    async with running_nodes(
        fresh_postgres, UNREACHABLE, clock, 1, redis_answers=False, rate_limit_points=30
    ) as one:
        node = one.nodes[0]
        for _ in range(12):  # past the budget: fail open means none is refused
            created = await node.client.post(
                "/v1/meetings", headers=one.auth, json={"endDate": END}
            )
            assert created.status_code == 201, created.text
        signed = await node.client.get("/dashboard/live")
        assert signed.status_code < 500
