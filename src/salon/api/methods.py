"""HTTP methods under `/v1`: `HEAD` wherever `GET` exists, and the full `Allow` list of a `405`.

FastAPI makes one route per method and path, so Starlette's `405` names only the methods of the
first route whose path matched (`PUT /v1/meetings` answered `allow: POST`). `allowed_methods`
collects them from every route of the path instead. `HeadAsGet` serves `HEAD` by running the
`GET` route and dropping the body, so the headers (`Content-Length` included) are those of `GET`,
as HTTP asks.
"""

from collections.abc import Iterable

from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from salon.api.gate import API_PREFIX

_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(routes: Iterable[BaseRoute], scope: Scope) -> list[str]:
    """The methods some route answers on the request's path, `HEAD` included where `GET` is,
    in a fixed order (`GET, HEAD, POST`). Asks each route as the router would, since included
    routers wrap their routes."""
    found = {
        method
        for method in _ORDER
        if any(route.matches({**scope, "method": method})[0] is Match.FULL for route in routes)
    }
    if "GET" in found:
        found.add("HEAD")
    return [method for method in _ORDER if method in found]


class ApiMethods:
    """Under `/v1`: answers `HEAD` with the `GET` route's status and headers and no body, and
    gives every `405` the `Allow` list of all the path's routes."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not (path == API_PREFIX or path.startswith(API_PREFIX + "/")):
            await self._app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"

        async def send_fixed(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                allow = ", ".join(allowed_methods(scope["app"].routes, scope)).encode()
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"allow"]
                message = {**message, "headers": [*kept, (b"allow", allow)]}
            elif message["type"] == "http.response.body" and head:
                message = {**message, "body": b""}
            await send(message)

        await self._app({**scope, "method": "GET"} if head else scope, receive, send_fixed)
