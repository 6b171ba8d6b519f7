"""Members: the organization's people, invitations by one-time link, roles, removal."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from salon.accounts.model import Account, AccountId, AccountRole, check_role
from salon.dashboard.html import Html, html, join, when
from salon.dashboard.layout import (
    confirm_button,
    copy_box,
    csrf_input,
    empty_state,
    error_text,
    field,
    heading,
    notice,
    notice_of,
    page,
    section,
)
from salon.dashboard.permissions import Area
from salon.dashboard.refusals import DashboardRoute
from salon.dashboard.web import (
    PREFIX,
    Form,
    Viewer,
    dashboard_of,
    redirect,
    require,
    signed_in_form,
)
from salon.errors import Conflict, InvalidInput

router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=DashboardRoute)
HERE = f"{PREFIX}/members"
NOTICES = {
    "role": "Role changed.",
    "removed": "Removed; their sessions ended.",
    "revoked": "Invitation withdrawn; its link no longer works.",
}
ROLES = {"member": "Member: meetings and live rooms", "owner": "Owner: everything"}


def _role_select(
    ident: str, chosen: str, error: str | None = None, label: str | None = "Role"
) -> Html:
    """The role menu; `label` None when the caller labels it visibly."""
    return html(
        '{label}<select id="{i}" name="role"{aria}>{options}</select>{error}',
        label=html('<label class="sr-only" for="{i}">{t}</label>', i=ident, t=label)
        if label
        else "",
        i=ident,
        aria=Html(f' aria-describedby="{ident}-error" aria-invalid="true"' if error else ""),
        options=join(
            html(
                '<option value="{v}"{sel}>{t}</option>',
                v=v,
                t=t,
                sel=Html(" selected" if v == chosen else ""),
            )
            for v, t in ROLES.items()
        ),
        error=error_text(ident, error),
    )


def _row(account: Account, viewer: Viewer, error: str | None) -> Html:
    you = account.account_id == viewer.account.account_id
    return html(
        """<tr data-testid="member-row" data-email="{email}">
  <td data-label="Person">{email}{you}</td>
  <td data-label="Role">
    <form method="post" action="{here}/{id}/role" class="inline-form">{csrf}{select}
      <button type="submit" class="secondary" data-testid="member-role-save">Change</button>
    </form>
  </td>
  <td data-label="Since">{since}</td>
  <td class="actions">{reset}{remove}</td>
</tr>""",
        email=account.email,
        you=Html(' <span class="pill">you</span>') if you else "",
        here=HERE,
        id=account.account_id,
        csrf=csrf_input(viewer.csrf),
        select=_role_select(
            f"role-{account.account_id}", account.role.value, error, f"Role of {account.email}"
        ),
        since=when(account.created_ms),
        reset=""
        if you
        else html(
            '<form method="post" action="{here}/{id}/reset-link" class="inline-form">{csrf}'
            '<button type="submit" class="secondary" data-testid="member-reset">Reset link'
            "</button></form>",
            here=HERE,
            id=account.account_id,
            csrf=csrf_input(viewer.csrf),
        ),
        remove=confirm_button(
            f"{HERE}/{account.account_id}/remove",
            viewer.csrf,
            "Remove",
            "They are signed out everywhere and lose access.",
            "member-remove",
        ),
    )


def _hand_over(advice: str, label: str, link: str, test_id: str) -> Html:
    """A one-time link, shown once, for the owner to pass on."""
    return join([notice(advice), copy_box(label, link, test_id)])


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
    board = dashboard_of(request)
    errors = errors or {}
    people = await board.accounts.list_accounts(viewer.org.org_id)
    invites = await board.accounts.open_invites(viewer.org.org_id)
    rows = [
        _row(a, viewer, row_error[1] if row_error and row_error[0] == a.account_id else None)
        for a in people
    ]
    listing = html(
        '<table class="list"><thead><tr><th>Person</th><th>Role</th><th>Since</th>'
        '<th><span class="sr-only">Actions</span></th></tr></thead><tbody>{rows}</tbody></table>',
        rows=join(rows),
    )
    pending = (
        html(
            '<ul class="rows">{items}</ul>',
            items=join(
                html(
                    '<li class="row" data-testid="invite-row"><span class="row-main">{email}</span>'
                    ' <span class="badge">{role}</span>'
                    ' <span class="muted">expires {expires}</span>{revoke}</li>',
                    email=i.email or "",
                    role=i.role.value,
                    expires=when(i.expires_ms),
                    revoke=confirm_button(
                        f"{HERE}/invites/{i.token_digest}/revoke",
                        viewer.csrf,
                        "Withdraw",
                        "The link stops working.",
                        "invite-revoke",
                    ),
                )
                for i in invites
            ),
        )
        if invites
        else empty_state("No open invitations", "Invite someone with the form above.")
    )
    fresh = (
        _hand_over(
            "Send this link to them yourself: it works once, for 7 days, and is shown only now.",
            "Invitation link",
            link,
            "invite-link",
        )
        if link
        else Html("")
    )
    reset_made = (
        _hand_over(
            f"Send this link to {reset[0]} yourself: it sets a new password once, within"
            " 24 hours, and is shown only now.",
            "Password reset link",
            reset[1],
            "reset-link",
        )
        if reset
        else Html("")
    )
    invite = html(
        """<form method="post" action="{here}/invite" class="inline-form grow" novalidate>
  {csrf}{email}<div class="field"><label for="f-invite-role">Role</label>{role}</div>
  <button type="submit" class="primary" data-testid="invite-create">Create invitation</button>
