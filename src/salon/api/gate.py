"""The gate in front of `/v1`: body size, API key, rate limit and its headers.

A pure ASGI middleware (no per-request task or body copy): it resolves the `Bearer` key to its
organization, charges the organization's point budget (an unauthenticated caller is charged by
address, so guessing keys costs budget too), refuses oversized bodies with `413`, and adds
`X-RateLimit-*` to every response, errors included.
"""

from email.utils import formatdate

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from salon.api.errors import error_response, storage_unavailable_response
from salon.cluster.model import ApiLimiter
from salon.errors import PayloadTooLarge, RateLimited, StorageUnavailable
from salon.keys.service import KeyService
from salon.ratelimit import Verdict, client_of, cost_of

API_PREFIX = "/v1"
UPLOAD_PREFIX = API_PREFIX + "/rooms/"
"""Where bodies may be as large as `max_upload_bytes` (the theme API's images)."""
PRINCIPAL = "salon.principal"
"""Where the gate leaves the caller's `(OrgId, ApiKeyId)` in the ASGI scope, or None."""


def _rate_headers(verdict: Verdict) -> list[tuple[bytes, bytes]]:
    reset = formatdate(verdict.reset_ms / 1000, usegmt=True)
    return [
        (b"x-ratelimit-limit", str(verdict.limit).encode()),
        (b"x-ratelimit-remaining", str(verdict.remaining).encode()),
        (b"x-ratelimit-reset", reset.encode()),
    ]


class ApiGate:
    def __init__(
        self,
        app: ASGIApp,
        *,
        keys: KeyService,
        limiter: ApiLimiter,
        max_body_bytes: int,
        max_upload_bytes: int = 0,
    ) -> None:
        self._app = app
        self._keys = keys
        self._limiter = limiter
        self._max_body = max_body_bytes
        self._max_upload = max(max_upload_bytes, max_body_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not (path == API_PREFIX or path.startswith(API_PREFIX + "/")):
            await self._app(scope, receive, send)
            return
        authorization = length = b""
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value
            elif name == b"content-length":
                length = value
        principal = None
        if authorization[:7].lower() == b"bearer ":
            try:
                principal = await self._keys.authenticate(
                    authorization[7:].strip().decode("latin-1")
                )
            except StorageUnavailable as failure:  # outside the app's handlers: answer here
                await storage_unavailable_response(failure)(scope, _no_body, send)
                return
        scope[PRINCIPAL] = principal

        extra: list[tuple[bytes, bytes]] = []
        if self._limiter.enabled:
            client = scope.get("client")
            kind, key = (
                ("organization", str(principal[0]))
                if principal
                else ("address", client_of(client[0] if client else None))
            )
            verdict = await self._limiter.charge(f"{kind}:{key}", cost_of(scope["method"]))
            extra = _rate_headers(verdict)
            if not verdict.allowed:
                retry_after = str(max(1, -(-verdict.ms_left // 1000)))
                # Whereby's wording, naming the kind of bucket but never its internal id.
                error = RateLimited(f"Rate limit active for throttle key: {kind}", verdict.ms_left)
                await self._reply(
                    error, [*extra, (b"retry-after", retry_after.encode())], scope, send
                )
                return

        # Theme images (up to 1 MB) come in multipart bodies; a file over its own limit but
        # under this one is still read, so that its answer names the image's limit (400).
        limit = self._max_upload if path.startswith(UPLOAD_PREFIX) else self._max_body
        if length.isdigit() and int(length) > limit:
            await self._reply(self._too_large(limit), extra, scope, send)
            return

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # An HTTPException, because FastAPI turns any other error raised while it
                    # reads the body into a 400.
                    raise HTTPException(413, self._too_large(limit).message)
            return message

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start" and extra:
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self._app(scope, limited_receive, send_with_headers)

    def _too_large(self, limit: int) -> PayloadTooLarge:
        return PayloadTooLarge(f"request body is larger than {limit} bytes")

    async def _reply(
        self,
        error: PayloadTooLarge | RateLimited,
        extra: list[tuple[bytes, bytes]],
        scope: Scope,
        send: Send,
    ) -> None:
        response = error_response(error)
        response.raw_headers.extend(extra)
        await response(scope, _no_body, send)


async def _no_body() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}
