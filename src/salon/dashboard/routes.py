"""Mounts the dashboard on the application: its pages, and the resolver that tells the room
socket whether its browser is signed in to the room's organization."""

from urllib.parse import urlsplit

from fastapi import FastAPI

from salon.accounts.service import AccountService
from salon.dashboard import (
    appearance_page,
    auth_pages,
    domains_page,
    insights_page,
    keys_page,
    live_page,
    meetings_page,
    members_page,
    password_pages,
    recordings_page,
    transcripts_page,
    webhooks_page,
)
from salon.dashboard.web import SESSION_COOKIE
from salon.ids import OrgId
from salon.meetings.model import RoomRole
from salon.rooms.state import SignedInMember

ROOM_ROLE = {"owner": RoomRole.OWNER, "member": RoomRole.MEMBER}


def install_dashboard(app: FastAPI) -> None:
    for module in (
        auth_pages,
        keys_page,
        domains_page,
        webhooks_page,
        meetings_page,
        live_page,
        recordings_page,
        transcripts_page,
        members_page,
        password_pages,
        appearance_page,
        insights_page,
    ):
        app.include_router(module.router)


async def signed_in_member(
    accounts: AccountService, cookies: dict[str, str], origin: str | None, host: str | None
) -> SignedInMember | None:
    """The organization and room role of the person whose browser opened a room socket.

    Only a socket opened by a page of this same origin counts: the session cookie is SameSite,
    and the origin check keeps another site's page from borrowing it all the same.
    """
    token = cookies.get(SESSION_COOKIE)
    if not token or origin is None or host is None:
        return None
    if urlsplit(origin).netloc.lower() != host.lower():
        return None
    account = await accounts.session_account(token)
    if account is None:
        return None
    return SignedInMember(OrgId(account.org_id), ROOM_ROLE[account.role.value])
