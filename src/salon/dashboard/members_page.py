"""Members: the organization's people, invitations by one-time link, roles, removal."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from salon.accounts.model import AccountId, AccountRole, check_role
from salon.dashboard.permissions import Area
from salon.dashboard.refusals import DashboardRoute
from salon.dashboard.render import flash, page
from salon.dashboard.web import (
    PREFIX,
    Form,
    Viewer,
    redirect,
    require,
    signed_in_form,
)
from salon.errors import Conflict, InvalidInput
from salon.services import services_of

router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=DashboardRoute)
HERE = f"{PREFIX}/members"
NOTICES = {
    "role": "Role changed.",
    "removed": "Removed; their sessions ended.",
    "revoked": "Invitation withdrawn; its link no longer works.",
}
ROLES = {"member": "Member: meetings and live rooms", "owner": "Owner: everything"}


async def _page(
    request: Request,
    viewer: Viewer,
    *,
    link: str | None = None,
    reset: tuple[str, str] | None = None,
    form: Form | None = None,
    errors: dict[str, str] | None = None,
    row_error: tuple[int, str] | None = None,
    status_code: int = 200,
) -> Response:
    """`reset`: whose password a new link resets, and the link; `row_error`: an account id and
    why its change was refused."""
    services = services_of(request)
    return page(
        request,
        "members.html",
        viewer=viewer,
        area=Area.MEMBERS,
        status_code=status_code,
        here=HERE,
        roles=ROLES,
        flash=flash(request, NOTICES),
        people=await services.accounts.list_accounts(viewer.org.org_id),
        invites=await services.accounts.open_invites(viewer.org.org_id),
        form={"email": form["email"], "role": form["role"]}
        if form
        else {"email": "", "role": "member"},
        errors=errors or {},
        link=link,
        reset=reset,
        row_error=row_error,
    )


@router.get("/members")
async def members_page(request: Request) -> Response:
    return await _page(request, await require(request, Area.MEMBERS))


@router.post("/members/invite")
async def invite(request: Request) -> Response:
    viewer, form = await signed_in_form(request, Area.MEMBERS)
    services = services_of(request)
    try:
        role = check_role(form["role"])
    except InvalidInput as invalid:
        return await _page(
            request, viewer, form=form, errors={"role": invalid.message}, status_code=400
        )
    try:
        token = await services.accounts.invite(viewer.org.org_id, form["email"], role)
    except (InvalidInput, Conflict) as refused:
        return await _page(
            request, viewer, form=form, errors={"email": refused.message}, status_code=400
        )
    link = f"{services.settings.effective_public_url}{PREFIX}/invite/{token}"
    return await _page(request, viewer, link=link, status_code=201)


@router.post("/members/{account_id}/role")
async def change_role(request: Request, account_id: int) -> Response:
    viewer, form = await signed_in_form(request, Area.MEMBERS)
    try:
        role = check_role(form["role"])
        await services_of(request).accounts.change_role(
            viewer.org.org_id, AccountId(account_id), role
        )
    except InvalidInput as invalid:
        return await _page(
            request, viewer, row_error=(account_id, invalid.message), status_code=400
        )
    if account_id == viewer.account.account_id and role is not AccountRole.OWNER:
        return redirect(f"{PREFIX}/meetings")
    return redirect(HERE, notice="role")


@router.post("/members/{account_id}/remove")
async def remove(request: Request, account_id: int) -> Response:
    viewer, _ = await signed_in_form(request, Area.MEMBERS)
    try:
        await services_of(request).accounts.remove(viewer.org.org_id, AccountId(account_id))
    except InvalidInput as invalid:
        return await _page(
            request, viewer, row_error=(account_id, invalid.message), status_code=400
        )
    if account_id == viewer.account.account_id:
        return redirect(f"{PREFIX}/sign-in")
    return redirect(HERE, notice="removed")


@router.post("/members/{account_id}/reset-link")
async def reset_link(request: Request, account_id: int) -> Response:
    viewer, _ = await signed_in_form(request, Area.MEMBERS)
    services = services_of(request)
    account, token = await services.accounts.reset_link(viewer.org.org_id, AccountId(account_id))
    link = f"{services.settings.effective_public_url}{PREFIX}/reset/{token}"
    return await _page(request, viewer, reset=(account.email, link), status_code=201)


@router.post("/members/invites/{digest}/revoke")
async def revoke(request: Request, digest: str) -> Response:
    viewer, _ = await signed_in_form(request, Area.MEMBERS)
    await services_of(request).accounts.revoke_invite(viewer.org.org_id, digest)
    return redirect(HERE, notice="revoked")
