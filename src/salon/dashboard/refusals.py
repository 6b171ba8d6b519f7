"""Refusals mapped to pages, in one place: every dashboard route is a `DashboardRoute`."""

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from salon.dashboard.render import HEADERS, message_page
from salon.dashboard.web import PREFIX, Forbidden, SignInNeeded, StaleForm, viewer_of
from salon.errors import NotFound


async def refusal_page(request: Request, refusal: Exception) -> Response:
    if isinstance(refusal, SignInNeeded):
        if request.method == "GET":
            target = f"{PREFIX}/sign-in?next={quote(request.url.path)}"
            return RedirectResponse(target, status_code=303, headers=HEADERS)
        return message_page(request, "Signed out", "Your session has ended. Sign in again.", 401)
    viewer = await viewer_of(request)
    if isinstance(refusal, Forbidden):
        return message_page(
            request,
            "Owners only",
            "This part of the dashboard is for the organization's owners. "
            "Ask an owner if you need something changed here.",
            403,
            viewer,
        )
    if isinstance(refusal, StaleForm):
        return message_page(
            request,
            "This form has expired",
            "The page was open too long or came from somewhere else. Reload it and try again.",
            403,
            viewer,
        )
    assert isinstance(refusal, NotFound)
    return message_page(
        request, "Not found", refusal.message[:1].upper() + refusal.message[1:] + ".", 404, viewer
    )


class DashboardRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except (SignInNeeded, Forbidden, StaleForm, NotFound) as refusal:
                return await refusal_page(request, refusal)

        return handle
