"""Helpers for cluster mode: a Redis database number of the test's own on the machine's Redis
(`SALON_TEST_REDIS`, default 127.0.0.1:6379), emptied before and after, and a fresh PostgreSQL
database per test, copied from a migrated template."""

import asyncio
import json
import os
import secrets
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest
from redis.asyncio import Redis

from helpers import CLIENT_ADDRESS, PUBLIC_URL, Api, FakeClock
from salon.app import build_app, open_database
from salon.config import Settings
from salon.ids import OrgId, RoomName
from salon.meetings.model import format_date_time
from salon.signaling import protocol as p
from salon.storage.db import Database
from salon.storage.migrate import migrate
from services.room_harness import FakeClient, Member

REDIS_HOST = os.environ.get("SALON_TEST_REDIS", "127.0.0.1:6379")
POSTGRES_ADMIN_URL = os.environ.get(
    "SALON_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def _run_aside(work: Coroutine[Any, Any, None]) -> None:
    """Run a coroutine to the end on a loop of its own, even while a test's loop runs."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, work).result()


def _asyncpg_url(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


OWNER_KEY = "salon-test:owner"
DATABASES = 16


async def claim_redis_database() -> tuple[int, str]:
    """A database number nobody else is using (claimed with a key set only if absent)."""
    token = secrets.token_hex(8)
    host, port = REDIS_HOST.rsplit(":", 1)
    for number in secrets.SystemRandom().sample(range(1, DATABASES), DATABASES - 1):
        client = Redis(host=host, port=int(port), db=number)
        try:
            if await client.dbsize() == 0 and await client.set(OWNER_KEY, token, nx=True, ex=900):
                return number, token
        finally:
            await client.aclose()
    raise AssertionError("no free Redis database number on " + REDIS_HOST)


@pytest.fixture
async def redis_url() -> AsyncIterator[str]:
    number, _ = await claim_redis_database()
    url = f"redis://{REDIS_HOST}/{number}"
    try:
        yield url
    finally:
        client = Redis.from_url(url)
        try:
            await client.flushdb()
        finally:
            await client.aclose()


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(_asyncpg_url(POSTGRES_ADMIN_URL), timeout=10)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    name = f"salon_cluster_template_{secrets.token_hex(4)}"
    _run_aside(_admin(f'CREATE DATABASE "{name}"'))
    try:
        _run_aside(migrate(f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"))
        yield name
    finally:
        _run_aside(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def fresh_postgres(postgres_template: str) -> AsyncIterator[str]:
    """A database of this test's own, dropped at its end."""
    name = f"salon_cluster_{secrets.token_hex(6)}"
    await _admin(f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template}"')
    try:
        yield f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Node:
    """One app instance (its own services, rooms, Redis client), running its lifespan."""

    app: object
    client: httpx.AsyncClient
    database: Database

    @property
    def state(self) -> object:
        return self.app.state  # type: ignore[attr-defined]


@dataclass
class TwoNodes:
    nodes: list[Node]
    org_id: OrgId
    key: str
    clock: FakeClock

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    def api(self, number: int) -> Api:
        """Node `number` (from 0) as the dashboard helpers expect it."""
        node = self.nodes[number]
        return Api(node.app, node.client, node.database, self.clock, self.org_id, self.key)  # type: ignore[arg-type]


@asynccontextmanager
async def running_nodes(
    database_url: str,
    redis_url: str | None,
    clock: FakeClock,
    count: int = 2,
    *,
    redis_answers: bool = True,
    **settings: object,
) -> AsyncIterator[TwoNodes]:
    """`count` app instances; with `redis_answers`, each is listening on the bus before the
    next starts (pub/sub reaches only the nodes subscribed by then)."""
    async with AsyncExitStack() as stack:
        nodes = []
        for number in range(count):
            database = open_database(database_url)
            stack.push_async_callback(database.close)
            options: dict[str, object] = {
                "public_url": PUBLIC_URL,
                "rate_limit_points": 0,
                "janus": "off",
                "database_url": database_url,
                "redis_url": redis_url,
                "node_id": f"node-{number + 1}",
            }
            options.update(settings)
            app = await build_app(Settings(**options), database, clock)  # type: ignore[arg-type]
            await stack.enter_async_context(app.router.lifespan_context(app))
            client = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app, client=(CLIENT_ADDRESS, 40000)),
                base_url="http://salon.test",
            )
            stack.push_async_callback(client.aclose)
            nodes.append(Node(app, client, database))
            subscribed = getattr(app.state.services.cluster.bus, "subscribed", None)
            if subscribed is not None and redis_answers:
                await asyncio.wait_for(subscribed.wait(), timeout=5)
        first = nodes[0].app.state.services  # type: ignore[attr-defined]
        org, _ = await first.orgs.ensure_default()
        _, key = await first.keys.create(org.org_id, "test")
        yield TwoNodes(nodes, org.org_id, key, clock)


async def join(node: Node, room: RoomName, key: str, name: str) -> Member:
    client = FakeClient()
    frame = {"type": "join", "v": 1, "room": room, "roomKey": key, "displayName": name}
    message = p.parse(json.dumps(frame))
    assert isinstance(message, p.Join)
    seat = await node.state.services.rooms.join(client, message, address="10.1.1.1")  # type: ignore[attr-defined]
    return Member(client, seat)


async def meeting(cluster: TwoNodes, end_ms: int | None = None) -> dict[str, Any]:
    end = "2099-01-01T00:00:00Z" if end_ms is None else format_date_time(end_ms)
    created = await cluster.nodes[0].client.post(
        "/v1/meetings", headers=cluster.auth, json={"endDate": end, "fields": ["hostRoomUrl"]}
    )
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body
