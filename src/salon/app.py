"""The composition root: picks the implementations, wires the services, mounts the edges, and
owns the background work through the application's lifespan."""

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI

from salon import __version__
from salon.api import health, hello, meetings
from salon.api import webhooks as webhook_routes
from salon.api.deps import Services
from salon.api.errors import install_error_handlers
from salon.api.gate import ApiGate
from salon.api.openapi import install_openapi
from salon.clock import Clock, system_clock
from salon.config import Settings
from salon.dashboard.accounts import AccountService
from salon.dashboard.routes import install_dashboard, signed_in_member
from salon.dashboard.web import Dashboard
from salon.errors import InvalidInput
from salon.keys.service import KeyService
from salon.meetings.service import MeetingService
from salon.orgs.service import OrgService
from salon.pages import room
from salon.pages.assets import InMemoryStaticFiles
from salon.pages.room import STATIC_DIR, STATIC_PATH
from salon.ratelimit import RateLimiter
from salon.rooms.recorder import RoomRecorder
from salon.rooms.service import RoomService
from salon.sfu.bridge import SfuBridge
from salon.sfu.placement import parse_instances
from salon.sfu.pool import JanusPool
from salon.sfu.process import JanusProcess, janus_binary
from salon.sfu.turn import IceServers, split_urls
from salon.signaling.endpoint import SIGNAL_PATH, signal_endpoint
from salon.storage.db import Database, Dialect, dialect_of, sqlite_path
from salon.storage.postgres import PostgresDatabase
from salon.storage.sqlite import SqliteDatabase
from salon.webhooks.destinations import DestinationPolicy
from salon.webhooks.dispatcher import Dispatcher
from salon.webhooks.model import RetryPolicy
from salon.webhooks.sender import Sender
from salon.webhooks.service import WebhookService

log = logging.getLogger("salon")

API_DESCRIPTION = """\
Salon's meetings API, wire-compatible with Whereby Embedded's REST API v1: point existing code at
this server's `/v1` and use a Salon API key as the bearer token.

Errors are JSON: `{"error": "<message>", "code": "<stable code>"}`. Every response carries
`X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset`; a read costs 1 point, a
delete 2, a write 3, from each organization's budget per minute.
"""


def open_database(url: str) -> Database:
    if dialect_of(url) is Dialect.SQLITE:
        return SqliteDatabase(sqlite_path(url))
    return PostgresDatabase(url)


async def _housekeeping(services: Services, interval_s: float) -> None:
    """Sweep ended meetings and record key usage, forever, surviving its own errors."""
    while True:
        try:
            deactivated, deleted = await services.meetings.sweep()
            if deactivated or deleted:
                log.info("sweeper: %d rooms deactivated, %d deleted", len(deactivated), deleted)
            await services.keys.flush_usage()
        except Exception:
            log.exception("housekeeping failed; retrying at the next interval")
        await asyncio.sleep(interval_s)


# --- group rooms (SFU) and TURN -----------------------------------------------------------------


def build_group_media(settings: Settings) -> SfuBridge | None:
    """The SFU for group rooms from `--janus`: a managed Janus, external ones, or none."""
    mode = settings.janus.strip()
    if mode == "off":
        return None
    if mode == "auto":
        binary = janus_binary()
        if binary is None:
            log.warning("no janus binary: group rooms are refused (apt-get install janus)")
            return None
        process = JanusProcess(
            Path(settings.data_dir).resolve() / "janus",
            rtp_ports=settings.janus_rtp_ports,
            binary=binary,
            nat_1_1=settings.janus_public_ip,
        )
        return SfuBridge(JanusPool.managed(process))
    try:
        urls = parse_instances(mode)
    except ValueError as error:
        raise InvalidInput(f"--janus: {error} (or auto, or off)") from None
    return SfuBridge(JanusPool.external(urls, settings.janus_admin_key))


