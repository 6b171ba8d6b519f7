"""The destination policy at delivery time, on SQLite and PostgreSQL: the sender checks the
address each socket is about to connect to, whatever the URL's host said at registration.

A name the test's resolver maps to a public address at registration and to loopback at delivery
(DNS rebinding) reaches nothing; neither does an endpoint stored while its network was allowed,
once the operator no longer allows it. A refused delivery fails at once with a fixed message,
keeps no response and is never retried.
"""

import ipaddress
import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp.abc import AbstractResolver, ResolveResult

from helpers import Api
from salon.clock import MS_PER_HOUR
from salon.errors import InvalidInput
from salon.webhooks.destinations import Address, DestinationPolicy
from salon.webhooks.dispatcher import Dispatcher
from salon.webhooks.sender import Sender
from salon.webhooks.service import WebhookService
from webhook_helpers import FAST, LOCAL, Rig, open_rig, pump

REBINDING = "rebind.example.test"
PUBLIC = ipaddress.ip_address("93.184.215.14")


class Rebound(AbstractResolver):
    """What the name resolves to by the time a delivery connects: loopback."""

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        if host != REBINDING:
            raise OSError(f"{host} does not resolve here")
        return [{"hostname": host, "host": "127.0.0.1", "port": port, "family": socket.AF_INET,
                 "proto": 0, "flags": socket.AI_NUMERICHOST}]  # fmt: skip

    async def close(self) -> None:
        pass


async def resolves_publicly(host: str) -> list[Address]:
    return [PUBLIC] if host == REBINDING else []


@pytest.fixture
async def rig(api: Api) -> AsyncIterator[Rig]:
    async with open_rig(api) as made:
        yield made


async def refused_once(rig: Rig, sender: Sender, endpoint_id: str) -> None:
    """Two rounds, an hour apart: the delivery failed on its one attempt, as refused."""
    dispatcher = Dispatcher(rig.api.database, sender, rig.api.clock, FAST)
    await pump(dispatcher)
    rig.api.clock.advance(MS_PER_HOUR)
    await pump(dispatcher)
    [delivery] = await rig.deliveries({"id": endpoint_id})
    assert (delivery["status"], delivery["attempts"]) == ("failed", 1)
    assert (delivery["lastStatus"], delivery["lastError"]) == (None, "the address is not allowed")
    log = await rig.call("GET", f"/v1/webhook-deliveries/{delivery['id']}", 200)
    [attempt] = log["attempts"]
    assert (attempt["status"], attempt["error"], attempt["response"]) == (
        None, "the address is not allowed", None,
    )  # fmt: skip
    assert (dispatcher.counters.failed, dispatcher.counters.retried) == (1, 0)


async def test_a_name_that_rebinds_to_loopback_reaches_nothing(rig: Rig) -> None:
    registry = WebhookService(
        rig.api.database, rig.api.clock, frozenset(), resolve=resolves_publicly
    )
    url = f"http://{REBINDING}:{rig.receiver.port}/rebound"
    endpoint = await registry.create(rig.api.org_id, url, None)  # public when registered
    await rig.join(await rig.meeting())
    sender = Sender(DestinationPolicy(), resolver=Rebound)
    try:
        await refused_once(rig, sender, endpoint.id)
    finally:
        await sender.close()
    assert rig.receiver.count("/rebound") == 0


async def test_the_same_name_is_delivered_once_its_network_is_allowed(rig: Rig) -> None:
    """The control for the test above: the resolver is the one the sender uses."""
    registry = WebhookService(
        rig.api.database, rig.api.clock, frozenset(), resolve=resolves_publicly
    )
    url = f"http://{REBINDING}:{rig.receiver.port}/allowed"
    endpoint = await registry.create(rig.api.org_id, url, None)
    await rig.join(await rig.meeting())
    sender = Sender(LOCAL, resolver=Rebound)
    try:
        await pump(Dispatcher(rig.api.database, sender, rig.api.clock, FAST))
    finally:
        await sender.close()
    assert rig.receiver.count("/allowed") == 1
    [delivery] = await rig.deliveries({"id": endpoint.id})
    assert (delivery["status"], delivery["lastStatus"]) == ("delivered", 200)


@pytest.mark.parametrize("host", ["127.0.0.1", "[::ffff:127.0.0.1]"])
async def test_an_endpoint_whose_network_is_no_longer_allowed_reaches_nothing(
    rig: Rig, host: str
) -> None:
    """Registered while the operator allowed loopback; delivered by a server that does not."""
    url = f"http://{host}:{rig.receiver.port}/internal"
    hook = await rig.call("POST", "/v1/webhooks", 201, url=url)
    await rig.join(await rig.meeting())
    sender = Sender(DestinationPolicy())
    try:
        await refused_once(rig, sender, hook["id"])
    finally:
        await sender.close()
    assert rig.receiver.count("/internal") == 0


async def test_a_name_that_resolves_inside_is_refused_at_registration(rig: Rig) -> None:
    async def inside(host: str) -> list[Address]:
        return [PUBLIC, ipaddress.ip_address("10.0.0.5")]

    registry = WebhookService(rig.api.database, rig.api.clock, frozenset(), resolve=inside)
    with pytest.raises(InvalidInput, match="url must point at a public address"):
        await registry.create(rig.api.org_id, "https://hooks.example.com/x", None)
    unknown = WebhookService(
        rig.api.database, rig.api.clock, frozenset(), resolve=resolves_publicly
    )
    made = await unknown.create(rig.api.org_id, "https://not-yet.example.com/x", None)
    assert made.url == "https://not-yet.example.com/x", "a name that does not resolve yet"
