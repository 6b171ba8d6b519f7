"""What every dashboard route needs: who is signed in, the CSRF check, forms, cookies, and the
refusals (sign in first, 403, a stale form) mapped to responses in one place."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from salon.accounts.model import Account
from salon.accounts.service import AccountService
from salon.accounts.tokens import csrf_matches, csrf_token, new_token
from salon.clock import Clock
from salon.cluster.model import RoomDirectory
from salon.dashboard.permissions import Area, may_use
from salon.insights.service import InsightsService
from salon.keys.service import KeyService
from salon.meetings.service import MeetingService
from salon.orgs.model import Organization
from salon.orgs.service import OrgService
from salon.ratelimit import client_of
from salon.recording.service import RecordingService
from salon.rooms.service import RoomService
from salon.services import Services, services_of
from salon.themes.service import ThemeService
from salon.webhooks.service import WebhookService

PREFIX = "/dashboard"
SESSION_COOKIE = "salon_session"
PRESESSION_COOKIE = "salon_presession"
"""Before sign-in, the CSRF token of the sign-in and set-up forms is bound to this cookie."""
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
FORM_MAX_BYTES = 64 * 1024
FORM_MAX_FIELDS = 200


class Dashboard:
    """What the dashboard's pages use: the application's services, seen from the dashboard."""

    __slots__ = ("_services",)

    def __init__(self, services: Services) -> None:
        self._services = services

    @property
    def accounts(self) -> AccountService:
        return self._services.accounts

    @property
    def orgs(self) -> OrgService:
        return self._services.orgs

    @property
    def keys(self) -> KeyService:
        return self._services.keys

    @property
    def meetings(self) -> MeetingService:
        return self._services.meetings

    @property
    def webhooks(self) -> WebhookService:
        return self._services.webhooks

    @property
    def rooms(self) -> RoomService:
        return self._services.rooms

    @property
    def themes(self) -> ThemeService:
        return self._services.themes

    @property
    def insights(self) -> InsightsService:
        return self._services.insights

    @property
    def presence(self) -> RoomDirectory:
        """Every node's live rooms (this process's alone when Salon runs as one)."""
        return self._services.cluster.directory

    @property
    def recordings(self) -> RecordingService:
        return self._services.recordings

    @property
    def clock(self) -> Clock:
        return self._services.clock

    @property
    def secret(self) -> bytes:
        return self._services.session_secret

    @property
    def public_url(self) -> str:
        return self._services.settings.effective_public_url

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")

    def wake_dispatcher(self) -> None:
        self._services.dispatcher.wake()


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in person of a request."""

    account: Account
    org: Organization
    session_token: str
    csrf: str


class SignInNeeded(Exception):
    """No valid session: the browser goes to the sign-in page."""


class Forbidden(Exception):
    """The person's role may not use this part of the dashboard."""


class StaleForm(Exception):
    """A state-changing request without a valid CSRF token (or from another origin)."""


class Form:
    """A submitted form's fields (last value wins; `all` for checkboxes)."""

    def __init__(self, fields: Mapping[str, list[str]]) -> None:
        self._fields = fields

    def __getitem__(self, name: str) -> str:
        return self.get(name)

    def get(self, name: str, default: str = "") -> str:
        values = self._fields.get(name)
        return values[-1] if values else default

    def all(self, name: str) -> list[str]:
        return list(self._fields.get(name, []))

    def has(self, name: str) -> bool:
        return name in self._fields


def dashboard_of(request: Request) -> Dashboard:
    return Dashboard(services_of(request))


async def viewer_of(request: Request) -> Viewer | None:
    board = dashboard_of(request)
    token = request.cookies.get(SESSION_COOKIE)
    account = await board.accounts.session_account(token)
    if account is None or token is None:
        return None
    org = await board.orgs.get(account.org_id)
    return Viewer(account, org, token, csrf_token(board.secret, token))


async def require(request: Request, area: Area | None = None) -> Viewer:
    """The signed-in viewer, allowed into `area`; else `SignInNeeded` or `Forbidden`."""
    viewer = await viewer_of(request)
    if viewer is None:
        raise SignInNeeded
    if area is not None and not may_use(viewer.account.role, area):
        raise Forbidden
    return viewer


def _same_origin(request: Request) -> bool:
    """Browsers send `Origin` with every POST; one naming another site is refused outright."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    return urlsplit(origin).netloc.lower() == request.headers.get("host", "").lower()


async def read_form(request: Request, binding: str | None) -> Form:
    """The form of a state-changing request, once its CSRF token matches `binding` (the
    session token, or the pre-session cookie before sign-in)."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > FORM_MAX_BYTES:
            raise StaleForm
    try:
        fields = parse_qs(
            body.decode("utf-8"),
            keep_blank_values=True,
            strict_parsing=False,
            max_num_fields=FORM_MAX_FIELDS,
        )
    except (UnicodeDecodeError, ValueError):
        raise StaleForm from None
    form = Form(fields)
    board = dashboard_of(request)
    presented = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
    if not _same_origin(request) or not csrf_matches(board.secret, binding or "", presented):
        raise StaleForm
    return form


@dataclass(frozen=True, slots=True)
class Upload:
    """A multipart form with at most one file: its text fields and the file's bytes."""

    form: Form
    file: bytes | None


async def read_upload(request: Request, binding: str, max_bytes: int) -> Upload:
    """A `multipart/form-data` form, once its CSRF token matches `binding`. The body must say
    its length and stay under `max_bytes`, or the form is refused as stale."""
    length = request.headers.get("content-length", "")
    if not length.isdigit() or int(length) > max_bytes:
        raise StaleForm
    fields: dict[str, list[str]] = {}
    data: bytes | None = None
    try:
        async with request.form(max_files=1, max_fields=FORM_MAX_FIELDS) as parsed:
            for name, value in parsed.multi_items():
                if isinstance(value, str):
                    fields.setdefault(name, []).append(value)
                elif data is None:
                    data = await value.read()
    except HTTPException:
        raise StaleForm from None
    form = Form(fields)
    presented = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
    if not _same_origin(request) or not csrf_matches(
        dashboard_of(request).secret, binding, presented
    ):
        raise StaleForm
    return Upload(form, data or None)


async def signed_in_form(request: Request, area: Area | None = None) -> tuple[Viewer, Form]:
    viewer = await require(request, area)
    return viewer, await read_form(request, viewer.session_token)


def client_address(request: Request) -> str:
    """Who is asking, as the throttles count them (see `salon.ratelimit.client_of`)."""
    return client_of(request.client.host if request.client else None)


# --- cookies and redirects -----------------------------------------------------------------------


def presession(request: Request) -> tuple[str, bool]:
    """The pre-session binding of this browser, and whether it must be set as a new cookie."""
    existing = request.cookies.get(PRESESSION_COOKIE)
    if existing and 20 <= len(existing) <= 100:
        return existing, False
    return new_token(), True


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    board = dashboard_of(request)
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=board.secure_cookies or request.url.scheme == "https",
    )


def forget_cookie(request: Request, response: Response, name: str) -> None:
    set_cookie(request, response, name, "", 0)


def redirect(path: str, **query: Any) -> RedirectResponse:
    """303 after a successful POST (the browser then GETs the page: no resubmission)."""
    suffix = "&".join(f"{name}={value}" for name, value in query.items())
    return RedirectResponse(path + (f"?{suffix}" if suffix else ""), status_code=303)
