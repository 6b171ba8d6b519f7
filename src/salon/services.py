"""The services the edges call, in one typed container.

`app.py` (the composition root) builds it once, in `build_services`, and sets it on the
application; the edges (`api/`, `dashboard/`, `pages/`, the signaling endpoint) read it with
`services_of(request)` and never reach `app.state` or `salon.storage` themselves.

Plain attribute access over the request rather than a FastAPI dependency: a dependency costs a
solver pass on every request, measured as most of a meeting create's time.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import HTTPConnection

from salon.accounts.service import AccountService
from salon.clock import Clock
from salon.cluster.wiring import Cluster
from salon.config import Settings
from salon.insights.samples import SampleBuffer
from salon.insights.service import InsightsService
from salon.jobs.runner import JobRunner
from salon.keys.service import KeyService
from salon.meetings.service import MeetingService
from salon.orgs.service import OrgService
from salon.ratelimit import RateLimiter
from salon.recording.service import RecordingService
from salon.rooms.room import Seat
from salon.rooms.service import RoomService
from salon.rooms.state import SignedInMember
from salon.signaling.stats_messages import Stats
from salon.storage.db import Database
from salon.summaries.service import SummaryService
from salon.themes.service import ThemeService
from salon.transcription.service import TranscriptionService
from salon.webhooks.dispatcher import Dispatcher
from salon.webhooks.service import WebhookService

StatsSink = Callable[[Seat, str, Stats], None]
"""(seat, User-Agent, sample): where a participant's quality samples go (insights)."""

MemberResolver = Callable[
    [dict[str, str], str | None, str | None], Awaitable[SignedInMember | None]
]
"""(cookies, Origin, Host) → the organization account signed in in this browser, if any."""


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    clock: Clock
    database: Database
    """For the readiness probe's ping only; edges call services, not storage."""
    orgs: OrgService
    keys: KeyService
    meetings: MeetingService
    accounts: AccountService
    session_secret: bytes
    """Signs the dashboard's session-bound CSRF tokens (a server setting, made once)."""
    webhooks: WebhookService
    dispatcher: Dispatcher
    jobs: JobRunner
    recordings: RecordingService
    transcriptions: TranscriptionService
    speech_languages: tuple[str, ...]
    """The languages the installed speech engine can transcribe (live transcription)."""
    summaries: SummaryService
    rooms: RoomService
    cluster: Cluster
    """Limits, room closing and the live-rooms directory: this process's, or shared in Redis."""
    themes: ThemeService
    insights: InsightsService
    quality_samples: SampleBuffer
    room_misses: RateLimiter
    """Unknown room names per client address: past the budget, room pages are refused."""
    group_rooms: bool
    """Whether an SFU serves group rooms (`--janus` is not `off`, and Janus was found)."""
    stats_sink: StatsSink
    signed_in_member: MemberResolver


def services_of(where: HTTPConnection | Starlette) -> Services:
    """The application's services, from a request, a WebSocket or the application itself."""
    app = where if isinstance(where, Starlette) else where.app
    found: Services = app.state.services
    return found
