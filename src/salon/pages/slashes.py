"""Trailing-slash redirects with a relative `Location`.

Starlette redirects `/dashboard/` to `/dashboard` with an absolute URL made from the request's
`Host` header, so whoever chooses that header (a client through a careless proxy, a poisoned
cache) chooses where the redirect points. This sends the path alone; a path that would read as
another host (`//host`, `/\\host`) is not redirected at all.
"""

from fastapi import FastAPI
from starlette.responses import RedirectResponse
from starlette.routing import Match
from starlette.types import Receive, Scope, Send


def install_slash_redirects(app: FastAPI) -> None:
    router = app.router
    router.redirect_slashes = False
    not_found = router.default

    async def redirect_or_not_found(scope: Scope, receive: Receive, send: Send) -> None:
        location = _other_form(scope) if scope["type"] == "http" else None
        if location is not None:
            other = {**scope, "path": _decoded_other(scope["path"])}
            if any(route.matches(other)[0] is not Match.NONE for route in router.routes):
                await RedirectResponse(location)(scope, receive, send)
                return
        await not_found(scope, receive, send)

    router.default = redirect_or_not_found


def _decoded_other(path: str) -> str:
    return path.rstrip("/") if path.endswith("/") else path + "/"


def _other_form(scope: Scope) -> str | None:
    """The request's path with its trailing slash toggled, and its query; None for `/` or a path
    that a browser would take for another host."""
    path: str = scope["path"]
    if path == "/" or scope.get("root_path"):
        return None
    raw: bytes = scope.get("raw_path") or path.encode()
    other = _decoded_other(raw.decode("latin-1"))
    if not other.startswith("/") or other.startswith(("//", "/\\")) or other == "/":
        return None
    query: bytes = scope.get("query_string", b"")
    return other + ("?" + query.decode("latin-1") if query else "")
