"""Passwords: changing your own (the current one first), and setting a new one from the reset
link an owner made (Salon sends no e-mail, so an owner hands the link over, as with invitations).

    signed in ──► /account/password: current + new ──► other sessions end, this one stays
    owner ──► Members: "Reset link" ──► /reset/{token}: new password ──► every session ends,
                                                                         signed in afresh
"""

from fastapi import APIRouter, Request
from starlette.responses import Response

from salon.accounts.model import LinkKind, OneTimeLink
from salon.accounts.service import LinkUnusable
from salon.accounts.tokens import csrf_token
from salon.dashboard.auth_pages import (
    PASSWORD_HINT,
    check_new_password,
    signed_in,
    unusable,
    with_presession,
)
from salon.dashboard.refusals import DashboardRoute
from salon.dashboard.render import page
from salon.dashboard.web import (
    PREFIX,
    PRESESSION_COOKIE,
    Viewer,
    client_address,
    presession,
    read_form,
    redirect,
    require,
    signed_in_form,
)
from salon.errors import RateLimited, Unauthorized
from salon.services import services_of

router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=DashboardRoute)
HERE = f"{PREFIX}/account/password"


# --- your own password ---------------------------------------------------------------------------


def _change_page(
    request: Request,
    viewer: Viewer,
    *,
    errors: dict[str, str] | None = None,
    done: str | None = None,
    status_code: int = 200,
) -> Response:
    return page(
        request,
        "password_change.html",
        viewer=viewer,
        status_code=status_code,
        here=HERE,
        errors=errors or {},
        done=done,
        password_hint=PASSWORD_HINT,
    )


@router.get("/account/password")
async def change_form(request: Request) -> Response:
    viewer = await require(request)
    ended = request.query_params.get("ended")
    done = None
    if ended is not None and ended.isdigit():
        others = int(ended)
        done = f"Password changed; {others} other session{'s' if others != 1 else ''} ended."
    return _change_page(request, viewer, done=done)


@router.post("/account/password")
async def change(request: Request) -> Response:
    viewer, form = await signed_in_form(request)
    errors: dict[str, str] = {}
    if not form["current"]:
        errors["current"] = "enter your current password"
    check_new_password(form, viewer.account.email, errors)
    if errors:
        return _change_page(request, viewer, errors=errors, status_code=400)
    try:
        ended = await services_of(request).accounts.change_password(
            viewer.account,
            form["current"],
            form["password"],
            viewer.session_token,
            client_address(request),
        )
    except RateLimited as limited:
        response = _change_page(request, viewer, errors={"form": limited.message}, status_code=429)
        response.headers["Retry-After"] = str(max(1, limited.ms_left // 1000))
        return response
    except Unauthorized as wrong:
        return _change_page(request, viewer, errors={"current": wrong.message}, status_code=400)
    return redirect(HERE, ended=str(ended))


# --- a reset link --------------------------------------------------------------------------------


def _reset_page(
    request: Request,
    token: str,
    link: OneTimeLink,
    csrf: str,
    errors: dict[str, str] | None = None,
) -> Response:
    return page(
        request,
        "password_reset.html",
        status_code=400 if errors else 200,
        token=token,
        link=link,
        csrf_token=csrf,
        errors=errors or {},
        password_hint=PASSWORD_HINT,
    )


@router.get("/reset/{token}")
async def reset_form(request: Request, token: str) -> Response:
    try:
        link = await services_of(request).accounts.link(token, LinkKind.RESET)
    except LinkUnusable as problem:
        return unusable(request, problem)
    return with_presession(request, lambda csrf: _reset_page(request, token, link, csrf))


@router.post("/reset/{token}")
async def reset(request: Request, token: str) -> Response:
    services = services_of(request)
    binding, _ = presession(request)
    form = await read_form(request, request.cookies.get(PRESESSION_COOKIE))
    try:
        link = await services.accounts.link(token, LinkKind.RESET)
        errors: dict[str, str] = {}
        check_new_password(form, link.email, errors)
        if errors:
            return _reset_page(
                request, token, link, csrf_token(services.session_secret, binding), errors
            )
        _, session = await services.accounts.accept_reset(token, form["password"])
    except LinkUnusable as problem:
        return unusable(request, problem)
    return signed_in(request, session)
