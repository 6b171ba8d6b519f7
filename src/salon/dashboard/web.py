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
from salon.accounts.tokens import csrf_matches, csrf_token, new_token
from salon.dashboard.permissions import Area, may_use
from salon.orgs.model import Organization
from salon.ratelimit import client_of
from salon.services import services_of

PREFIX = "/dashboard"
SESSION_COOKIE = "salon_session"
PRESESSION_COOKIE = "salon_presession"
"""Before sign-in, the CSRF token of the sign-in and set-up forms is bound to this cookie."""
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
FORM_MAX_BYTES = 64 * 1024
FORM_MAX_FIELDS = 200


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


async def viewer_of(request: Request) -> Viewer | None:
    services = services_of(request)
    token = request.cookies.get(SESSION_COOKIE)
    account = await services.accounts.session_account(token)
    if account is None or token is None:
        return None
    org = await services.orgs.get(account.org_id)
    return Viewer(account, org, token, csrf_token(services.session_secret, token))


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
    services = services_of(request)
    presented = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
    if not _same_origin(request) or not csrf_matches(
        services.session_secret, binding or "", presented
    ):
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
        services_of(request).session_secret, binding, presented
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
    public_url = services_of(request).settings.effective_public_url
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=public_url.startswith("https://") or request.url.scheme == "https",
    )


def forget_cookie(request: Request, response: Response, name: str) -> None:
    set_cookie(request, response, name, "", 0)


def redirect(path: str, **query: Any) -> RedirectResponse:
    """303 after a successful POST (the browser then GETs the page: no resubmission)."""
    suffix = "&".join(f"{name}={value}" for name, value in query.items())
    return RedirectResponse(path + (f"?{suffix}" if suffix else ""), status_code=303)
