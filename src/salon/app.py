"""The composition root: picks the implementations, wires the services, mounts the edges, and
owns the background work through the application's lifespan."""

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI

from salon import __version__
from salon.accounts.service import AccountService
from salon.api import (
    health,
    hello,
    insights,
    meetings,
    recordings,
    summaries,
    themes,
    transcriptions,
)
from salon.api import webhooks as webhook_routes
from salon.api.docs_page import install_docs_page
from salon.api.errors import install_error_handlers
from salon.api.gate import ApiGate
from salon.api.methods import ApiMethods
from salon.api.openapi import DOCS_PATH, OPENAPI_PATH, install_openapi
from salon.clock import MS_PER_HOUR, Clock, system_clock
from salon.cluster.wiring import build_cluster
from salon.config import Settings
from salon.dashboard.routes import install_dashboard, signed_in_member
from salon.errors import InvalidInput
from salon.insights.samples import SampleBuffer
from salon.insights.service import InsightsService
from salon.jobs.runner import JobRunner
from salon.keys.service import KeyService
from salon.log_context import RequestIds
from salon.meetings.service import MeetingService
from salon.metrics.events import committed, job_ran
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
from salon.services import Services
from salon.sfu.group_media import JanusGroupMedia
from salon.sfu.placement import parse_instances
from salon.sfu.pool import JanusPool
from salon.sfu.process import JanusProcess, janus_binary
from salon.sfu.turn import IceServers, split_urls
from salon.signaling.endpoint import SIGNAL_PATH, serve_relayed, signal_endpoint
from salon.signaling.messages import encode as encode_message
from salon.storage.db import Database
from salon.storage.engines import open_database as open_database
from salon.storage.postgres import PostgresDatabase
from salon.storage.sqlite import SqliteDatabase
from salon.summaries.job import SUMMARY_JOB, SummaryJob
from salon.summaries.service import SummaryService
from salon.summaries.summariser import build_summariser
from salon.themes.model import UPLOAD_BODY_LIMIT_BYTES
from salon.themes.service import ThemeService
from salon.transcription import job as transcription_jobs
from salon.transcription.engine import build_engine
from salon.transcription.live_service import LiveTranscriber
from salon.transcription.service import TranscriptionService
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


