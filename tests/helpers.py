"""Test helpers named after what they stand for: a clock tests move, an app over a database."""

from dataclasses import dataclass

import httpx
from fastapi import FastAPI

from salon.app import build_app
from salon.clock import MS_PER_HOUR
from salon.config import Settings
from salon.ids import OrgId
from salon.meetings.model import format_date_time
from salon.storage.db import Database

PUBLIC_URL = "https://meet.example.test"
CLIENT_ADDRESS = "203.0.113.7"
LOCAL_RECEIVERS = "127.0.0.0/8"
"""The tests' webhook receivers listen on loopback, which Salon refuses unless allowed."""


class FakeClock:
    """Epoch milliseconds that move only when a test says so."""

    def __init__(self, start_ms: int) -> None:
        self.now_ms = start_ms

    def __call__(self) -> int:
        return self.now_ms

    def advance(self, ms: int) -> None:
        self.now_ms += ms


@dataclass
class Api:
    """An app over one database, with the default organization and one key of its own."""

    app: FastAPI
    client: httpx.AsyncClient
    database: Database
    clock: FakeClock
    org_id: OrgId
    key: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    def future(self, hours: float = 2) -> str:
        """An ISO date-time `hours` after the fake clock's now."""
        return format_date_time(self.clock() + int(hours * MS_PER_HOUR))


async def make_api(database: Database, clock: FakeClock, **settings: object) -> Api:
    """Rate limiting is off unless a test turns it on; so is the SFU (no Janus in process).
    Webhooks may reach loopback, where the tests' receivers listen."""
    options: dict[str, object] = {
        "public_url": PUBLIC_URL,
        "rate_limit_points": 0,
        "janus": "off",
        "webhook_allow_networks": LOCAL_RECEIVERS,
    }
    options.update(settings)
    app = await build_app(Settings(**options), database, clock)  # type: ignore[arg-type]
    org, _ = await app.state.services.orgs.ensure_default()
    _, key = await app.state.services.keys.create(org.org_id, "test")
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(CLIENT_ADDRESS, 40000)),
        base_url="http://salon.test",
    )
    return Api(app, client, database, clock, org.org_id, key)