</form>{fresh}""",
        here=HERE,
        csrf=csrf_input(viewer.csrf),
        email=field(
            "email",
            "E-mail",
            kind="email",
            value=form["email"] if form else "",
            error=errors.get("email"),
            required=True,
            extra='data-testid="invite-email" autocomplete="off"',
        ),
        role=_role_select(
            "f-invite-role", form["role"] if form else "member", errors.get("role"), None
        ),
        fresh=fresh,
    )
    content = join(
        [
            heading("Members", "The people who can sign in to this organization's dashboard."),
            notice_of(request.query_params.get("notice"), NOTICES),
            section("Invite someone", invite),
            section("People", join([reset_made, listing])),
            section("Open invitations", pending),
        ]
    )
    return page("Members", content, viewer=viewer, area=Area.MEMBERS, status_code=status_code)


@router.get("/members")
async def members_page(request: Request) -> Response:
    return await _page(request, await require(request, Area.MEMBERS))


@router.post("/members/invite")
async def invite(request: Request) -> Response:
    viewer, form = await signed_in_form(request, Area.MEMBERS)
    board = dashboard_of(request)
    try:
        role = check_role(form["role"])
    except InvalidInput as invalid:
        return await _page(
            request, viewer, form=form, errors={"role": invalid.message}, status_code=400
        )
    try:
        token = await board.accounts.invite(viewer.org.org_id, form["email"], role)
    except (InvalidInput, Conflict) as refused:
        return await _page(
            request, viewer, form=form, errors={"email": refused.message}, status_code=400
        )
    link = f"{board.public_url}{PREFIX}/invite/{token}"
    return await _page(request, viewer, link=link, status_code=201)


@router.post("/members/{account_id}/role")
async def change_role(request: Request, account_id: int) -> Response:
    viewer, form = await signed_in_form(request, Area.MEMBERS)
    try:
        role = check_role(form["role"])
        await dashboard_of(request).accounts.change_role(
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
        await dashboard_of(request).accounts.remove(viewer.org.org_id, AccountId(account_id))
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
    board = dashboard_of(request)
    account, token = await board.accounts.reset_link(viewer.org.org_id, AccountId(account_id))
    link = f"{board.public_url}{PREFIX}/reset/{token}"
    return await _page(request, viewer, reset=(account.email, link), status_code=201)


@router.post("/members/invites/{digest}/revoke")
async def revoke(request: Request, digest: str) -> Response:
    viewer, _ = await signed_in_form(request, Area.MEMBERS)
    await dashboard_of(request).accounts.revoke_invite(viewer.org.org_id, digest)
    return redirect(HERE, notice="revoked")