def webhook_policy(settings: Settings) -> DestinationPolicy:
    try:
        return DestinationPolicy.from_text(settings.webhook_allow_networks)
    except ValueError as error:
        raise InvalidInput(f"--webhook-allow-networks: {error}") from None


def build_ice_servers(settings: Settings) -> IceServers:
    try:
        return IceServers(
            stun_urls=tuple(split_urls(settings.stun_urls)),
            turn_urls=tuple(split_urls(settings.turn_urls)),
            turn_secret=settings.turn_secret,
            ttl_s=settings.turn_ttl_s,
        )
    except ValueError as error:
        raise InvalidInput(str(error)) from None


async def build_app(settings: Settings, database: Database, clock: Clock = system_clock) -> FastAPI:
    """The ASGI application over an open database whose schema is current."""
    orgs = OrgService(database, clock)
    keys = KeyService(database, clock)
    meetings_service = MeetingService(
        database,
        clock,
        orgs,
        public_url=settings.effective_public_url,
        base_domain=settings.base_domain,
        room_key_secret=await MeetingService.load_room_key_secret(database),
    )
    services = Services(orgs=orgs, keys=keys, meetings=meetings_service)
    policy = webhook_policy(settings)
    webhooks = WebhookService(
        database,
        clock,
        settings.own_origins,
        policy=policy,
        max_endpoints=settings.webhook_max_endpoints,
    )
    sender = Sender(policy)
    dispatcher = Dispatcher(
        database,
        sender,
        clock,
        RetryPolicy(
            retries=settings.webhook_retries, base_delay_ms=settings.webhook_retry_delay_ms
        ),
    )
    group_media = build_group_media(settings)
    rooms = RoomService(
        meetings_service,
        RoomRecorder(database, orgs, on_queued=dispatcher.wake),
        clock,
        ice_servers_for=build_ice_servers(settings).for_participant,
        group_media=group_media,
        session_end_grace_s=settings.session_end_grace_s,
    )
    meetings_service.on_room_closed(rooms.close_room)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        background = [
            asyncio.create_task(_housekeeping(services, settings.housekeeping_interval_s)),
            asyncio.create_task(dispatcher.run()),
        ]
        try:
            yield
        finally:
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            await rooms.stop()
            if group_media is not None:
                await group_media.stop()
            await sender.close()
            await keys.flush_usage()

    app = FastAPI(
        title="Salon API",
        version=__version__,
        description=API_DESCRIPTION,
        openapi_url="/v1/openapi.json",
        docs_url="/v1/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.services = services
    app.state.settings = settings
    app.state.rooms = rooms
    app.state.group_media = group_media
    app.state.webhooks = webhooks
    app.state.dispatcher = dispatcher
    app.state.clock = clock
    app.state.database = database
    install_error_handlers(app)
    install_openapi(app, API_DESCRIPTION)
    app.include_router(meetings.router)
    app.include_router(hello.router)
    app.include_router(webhook_routes.router)
    app.include_router(health.router)
    # --- the dashboard (issue 7) ---
    accounts = AccountService(database, clock)
    dashboard = Dashboard(
        accounts=accounts,
        orgs=orgs,
        keys=keys,
        meetings=meetings_service,
        webhooks=webhooks,
        rooms=rooms,
        secret=await AccountService.load_secret(database),
        public_url=settings.effective_public_url,
        secure_cookies=settings.effective_public_url.startswith("https://"),
        wake_dispatcher=dispatcher.wake,
        clock=clock,
    )
    install_dashboard(app, dashboard)
    app.state.signed_in_member = functools.partial(signed_in_member, dashboard)
    app.add_api_websocket_route(SIGNAL_PATH, signal_endpoint)
    app.mount(STATIC_PATH, InMemoryStaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(room.router)  # last: it answers any single-segment path
    app.add_middleware(
        ApiGate,
        keys=keys,
        limiter=RateLimiter(settings.rate_limit_points, clock),
        max_body_bytes=settings.max_body_bytes,
    )
    return app
