"""Signing in and out, the first owner's set-up link and accepting an invitation."""

from collections.abc import Callable

from fastapi import APIRouter, Request
from starlette.responses import Response

from salon.accounts.model import SESSION_TTL_MS, LinkKind, OneTimeLink, check_email
from salon.accounts.passwords import MIN_LENGTH, check_password
from salon.accounts.service import LinkUnusable
from salon.accounts.tokens import csrf_token
from salon.dashboard.refusals import DashboardRoute
from salon.dashboard.render import message_page, page
from salon.dashboard.web import (
    PREFIX,
    PRESESSION_COOKIE,
    SESSION_COOKIE,
    Form,
    client_address,
    forget_cookie,
    presession,
    read_form,
    redirect,
    set_cookie,
    signed_in_form,
    viewer_of,
)
from salon.errors import Conflict, InvalidInput, RateLimited, Unauthorized
from salon.services import services_of

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
    response = render(csrf_token(services_of(request).session_secret, binding))
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
    request: Request,
    csrf: str,
    email: str = "",
    error: str | None = None,
    status_code: int = 200,
    then: str = PREFIX,
) -> Response:
    return page(
        request,
        "sign_in.html",
        status_code=status_code,
        token=csrf,
        email=email,
        error=error,
        then=then,
    )


@router.get("/sign-in")
async def sign_in_form(request: Request) -> Response:
    if await viewer_of(request) is not None:
        return redirect(PREFIX)
    then = _next(request.query_params.get("next"))
    return with_presession(request, lambda csrf: _sign_in_page(request, csrf, then=then))


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    binding, _ = presession(request)
    form = await read_form(request, request.cookies.get(PRESESSION_COOKIE))
    services = services_of(request)
    csrf = csrf_token(services.session_secret, binding)
    email = form["email"].strip()
    try:
        _, token = await services.accounts.sign_in(email, form["password"], client_address(request))
    except RateLimited as limited:
        response = _sign_in_page(request, csrf, email, limited.message, 429, _next(form["next"]))
        response.headers["Retry-After"] = str(max(1, limited.ms_left // 1000))
        return response
    except Unauthorized as refused:
        return _sign_in_page(request, csrf, email, refused.message, 401, _next(form["next"]))
    return signed_in(request, token, _next(form["next"]))


# --- sign out --------------------------------------------------------------------------------


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    viewer, _ = await signed_in_form(request)
    await services_of(request).accounts.sign_out(viewer.session_token)
    response = redirect(f"{PREFIX}/sign-in")
    forget_cookie(request, response, SESSION_COOKIE)
    return response


@router.post("/sign-out-everywhere")
async def sign_out_everywhere(request: Request) -> Response:
    viewer, _ = await signed_in_form(request)
    await services_of(request).accounts.sign_out_everywhere(viewer.account.account_id)
    response = redirect(f"{PREFIX}/sign-in")
    forget_cookie(request, response, SESSION_COOKIE)
    return response


# --- one-time links: the first owner, invitations ------------------------------------------------


def _link_page(
    request: Request,
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
    setup = kind is LinkKind.SETUP
    return page(
        request,
        "link.html",
        status_code=status_code,
        title="Set up your dashboard" if setup else "Join your team",
        setup=setup,
        kind=kind,
        token=token,
        link=link,
        org_name=org_name,
        csrf_token=csrf,
        email=email,
        errors=errors or {},
        password_hint=PASSWORD_HINT,
    )


def check_new_password(form: Form, email: str | None, errors: dict[str, str]) -> None:
    """The errors of a form's new password and its confirmation, keyed by field."""
    try:
        check_password(form["password"], email)
    except InvalidInput as invalid:
        errors["password"] = invalid.message
    if "password" not in errors and form["password"] != form["confirm"]:
        errors["confirm"] = "the two passwords differ"


def unusable(request: Request, problem: LinkUnusable) -> Response:
    return message_page(request, "This link cannot be used", problem.message, 410)


async def _show_link(request: Request, kind: LinkKind, token: str) -> Response:
    services = services_of(request)
    try:
        link = await services.accounts.link(token, kind)
    except LinkUnusable as problem:
        return unusable(request, problem)
    org = await services.orgs.get(link.org_id)
    return with_presession(
        request, lambda csrf: _link_page(request, kind, token, link, org.subdomain, csrf)
    )


async def _accept_link(request: Request, kind: LinkKind, token: str) -> Response:
    services = services_of(request)
    binding, _ = presession(request)
    form = await read_form(request, request.cookies.get(PRESESSION_COOKIE))
    try:
        link = await services.accounts.link(token, kind)
    except LinkUnusable as problem:
        return unusable(request, problem)
    org = await services.orgs.get(link.org_id)
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
            _, session = await services.accounts.accept_link(token, kind, email, form["password"])
        except LinkUnusable as problem:
            return unusable(request, problem)
        except Conflict as taken:
            errors["email"] = taken.message
        else:
            return signed_in(request, session)
    csrf = csrf_token(services.session_secret, binding)
    return _link_page(
        request, kind, token, link, org.subdomain, csrf, email=email, errors=errors, status_code=400
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
