"""`/v1/docs`: the API reference in Swagger UI, served entirely by Salon.

FastAPI's own page loads Swagger UI from a CDN, on the dashboard's origin, with an inline script:
it fails without internet, and trusts that CDN with the origin. Here the assets come from the
`swagger-ui-bundle-v2` package (Swagger UI 5, which reads OpenAPI 3.1), the page's one script is
a file of Salon's own, and its `Content-Security-Policy` allows nothing from anywhere else.
"""

import html
import mimetypes
from functools import lru_cache
from importlib.resources.abc import Traversable

from fastapi import FastAPI
from starlette.responses import HTMLResponse, Response
from swagger_ui_bundle import swagger_ui_path

from salon.pages.room import STATIC_PATH

BUNDLE: Traversable = swagger_ui_path
ASSETS_PATH = "/_salon/swagger-ui"
ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png")
"""The only files of the bundle the page needs; nothing else of the package is served."""
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" type="image/png" href="{assets}/favicon-32x32.png">
<link rel="stylesheet" href="{assets}/swagger-ui.css">
</head>
<body data-openapi-url="{openapi}">
<div id="swagger-ui"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{static}/docs/api-docs.js"></script>
</body>
</html>
"""


@lru_cache(maxsize=len(ASSETS))
def _asset(name: str) -> bytes:
    return (BUNDLE / name).read_bytes()


def install_docs_page(app: FastAPI, docs_url: str, openapi_url: str) -> None:
    page = _PAGE.format(
        title=html.escape(f"{app.title}: reference"),
        assets=ASSETS_PATH,
        static=STATIC_PATH,
        openapi=html.escape(openapi_url),
    )

    @app.api_route(docs_url, methods=["GET", "HEAD"], include_in_schema=False)
    async def docs() -> Response:
        return HTMLResponse(page, headers={**_HEADERS, "Content-Security-Policy": POLICY})

    @app.api_route(f"{ASSETS_PATH}/{{name}}", methods=["GET", "HEAD"], include_in_schema=False)
    async def asset(name: str) -> Response:
        if name not in ASSETS:
            return Response(status_code=404, headers=_HEADERS)
        media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return Response(
            _asset(name),
            media_type=media_type,
            headers={**_HEADERS, "Cache-Control": "public, max-age=86400"},
        )