def build_group_media(settings: Settings) -> JanusGroupMedia | None:
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
        return JanusGroupMedia(
            JanusPool.managed(process),
            voices=settings.sfu_voices,
            rtp_publishers=settings.sfu_rtp_publishers,
        )
    try:
        urls = parse_instances(mode)
    except ValueError as error:
        raise InvalidInput(f"--janus: {error} (or auto, or off)") from None
    return JanusGroupMedia(
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


@dataclass(frozen=True, slots=True)
class Wiring:
    """What `build_services` makes: the edges' services, and what only the lifespan touches."""

    services: Services
    group_media: JanusGroupMedia | None
    sender: Sender
    recovery: NodeRecovery


async def build_services(settings: Settings, database: Database, clock: Clock) -> Wiring:
    """Every service, wired once: the one place that picks implementations and settings."""
    orgs = OrgService(database, clock)
    keys = KeyService(database, clock)
    meetings = MeetingService(
        database,
        clock,
        orgs,
        public_url=settings.effective_public_url,
        base_domain=settings.base_domain,
        room_key_secret=await MeetingService.load_room_key_secret(database),
    )
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
    recordings = RecordingService(
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
    engine = build_engine(settings.transcription_model)
    transcriptions = TranscriptionService(
        database,
        clock,
        data_dir,
        await RecordingService.load_link_secret(database),
        settings.effective_public_url,
        engine.name,
        jobs.wake,
    )
    jobs.handle(
        transcription_jobs.TRANSCRIBE_JOB,
        transcription_jobs.TranscriptionJob(database, clock, data_dir, engine),
    )
    jobs.handle(transcription_jobs.REMOVE_JOB, transcription_jobs.RemovalJob(data_dir, database))
    summariser = build_summariser(
        settings.summary_llm_url, settings.summary_llm_model, settings.summary_llm_key
    )
    jobs.handle(SUMMARY_JOB, SummaryJob(database, clock, data_dir, summariser))
    recorder = RoomRecorder(database, orgs, on_queued=dispatcher.wake, node_id=settings.node_id)
    recovery = NodeRecovery(database, recorder, clock, settings.node_id)
    rooms = RoomService(
        meetings,
        recorder,
        clock,
        encode=encode_message,
        ice_servers_for=build_ice_servers(settings).for_participant,
        group_media=group_media,
        session_end_grace_s=settings.session_end_grace_s,
        cloud_recording=recordings,
        live_streaming=LiveStreaming(group_media, policy),
        live_captioning=LiveTranscriber(group_media, engine, transcriptions, clock),
        limits=RoomLimits(
            door_cap=settings.room_door_cap,
            knocks_per_minute=settings.room_knocks_per_minute,
            joins_per_minute=settings.room_joins_per_minute,
        ),
        group_caps=group_caps,
    )
    cluster = build_cluster(
        redis_url=settings.redis_url,
        database_url=settings.effective_database_url,
        node_id=settings.node_id,
        rate_limit_points=settings.rate_limit_points,
        rooms=rooms,
        clock=clock,
    )
    meetings.on_room_closed(cluster.bus.close_everywhere)
    if settings.insights_retention_days < 1:
        raise InvalidInput("--insights-retention-days must be at least 1")
    samples = SampleBuffer(database, clock)
    accounts = AccountService(database, clock, cluster.sign_in)
    services = Services(
        settings=settings,
        clock=clock,
        database=database,
        orgs=orgs,
        keys=keys,
        meetings=meetings,
        accounts=accounts,
        session_secret=await AccountService.load_secret(database),
        webhooks=webhooks,
        dispatcher=dispatcher,
        jobs=jobs,
        recordings=recordings,
        transcriptions=transcriptions,
        speech_languages=engine.languages,
        summaries=SummaryService(database, clock, summariser.name, jobs.wake),
        rooms=rooms,
        cluster=cluster,
        themes=ThemeService(database, clock, meetings),
        insights=InsightsService(database, clock),
        quality_samples=samples,
        room_misses=RateLimiter(settings.room_misses_per_minute, clock),
        group_rooms=group_media is not None,
        # The signaling socket hands each participant's `stats` frames here (insights).
        stats_sink=lambda seat, agent, stats: samples.add(seat.participant_id, agent, stats.sample),
        signed_in_member=functools.partial(signed_in_member, accounts),
    )
    return Wiring(services, group_media, sender, recovery)


async def build_app(settings: Settings, database: Database, clock: Clock = system_clock) -> FastAPI:
    """The ASGI application over an open database whose schema is current."""
    wiring = await build_services(settings, database, clock)
    services = wiring.services
    rooms, group_media, recovery = services.rooms, wiring.group_media, wiring.recovery
    if services.cluster.relay is not None:  # sockets other nodes relay to this one's rooms
        services.cluster.relay.serve_remote_with(functools.partial(serve_relayed, services))

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await recovery.recover()  # before this node's first room: what its last run left open
        await services.cluster.start()
        await recovery.beat()
        background = [
            asyncio.create_task(_housekeeping(services, settings.housekeeping_interval_s)),
            asyncio.create_task(services.dispatcher.run()),
            asyncio.create_task(services.jobs.run()),
            asyncio.create_task(recovery.run_heartbeat()),
            asyncio.create_task(
                services.quality_samples.run(
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
            await services.quality_samples.flush()
            await rooms.stop()
            if group_media is not None:
                await group_media.stop()
            await wiring.sender.close()
            await services.keys.flush_usage()
            await services.cluster.stop()

    app = FastAPI(
        title="Salon API",
        version=__version__,
        description=API_DESCRIPTION,
        openapi_url=OPENAPI_PATH,
        docs_url=None,  # served by Salon itself (`install_docs_page`), not from a CDN
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.services = services  # what the edges read, with `salon.services.services_of`
    install_error_handlers(app)
    install_openapi(app, API_DESCRIPTION)
    install_docs_page(app, DOCS_PATH, OPENAPI_PATH)
    app.include_router(meetings.router)
    app.include_router(hello.router)
    app.include_router(webhook_routes.router)
    app.include_router(recordings.router)
    app.include_router(recordings.files)
    app.include_router(transcriptions.router)
    app.include_router(transcriptions.files)
    app.include_router(summaries.router)
    app.include_router(themes.router)
    app.include_router(insights.router)
    app.include_router(health.router)
    install_dashboard(app)
    app.add_api_websocket_route(SIGNAL_PATH, signal_endpoint)
    app.mount(STATIC_PATH, InMemoryStaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(theme_pages.router)
    app.include_router(room.router)  # last: it answers any single-segment path
    install_slash_redirects(app)
    app.add_middleware(ApiMethods)
    app.add_middleware(
        ApiGate,
        keys=services.keys,
        limiter=services.cluster.api_limiter,
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=UPLOAD_BODY_LIMIT_BYTES,
    )
    install_metrics(
        app, settings, rooms, group_media, services.dispatcher, services.jobs, database, clock
    )
    app.add_middleware(RequestIds)  # outermost: every log line of a request carries its id
    return app


def install_metrics(
    app: FastAPI,
    settings: Settings,
    rooms: RoomService,
    group_media: JanusGroupMedia | None,
    dispatcher: Dispatcher,
    jobs: JobRunner,
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
        job_kinds=lambda: jobs.kinds,
    )
    app.state.metrics = exposition
    if isinstance(database, SqliteDatabase | PostgresDatabase):  # group commit: batches, times
        database.on_commit = committed
    jobs.on_ran = job_ran
    app.add_middleware(HttpMetrics)
    if settings.metrics:
        app.add_middleware(MetricsEndpoint, exposition=exposition, token=settings.metrics_token)
