"""Receivers that misbehave, on SQLite and PostgreSQL: each bad answer costs one attempt, recorded
with what went wrong, and nothing else (no other delivery is lost or held up, nothing crashes).

docs/whereby-compatibility.md, "Webhooks": a `5xx` or a timeout (5 s) is retried; every attempt
is recorded. A connection that breaks is retried like a timeout (`RetryPolicy`); a `3xx` or `4xx`
is final.
"""

import socket
import time
from collections.abc import AsyncIterator

import pytest

from helpers import Api
from salon.clock import MS_PER_MINUTE
from salon.webhooks.model import RetryPolicy
from webhook_helpers import (
    CLOSE,
    FAST,
    GARBAGE,
    NUL_BODY,
    SLOW,
    SLOW_S,
    TRICKLE,
    TRICKLE_FOR_S,
    Rig,
    open_rig,
    opened,
    pump,
)


@pytest.fixture
async def rig(api: Api) -> AsyncIterator[Rig]:
    async with open_rig(api) as made:
        yield made


def closed_port() -> int:
    """A loopback port nobody listens on: connecting is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_garbage_a_dropped_connection_or_a_refusal_cost_one_attempt_each(rig: Rig) -> None:
    nobody = closed_port()
    broken = {
        "garbage": await rig.endpoint("/garbage", [GARBAGE, 200]),
        "dropped": await rig.endpoint("/dropped", [CLOSE, 200]),
        "refused": await rig.call(
            "POST", "/v1/webhooks", 201, url=f"http://127.0.0.1:{nobody}/nobody"
        ),
    }
    slow = await rig.endpoint("/slow", [SLOW])
    healthy = await rig.endpoint("/healthy", [200])
    await rig.join(await rig.meeting())
    dispatcher = rig.dispatcher(FAST)
    started = time.monotonic()
    await pump(dispatcher)
    assert time.monotonic() - started < FAST.timeout_s, "a broken receiver held the round up"

    assert (rig.receiver.count("/garbage"), rig.receiver.count("/dropped")) == (1, 1)
    for name, endpoint in broken.items():
        [delivery] = await rig.deliveries(endpoint)
        assert (delivery["status"], delivery["attempts"]) == ("pending", 1), name
        assert delivery["lastStatus"] is None, name
        assert isinstance(delivery["lastError"], str), name
        assert delivery["lastError"], name
        log = await rig.call("GET", f"/v1/webhook-deliveries/{delivery['id']}", 200)
        [attempt] = log["attempts"]
        assert (attempt["status"], attempt["error"]) == (None, delivery["lastError"]), name
    # Fixed phrases only: the library's own text ("Cannot connect to host 127.0.0.1:PORT") would
    # tell a tenant which internal ports are open.
    errors = {name: (await rig.deliveries(hook))[0]["lastError"] for name, hook in broken.items()}
    assert errors == {
        "garbage": "the answer was not valid HTTP",
        "dropped": "the connection closed without an answer",
        "refused": "could not connect",
    }
    [answered] = await rig.deliveries(slow)
    assert (answered["status"], answered["attempts"]) == ("delivered", 1)
    assert answered["lastLatencyMs"] >= SLOW_S * 1000
    [fine] = await rig.deliveries(healthy)
    assert (fine["status"], fine["attempts"], fine["lastStatus"]) == ("delivered", 1, 200)
    counters = dispatcher.counters
    assert (counters.delivered, counters.retried, counters.failed) == (2, 3, 0)

    # The next attempt, once the backoff is over, gets through where the receiver is back.
    rig.api.clock.advance(MS_PER_MINUTE)
    await pump(dispatcher)
    for name in ("garbage", "dropped"):
        [delivery] = await rig.deliveries(broken[name])
        assert (delivery["status"], delivery["attempts"]) == ("delivered", 2), name
        second = rig.receiver.at(f"/{name}")[-1]
        opened(second, broken[name]["secret"])
    [refused] = await rig.deliveries(broken["refused"])
    assert (refused["status"], refused["attempts"]) == ("pending", 2)
    assert rig.receiver.count("/healthy") == 1


async def test_a_response_body_with_nul_bytes_is_recorded_and_costs_no_other_delivery(
    rig: Rig,
) -> None:
    odd = await rig.endpoint("/nul", [NUL_BODY])
    healthy = await rig.endpoint("/fine", [200])
    await rig.join(await rig.meeting())
    await pump(rig.dispatcher(FAST))
    for endpoint in (odd, healthy):
        [delivery] = await rig.deliveries(endpoint)
        assert (delivery["status"], delivery["attempts"], delivery["lastStatus"]) == (
            "delivered",
            1,
            200,
        )
    assert (rig.receiver.count("/nul"), rig.receiver.count("/fine")) == (1, 1)


async def test_a_receiver_that_trickles_its_answer_is_cut_off_at_the_timeout(rig: Rig) -> None:
    """The timeout bounds the whole request: a body dribbled out a byte at a time must not keep
    an attempt (and with it the endpoint) busy past it."""
    policy = RetryPolicy(retries=0, timeout_s=1.0)
    assert 2 * policy.timeout_s < TRICKLE_FOR_S
    slowpoke = await rig.endpoint("/trickle", [TRICKLE])
    await rig.join(await rig.meeting())
    started = time.monotonic()
    await pump(rig.dispatcher(policy))
    took = time.monotonic() - started
    [delivery] = await rig.deliveries(slowpoke)
    assert (delivery["status"], delivery["attempts"]) == ("failed", 1)
    assert (delivery["lastStatus"], delivery["lastError"]) == (None, "timed out")
    assert delivery["lastLatencyMs"] < policy.timeout_s * 1000 + 500
    assert took < policy.timeout_s + 0.5
