"""Points per organization per minute ("Rate limits" in docs/whereby-compatibility.md), on a
clock the tests move."""

from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salon import ratelimit
from salon.ratelimit import RateLimiter, Verdict, client_of, cost_of

T0 = 1_772_366_400_000  # 2026-03-01T12:00:00Z
MINUTE = 60_000


class ManualClock:
    def __init__(self, now_ms: int = T0) -> None:
        self.now_ms = now_ms

    def __call__(self) -> int:
        return self.now_ms


@pytest.mark.parametrize(
    ("method", "cost"),
    [("GET", 1), ("HEAD", 1), ("DELETE", 2), ("POST", 3), ("PUT", 3), ("PATCH", 3)],
)
def test_cost_of_each_method(method: str, cost: int) -> None:
    assert cost_of(method) == cost


def test_the_documented_mix_fills_a_budget_of_1000_exactly() -> None:
    # 200 DELETE + 100 POST + 300 GET = 1000 points (Whereby's rate-limit example).
    spent = 200 * cost_of("DELETE") + 100 * cost_of("POST") + 300 * cost_of("GET")
    assert spent == 1000
    limiter = RateLimiter(1000, ManualClock())
    methods = ["DELETE"] * 200 + ["POST"] * 100 + ["GET"] * 300
    assert all(limiter.charge("org:1", cost_of(m)).allowed for m in methods)
    assert not limiter.charge("org:1", cost_of("GET")).allowed


def test_enabled_only_with_a_positive_budget() -> None:
    assert RateLimiter(1000, ManualClock()).enabled
    assert RateLimiter(1, ManualClock()).enabled
    assert not RateLimiter(0, ManualClock()).enabled


def test_a_first_charge_opens_a_minute_long_window() -> None:
    limiter = RateLimiter(10, ManualClock())
    assert limiter.charge("org:1", 3) == Verdict(
        allowed=True, limit=10, remaining=7, reset_ms=T0 + MINUTE, ms_left=MINUTE
    )


def test_remaining_and_ms_left_follow_the_clock_within_the_window() -> None:
    clock = ManualClock()
    limiter = RateLimiter(10, clock)
    limiter.charge("org:1", 3)
    clock.now_ms += 20_000
    assert limiter.charge("org:1", 2) == Verdict(True, 10, 5, T0 + MINUTE, 40_000)
    clock.now_ms += 39_999
    assert limiter.charge("org:1", 5) == Verdict(True, 10, 0, T0 + MINUTE, 1)


def test_a_refused_request_costs_nothing() -> None:
    clock = ManualClock()
    limiter = RateLimiter(10, clock)
    limiter.charge("org:1", 3)
    limiter.charge("org:1", 3)
    limiter.charge("org:1", 3)  # 9 used, 1 left
    clock.now_ms += 15_000
    refused = limiter.charge("org:1", 3)
    assert refused == Verdict(False, 10, 1, T0 + MINUTE, 45_000)
    assert limiter.charge("org:1", 2) == Verdict(False, 10, 1, T0 + MINUTE, 45_000)
    assert limiter.charge("org:1", 1) == Verdict(True, 10, 0, T0 + MINUTE, 45_000)
    assert not limiter.charge("org:1", 1).allowed


def test_a_cost_above_the_whole_budget_is_always_refused() -> None:
    limiter = RateLimiter(2, ManualClock())
    verdict = limiter.charge("org:1", 3)
    assert verdict == Verdict(False, 2, 2, T0 + MINUTE, MINUTE)
    assert limiter.charge("org:1", 2).allowed


def test_the_window_resets_after_exactly_a_minute() -> None:
    clock = ManualClock()
    limiter = RateLimiter(3, clock)
    assert limiter.charge("org:1", 3).allowed
    clock.now_ms = T0 + MINUTE - 1
    assert limiter.charge("org:1", 1) == Verdict(False, 3, 0, T0 + MINUTE, 1)
    clock.now_ms = T0 + MINUTE
    assert limiter.charge("org:1", 1) == Verdict(True, 3, 2, T0 + 2 * MINUTE, MINUTE)


