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
from salon.api import health, hello, insights, meetings, recordings, themes
from salon.api import webhooks as webhook_routes
from salon.api.deps import Services
from salon.api.docs_page import install_docs_page
from salon.api.errors import install_error_handlers
from salon.api.gate import ApiGate
from salon.api.methods import ApiMethods
from salon.api.openapi import DOCS_PATH, OPENAPI_PATH, install_openapi
from salon.clock import MS_PER_HOUR, Clock, system_clock
from salon.config import Settings
from salon.dashboard.accounts import AccountService
from salon.dashboard.routes import install_dashboard, signed_in_member
from salon.dashboard.web import Dashboard
from salon.errors import InvalidInput
from salon.insights.samples import SampleBuffer
from salon.insights.service import InsightsService
from salon.jobs.runner import JobRunner
from salon.keys.service import KeyService
from salon.log_context import RequestIds
from salon.meetings.service import MeetingService
from salon.metrics.events import committed
from salon.metrics.http import HttpMetrics, MetricsEndpoint
from salon.metrics.wiring import build_exposition
from salon.orgs.service import OrgService
from salon.pages import room
from salon.pages import theme as theme_pages
from salon.pages.assets import InMemoryStaticFiles
from salon.pages.room import STATIC_DIR, STATIC_PATH
from salon.pages.slashes import install_slash_redirects
from salon.ratelimit import RateLimiter
from salon.recording.job import CompositionJob, RemovalJob
from salon.recording.service import COMPOSE_JOB, REMOVE_JOB, RecordingService
from salon.recording.streamer import LiveStreaming
from salon.rooms.limits import RoomLimits
from salon.rooms.recorder import RoomRecorder
from salon.rooms.recovery import NodeRecovery
from salon.rooms.service import RoomService
from salon.rooms.state import GroupCaps
from salon.sfu.bridge import SfuBridge
from salon.sfu.placement import parse_instances
from salon.sfu.pool import JanusPool
from salon.sfu.process import JanusProcess, janus_binary
from salon.sfu.turn import IceServers, split_urls
from salon.signaling.endpoint import SIGNAL_PATH, signal_endpoint
from salon.storage.db import Database
from salon.storage.engines import open_database as open_database
from salon.storage.sqlite import SqliteDatabase
from salon.themes.model import UPLOAD_BODY_LIMIT_BYTES
from salon.themes.service import ThemeService
from salon.webhooks.destinations import DestinationPolicy, destination_policy
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
        return SfuBridge(
            JanusPool.managed(process),
            voices=settings.sfu_voices,
            rtp_publishers=settings.sfu_rtp_publishers,
        )
    try:
        urls = parse_instances(mode)
    except ValueError as error:
        raise InvalidInput(f"--janus: {error} (or auto, or off)") from None
    return SfuBridge(
        JanusPool.external(urls, settings.janus_admin_key),
        voices=settings.sfu_voices,
        rtp_publishers=settings.sfu_rtp_publishers,
    )


def build_group_caps(settings: Settings) -> GroupCaps:
    """`--group-capacity` and `--group-viewer-capacity`: lower caps (for tests), never higher."""
    default = GroupCaps()
    if not 1 <= settings.group_capacity <= default.participants:
        raise InvalidInput(f"--group-capacity must be between 1 and {default.participants}")
    if not 1 <= settings.group_viewer_capacity <= default.viewers:
        raise InvalidInput(f"--group-viewer-capacity must be between 1 and {default.viewers}")
    if settings.sfu_voices < 1:
        raise InvalidInput("--sfu-voices must be at least 1")
    return GroupCaps(settings.group_capacity, settings.group_viewer_capacity)


