"""One tenant's webhooks never hold up another's, on SQLite and PostgreSQL.

Organization A has endpoints that never answer and a backlog; organization B's deliveries still
go out at once: claims go round-robin over organizations and endpoints (not oldest-first over
everyone), in-flight deliveries are capped per endpoint and per organization, and each
organization has a connection pool of its own (here A's and B's endpoints share one host, the
case where a shared per-host pool made B's deliveries wait for connections A held).
"""

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from helpers import Api, FakeClock, make_api
from salon.rooms.recorder import RoomRecorder
from salon.storage.db import Database
from salon.webhooks.dispatcher import Dispatcher
from salon.webhooks.fairness import Limits
from salon.webhooks.model import RetryPolicy
from webhook_helpers import HANG, Rig, open_rig, until, until_count, visitor_joined

WITHIN_S = 120
"""A bound on each test's whole body: a stall shows as a failure with its traceback."""
HANGING = RetryPolicy(retries=0, timeout_s=60.0)
"""Longer than any deadline below: a hanging attempt holds its slot for the whole test."""
LIMITS = Limits()


@pytest.fixture
async def noisy(database: Database, clock: FakeClock) -> AsyncIterator[Rig]:
    """Organization A (the default one), allowed 30 endpoints."""
    api = await make_api(database, clock, webhook_max_endpoints=30)
    try:
        async with open_rig(api) as made:
            yield made
    finally:
        await api.client.aclose()


async def quiet_org(rig: Rig) -> Rig:
    """Organization B, on the same receiver and sender."""
    services = rig.api.app.state.services
    org = await services.orgs.create("quiet")
    _, key = await services.keys.create(org.org_id, "quiet")
    api = rig.api
    return Rig(Api(api.app, api.client, api.database, api.clock, org.org_id, key),
               rig.receiver, rig.sender)  # fmt: skip


async def record_joins(
    rig: Rig, meeting: dict[str, Any], count: int, wake: Callable[[], None]
) -> None:
    recorder = RoomRecorder(rig.api.database, rig.api.app.state.services.orgs, wake)
    for _ in range(count):
        await recorder.record(await visitor_joined(rig, meeting))


def hanging_requests(rig: Rig) -> int:
    return sum(1 for request in rig.receiver.requests if request.path.startswith("/hang-"))


async def stop(running: "asyncio.Task[None]") -> None:
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)


async def test_a_quiet_org_is_served_while_a_noisy_one_has_25_hanging_endpoints(
    noisy: Rig,
) -> None:
    for n in range(25):
        await noisy.endpoint(f"/hang-{n}", [HANG])
    dispatcher = noisy.dispatcher(HANGING)
    await record_joins(noisy, await noisy.meeting(), 11, dispatcher.wake)  # 275 deliveries
    quiet = await quiet_org(noisy)
    await quiet.endpoint("/quiet", [200])
    quiet_meeting = await quiet.meeting()
    running = asyncio.create_task(dispatcher.run())
    try:
        async with asyncio.timeout(WITHIN_S):
            await until(lambda: hanging_requests(noisy) >= LIMITS.per_org, within_s=20)
            await record_joins(quiet, quiet_meeting, 1, dispatcher.wake)
            await until_count(noisy.receiver, "/quiet", 1, within_s=10)
            assert hanging_requests(noisy) == LIMITS.per_org, "the noisy org outgrew its share"
            [delivery] = (await quiet.call("GET", "/v1/webhook-deliveries", 200))["results"]
            await until(lambda: dispatcher.counters_for(quiet.api.org_id).delivered == 1)
    finally:
        async with asyncio.timeout(WITHIN_S):
            await stop(running)
    assert delivery["eventType"] == "room.client.joined"


async def test_one_endpoint_never_has_more_than_its_share_in_flight(rig: Rig) -> None:
    stuck = await rig.endpoint("/hang-1", [HANG])
    dispatcher = rig.dispatcher(HANGING)
    meeting = await rig.meeting()
    await record_joins(rig, meeting, 40, dispatcher.wake)
    running = asyncio.create_task(dispatcher.run())
    try:
        async with asyncio.timeout(WITHIN_S):
            await until(lambda: rig.receiver.count("/hang-1") >= LIMITS.per_endpoint, within_s=20)
            await rig.endpoint("/marker", [200])  # an event after the backlog: it goes out...
            await record_joins(rig, meeting, 1, dispatcher.wake)
            await until_count(rig.receiver, "/marker", 1, within_s=10)
            # ...while the stuck endpoint still has exactly its share in flight, not its backlog.
            assert rig.receiver.count("/hang-1") == LIMITS.per_endpoint
    finally:
        async with asyncio.timeout(WITHIN_S):
            await stop(running)
    assert stuck["id"]


@pytest.fixture
async def rig(api: Api) -> AsyncIterator[Rig]:
    async with open_rig(api) as made:
        yield made


async def test_a_backlog_is_not_served_before_another_orgs_newer_event(rig: Rig) -> None:
    """Oldest-first over everyone would send the 50 older deliveries of A first."""
    await rig.endpoint("/backlog", [200])
    await record_joins(rig, await rig.meeting(), 50, lambda: None)
    rig.api.clock.advance(1000)
    quiet = await quiet_org(rig)
    await quiet.endpoint("/quiet", [200])
    await record_joins(quiet, await quiet.meeting(), 1, lambda: None)
    small = Dispatcher(rig.api.database, rig.sender, rig.api.clock,
                       limits=Limits(total=4, per_org=4, per_endpoint=4))  # fmt: skip
    assert await small.claim_and_send() == 4
    await small.drain()
    assert (rig.receiver.count("/backlog"), rig.receiver.count("/quiet")) == (3, 1)


async def test_metrics_count_only_the_calling_orgs_deliveries(rig: Rig) -> None:
    await rig.endpoint("/home", [200])
    await record_joins(rig, await rig.meeting(), 2, lambda: None)
    dispatcher = rig.dispatcher()
    app = rig.api.app
    app.state.services = dataclasses.replace(app.state.services, dispatcher=dispatcher)
    assert await dispatcher.claim_and_send() == 2
    await dispatcher.drain()
    quiet = await quiet_org(rig)
    home = await rig.call("GET", "/v1/webhook-metrics", 200)
    theirs = await quiet.call("GET", "/v1/webhook-metrics", 200)
    assert home["process"] == {"delivered": 2, "retried": 0, "failed": 0}
    assert theirs["process"] == {"delivered": 0, "retried": 0, "failed": 0}, (
        "one organization's metrics count another's deliveries"
    )
    assert theirs["deliveries"] == {"pending": 0, "delivered": 0, "failed": 0}
