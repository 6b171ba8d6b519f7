"""Signing in and out, the first owner's set-up link and accepting an invitation."""

from collections.abc import Callable

from fastapi import APIRouter, Request
from starlette.responses import Response

from salon.accounts.model import SESSION_TTL_MS, LinkKind, OneTimeLink, check_email
from salon.accounts.passwords import MIN_LENGTH, check_password
from salon.accounts.service import LinkUnusable
from salon.accounts.tokens import csrf_token
from salon.dashboard.html import Html, html, join
from salon.dashboard.layout import csrf_input, field, message_page, notice, page
from salon.dashboard.refusals import DashboardRoute
from salon.dashboard.web import (
    PREFIX,
    PRESESSION_COOKIE,
    SESSION_COOKIE,
    Form,
    client_address,
    dashboard_of,
    forget_cookie,
    presession,
    read_form,
    redirect,
    set_cookie,
    signed_in_form,
    viewer_of,
)
from salon.errors import Conflict, InvalidInput, RateLimited, Unauthorized

router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=DashboardRoute)

PRESESSION_MAX_AGE_S = 24 * 3600
PASSWORD_HINT = f"At least {MIN_LENGTH} characters. A phrase of a few words is easy to remember."


def signed_in(request: Request, token: str, to: str = PREFIX) -> Response:
    response = redirect(to)
    set_cookie(request, response, SESSION_COOKIE, token, SESSION_TTL_MS // 1000)
    forget_cookie(request, response, PRESESSION_COOKIE)
    return response


def with_presession(request: Request, render: Callable[[str], Response]) -> Response:
    binding, fresh = presession(request)
    response = render(csrf_token(dashboard_of(request).secret, binding))
    if fresh:
        set_cookie(request, response, PRESESSION_COOKIE, binding, PRESESSION_MAX_AGE_S)
    return response


# --- the dashboard's front door ----------------------------------------------------------------


@router.get("")
async def front_door(request: Request) -> Response:
    viewer = await viewer_of(request)
    return redirect(f"{PREFIX}/meetings" if viewer is not None else f"{PREFIX}/sign-in")


# --- sign in ---------------------------------------------------------------------------------


def _next(value: str | None) -> str:
    """Where to go after signing in: a dashboard page of this server, nothing else."""
    if value and value.startswith(f"{PREFIX}/") and "//" not in value and "\\" not in value:
        return value
    return PREFIX


def _sign_in_page(
    csrf: str,
    email: str = "",
    error: str | None = None,
    status_code: int = 200,
    then: str = PREFIX,
) -> Response:
    content = html(
        """<div class="auth card">
  <h1>Sign in</h1>
  <p class="lead">The dashboard of your Salon organization.</p>
  {problem}
  <form method="post" action="{prefix}/sign-in" novalidate>
    {csrf}<input type="hidden" name="next" value="{then}">
    {email}
    {password}
    <button type="submit" class="primary wide" data-testid="sign-in">Sign in</button>
  </form>
  <p class="hint">No account yet? Ask an owner of your organization for an invitation.</p>
</div>""",
        prefix=PREFIX,
        problem=notice(error, "error"),
        csrf=csrf_input(csrf),
        then=then,
        email=field(
            "email",
            "E-mail",
            value=email,
            kind="email",
            required=True,
            extra='autocomplete="username" autofocus',
        ),
        password=field(
            "password",
            "Password",
            kind="password",
            required=True,
            extra='autocomplete="current-password"',
        ),
    )
    return page("Sign in", content, status_code=status_code)


@router.get("/sign-in")
async def sign_in_form(request: Request) -> Response:
    if await viewer_of(request) is not None:
        return redirect(PREFIX)
    then = _next(request.query_params.get("next"))
    return with_presession(request, lambda csrf: _sign_in_page(csrf, then=then))


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    binding, _ = presession(request)
    form = await read_form(request, request.cookies.get(PRESESSION_COOKIE))
    board = dashboard_of(request)
    csrf = csrf_token(board.secret, binding)
    email = form["email"].strip()
    try:
        _, token = await board.accounts.sign_in(email, form["password"], client_address(request))
    except RateLimited as limited:
        response = _sign_in_page(csrf, email, limited.message, 429, _next(form["next"]))
        response.headers["Retry-After"] = str(max(1, limited.ms_left // 1000))
        return response
    except Unauthorized as refused:
        return _sign_in_page(csrf, email, refused.message, 401, _next(form["next"]))
    return signed_in(request, token, _next(form["next"]))


# --- sign out --------------------------------------------------------------------------------


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    viewer, _ = await signed_in_form(request)
    await dashboard_of(request).accounts.sign_out(viewer.session_token)
    response = redirect(f"{PREFIX}/sign-in")
    forget_cookie(request, response, SESSION_COOKIE)
    return response


@router.post("/sign-out-everywhere")
async def sign_out_everywhere(request: Request) -> Response:
    viewer, _ = await signed_in_form(request)
    await dashboard_of(request).accounts.sign_out_everywhere(viewer.account.account_id)
    response = redirect(f"{PREFIX}/sign-in")
    forget_cookie(request, response, SESSION_COOKIE)
    return response


# --- one-time links: the first owner, invitations ------------------------------------------------


def _link_page(
    kind: LinkKind,
    token: str,
    link: OneTimeLink,
    org_name: str,
    csrf: str,
    *,
    email: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    errors = errors or {}
    if kind is LinkKind.SETUP:
        title, lead = (
            "Set up your dashboard",
            (
                f"You are the first owner of the organization “{org_name}”. Choose the e-mail "
                "address and password you will sign in with."
            ),
        )
        address = field(
            "email",
            "E-mail",
            value=email,
            kind="email",
            error=errors.get("email"),
            required=True,
            extra='autocomplete="username" autofocus',
        )
    else:
        title, lead = (
            "Join your team",
            (
                f"You are invited to the organization “{org_name}” as {link.role.value}. "
                "Choose a password to finish."
            ),
        )
        address = html(
            '<div class="field"><label for="f-email">E-mail</label>'
            '<input id="f-email" type="email" value="{email}" readonly autocomplete="username">'
            "</div>",
            email=link.email or "",
        )
    content = html(
        """<div class="auth card">
  <h1>{title}</h1>
  <p class="lead">{lead}</p>
  {problem}
  <form method="post" action="{prefix}/{kind}/{token}" novalidate>
    {csrf}
    {address}
    {passwords}
    <button type="submit" class="primary wide" data-testid="link-submit">Create my account</button>
  </form>
</div>""",
        title=title,
        lead=lead,
        problem=notice(errors.get("form"), "error"),
        prefix=PREFIX,
        kind=kind.value,
        token=token,
        csrf=csrf_input(csrf),
        address=address,
        passwords=new_password_fields(errors, "Password"),
    )
    return page(title, content, status_code=status_code)


def new_password_fields(errors: dict[str, str], label: str) -> Html:
    """A new password and its confirmation, each with its error beside it."""
    return join(
        [
            field(
                "password",
                label,
                kind="password",
                error=errors.get("password"),
                hint=PASSWORD_HINT,
                required=True,
                extra='autocomplete="new-password"',
            ),
            field(
                "confirm",
                f"{label}, again",
                kind="password",
                error=errors.get("confirm"),
                required=True,
                extra='autocomplete="new-password"',
            ),
        ]
    )


def check_new_password(form: Form, email: str | None, errors: dict[str, str]) -> None:
    """The errors of a form's new password and its confirmation, keyed by field."""
    try:
        check_password(form["password"], email)
    except InvalidInput as invalid:
        errors["password"] = invalid.message
    if "password" not in errors and form["password"] != form["confirm"]:
        errors["confirm"] = "the two passwords differ"


def unusable(problem: LinkUnusable) -> Response:
    return message_page("This link cannot be used", problem.message, 410)


async def _show_link(request: Request, kind: LinkKind, token: str) -> Response:
    board = dashboard_of(request)
    try:
        link = await board.accounts.link(token, kind)
    except LinkUnusable as problem:
        return unusable(problem)
    org = await board.orgs.get(link.org_id)
    return with_presession(request, lambda csrf: _link_page(kind, token, link, org.subdomain, csrf))


async def _accept_link(request: Request, kind: LinkKind, token: str) -> Response:
    board = dashboard_of(request)
    binding, _ = presession(request)
    form = await read_form(request, request.cookies.get(PRESESSION_COOKIE))
    try:
        link = await board.accounts.link(token, kind)
    except LinkUnusable as problem:
        return unusable(problem)
    org = await board.orgs.get(link.org_id)
    email = form["email"].strip()
    errors: dict[str, str] = {}
    address: str | None = None
    try:
        address = check_email(link.email if link.email is not None else email)
    except InvalidInput as invalid:
        errors["email"] = invalid.message
    check_new_password(form, address, errors)
    if not errors:
        try:
            _, session = await board.accounts.accept_link(token, kind, email, form["password"])
        except LinkUnusable as problem:
            return unusable(problem)
        except Conflict as taken:
            errors["email"] = taken.message
        else:
            return signed_in(request, session)
    csrf = csrf_token(board.secret, binding)
    return _link_page(
        kind, token, link, org.subdomain, csrf, email=email, errors=errors, status_code=400
    )


@router.get("/setup/{token}")
async def setup_form(request: Request, token: str) -> Response:
    return await _show_link(request, LinkKind.SETUP, token)


@router.post("/setup/{token}")
async def setup(request: Request, token: str) -> Response:
    return await _accept_link(request, LinkKind.SETUP, token)


@router.get("/invite/{token}")
async def invitation_form(request: Request, token: str) -> Response:
    return await _show_link(request, LinkKind.INVITE, token)


@router.post("/invite/{token}")
async def accept_invitation(request: Request, token: str) -> Response:
    return await _accept_link(request, LinkKind.INVITE, token)