def test_a_window_opens_at_the_first_charge_after_a_quiet_spell() -> None:
    clock = ManualClock()
    limiter = RateLimiter(5, clock)
    limiter.charge("org:1", 5)
    clock.now_ms = T0 + 10 * MINUTE + 123
    assert limiter.charge("org:1", 1) == Verdict(True, 5, 4, clock.now_ms + MINUTE, MINUTE)


def test_buckets_are_separate() -> None:
    clock = ManualClock()
    limiter = RateLimiter(3, clock)
    assert limiter.charge("org:1", 3).allowed
    assert not limiter.charge("org:1", 1).allowed
    clock.now_ms += 30_000
    assert limiter.charge("org:2", 3) == Verdict(True, 3, 0, T0 + 30_000 + MINUTE, MINUTE)
    clock.now_ms = T0 + MINUTE
    assert limiter.charge("org:1", 1).allowed  # org:1's window is over, org:2's is not
    assert not limiter.charge("org:2", 1).allowed


def test_pruning_expired_buckets_keeps_live_windows() -> None:
    clock = ManualClock()
    limiter = RateLimiter(10, clock)
    for n in range(ratelimit._PRUNE_AT - 1):
        limiter.charge(f"old:{n}", 1)
    clock.now_ms = T0 + 30_000
    limiter.charge("live", 4)  # the 10 000th bucket, opened half a minute later
    clock.now_ms = T0 + MINUTE  # every `old:` window is over; `live` has 30 s left
    verdict = limiter.charge("live", 4)
    assert verdict == Verdict(True, 10, 2, T0 + 30_000 + MINUTE, 30_000)
    assert len(limiter._windows) == 1  # the expired buckets were dropped
    assert limiter.charge("old:7", 10) == Verdict(True, 10, 0, T0 + 2 * MINUTE, MINUTE)
    assert not limiter.charge("live", 3).allowed


_METHODS = st.sampled_from(["GET", "HEAD", "DELETE", "POST", "PUT", "PATCH"])
_STEPS = st.lists(
    st.tuples(st.integers(0, 25_000), st.sampled_from(["a", "b", "c", "d"]), _METHODS),
    max_size=120,
)


@settings(max_examples=300, deadline=None)  # no timing: the machine may be busy
@given(limit=st.integers(1, 12), prune_at=st.sampled_from([1, 2, 3, 10_000]), steps=_STEPS)
def test_allowed_cost_per_window_never_exceeds_the_limit(
    limit: int, prune_at: int, steps: list[tuple[int, str, str]]
) -> None:
    clock = ManualClock()
    spent: dict[tuple[str, int], int] = {}  # (bucket, window reset) -> points allowed
    model: dict[str, tuple[int, int]] = {}  # an independent model: bucket -> (start, used)
    with patch.object(ratelimit, "_PRUNE_AT", prune_at):
        limiter = RateLimiter(limit, clock)
        for advance, bucket, method in steps:
            clock.now_ms += advance
            cost = cost_of(method)
            verdict = limiter.charge(bucket, cost)

            start, used = model.get(bucket, (clock.now_ms, 0))
            if clock.now_ms >= start + MINUTE:
                start, used = clock.now_ms, 0
            expected_allowed = used + cost <= limit
            used += cost if expected_allowed else 0
            model[bucket] = (start, used)
            assert verdict == Verdict(
                expected_allowed, limit, limit - used, start + MINUTE, start + MINUTE - clock.now_ms
            )

            if verdict.allowed:
                key = (bucket, verdict.reset_ms)
                spent[key] = spent.get(key, 0) + cost
                assert spent[key] <= limit
            else:
                assert verdict.remaining < cost
            assert 0 < verdict.ms_left <= MINUTE


def test_clients_are_counted_by_ipv4_address_or_ipv6_network() -> None:
    assert client_of("203.0.113.7") == "203.0.113.7"
    assert client_of("2001:db8:1:2:aaaa::1") == client_of("2001:db8:1:2:bbbb::2")
    assert client_of("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert client_of("2001:db8:1:3::1") != client_of("2001:db8:1:2::1")
    assert client_of("::ffff:203.0.113.7") == "203.0.113.7"
    assert client_of(None) == "unknown"
    assert client_of("testclient") == "testclient"