def webhook_policy(settings: Settings) -> DestinationPolicy:
    return destination_policy(settings.webhook_allow_networks)


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
    jobs = JobRunner(database, clock, on_finished=dispatcher.wake)
    group_caps = build_group_caps(settings)
    group_media = build_group_media(settings)
    data_dir = Path(settings.data_dir).resolve()  # noqa: ASYNC240 - once, at start
    recordings_service = RecordingService(
        database,
        clock,
        group_media,
        data_dir,
        await RecordingService.load_link_secret(database),
        settings.effective_public_url,
        jobs.wake,
    )
    jobs.handle(COMPOSE_JOB, CompositionJob(database, clock, data_dir))
    jobs.handle(REMOVE_JOB, RemovalJob(database, data_dir))
    recorder = RoomRecorder(database, orgs, on_queued=dispatcher.wake, node_id=settings.node_id)
    recovery = NodeRecovery(database, recorder, clock, settings.node_id)
    rooms = RoomService(
        meetings_service,
        recorder,
        clock,
        ice_servers_for=build_ice_servers(settings).for_participant,
        group_media=group_media,
        session_end_grace_s=settings.session_end_grace_s,
        cloud_recording=recordings_service,
        live_streaming=LiveStreaming(group_media, policy),
        limits=RoomLimits(
            door_cap=settings.room_door_cap,
            knocks_per_minute=settings.room_knocks_per_minute,
            joins_per_minute=settings.room_joins_per_minute,
        ),
        group_caps=group_caps,
    )
    meetings_service.on_room_closed(rooms.close_room)

    samples = SampleBuffer(database, clock)
    if settings.insights_retention_days < 1:
        raise InvalidInput("--insights-retention-days must be at least 1")

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await recovery.recover()  # before this node's first room: what its last run left open
        await recovery.beat()
        background = [
            asyncio.create_task(_housekeeping(services, settings.housekeeping_interval_s)),
            asyncio.create_task(dispatcher.run()),
            asyncio.create_task(jobs.run()),
            asyncio.create_task(recovery.run_heartbeat()),
            asyncio.create_task(
                samples.run(
                    settings.insights_retention_days * 24 * MS_PER_HOUR,
                    settings.housekeeping_interval_s,
                )
            ),
        ]
        try:
            yield
        finally:
            await rooms.shutdown()  # a no-op when the server closed the rooms already
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            await samples.flush()
            await rooms.stop()
            if group_media is not None:
                await group_media.stop()
            await sender.close()
            await keys.flush_usage()

    app = FastAPI(
        title="Salon API",
        version=__version__,
        description=API_DESCRIPTION,
        openapi_url=OPENAPI_PATH,
        docs_url=None,  # served by Salon itself (`install_docs_page`), not from a CDN
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.services = services
    app.state.settings = settings
    app.state.rooms = rooms
    app.state.group_media = group_media
    app.state.webhooks = webhooks
    themes_service = ThemeService(database, clock, meetings_service)
    app.state.themes = themes_service
    insights_service = InsightsService(database, clock)
    app.state.insights = insights_service
    app.state.quality_samples = samples
    # The signaling socket hands each participant's `stats` frames here (insights).
    app.state.stats_sink = lambda seat, agent, stats: samples.add(
        seat.participant_id, agent, stats.sample
    )
    app.state.dispatcher = dispatcher
    app.state.jobs = jobs
    app.state.recordings = recordings_service
    app.state.clock = clock
    app.state.database = database
    app.state.room_misses = RateLimiter(settings.room_misses_per_minute, clock)
    install_error_handlers(app)
    install_openapi(app, API_DESCRIPTION)
    install_docs_page(app, DOCS_PATH, OPENAPI_PATH)
    app.include_router(meetings.router)
    app.include_router(hello.router)
    app.include_router(webhook_routes.router)
    app.include_router(recordings.router)
    app.include_router(recordings.files)
    app.include_router(themes.router)
    app.include_router(insights.router)
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
        themes=themes_service,
        insights=insights_service,
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
    app.include_router(theme_pages.router)
    app.include_router(room.router)  # last: it answers any single-segment path
    install_slash_redirects(app)
    app.add_middleware(ApiMethods)
    app.add_middleware(
        ApiGate,
        keys=keys,
        limiter=RateLimiter(settings.rate_limit_points, clock),
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=UPLOAD_BODY_LIMIT_BYTES,
    )
    install_metrics(app, settings, rooms, group_media, dispatcher, database, clock)
    app.add_middleware(RequestIds)  # outermost: every log line of a request carries its id
    return app


def install_metrics(
    app: FastAPI,
    settings: Settings,
    rooms: RoomService,
    group_media: SfuBridge | None,
    dispatcher: Dispatcher,
    database: Database,
    clock: Clock,
) -> None:
    """HTTP metrics outside every other middleware (they see the gate's 429s); `/metrics` on
    the main port only with `--metrics`, behind its token. `app.state.metrics` is what the
    metrics port serves."""
    if settings.metrics and not settings.metrics_token:
        raise InvalidInput("--metrics needs a bearer token: --metrics-token or SALON_METRICS_TOKEN")
    exposition = build_exposition(
        rooms=rooms,
        sfu_usage=group_media.usage if group_media is not None else None,
        dispatcher=dispatcher,
        database=database,
        clock=clock,
    )
    app.state.metrics = exposition
    if isinstance(database, SqliteDatabase):  # group commit: batch sizes and commit times
        database.on_commit = committed
    app.add_middleware(HttpMetrics)
    if settings.metrics:
        app.add_middleware(MetricsEndpoint, exposition=exposition, token=settings.metrics_token)
