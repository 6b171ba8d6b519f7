"""Live streaming to an RTMP server: a meeting's `streaming` option as Whereby defines it, and
where a stream may go. Pure.

The URL is the RTMP ingest address with the stream key as its last path segment
(`rtmp://a.rtmp.youtube.com/live2/<key>`). A tenant names it, so it passes the rule webhook
deliveries pass (`salon.webhooks.destinations`): public addresses only, plus the networks the
operator allows (`--webhook-allow-networks`). The name is resolved and every address checked
when streaming starts; an `rtmp://` stream then connects to the address that was checked (the
name stays in the RTMP `tcUrl`), so a name that resolves elsewhere a moment later (DNS
rebinding) cannot redirect it. An `rtmps://` stream connects by name (TLS needs it), and keeps
that short window.
"""

import json
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from salon.errors import InvalidInput
from salon.webhooks.destinations import Address, DestinationPolicy

SCHEMES = {"rtmp": 1935, "rtmps": 443}
NOT_ALLOWED = "streaming.destination.url: the address is not allowed"


class StreamTrigger(StrEnum):
    NONE = "none"
    PROMPT = "prompt"
    AUTOMATIC = "automatic"


@dataclass(frozen=True, slots=True)
class StreamTarget:
    url: str
    scheme: str
    host: str
    port: int

    def pinned(self, address: Address) -> tuple[str, str | None]:
        """The URL ffmpeg connects to and the `tcUrl` it announces: for `rtmp://`, the checked
        address in place of the name (the application's URL keeps the name)."""
        if self.scheme != "rtmp":
            return self.url, None
        parts = urlsplit(self.url)
        host = f"[{address}]" if address.version == 6 else str(address)
        path, _, _key = parts.path.rpartition("/")
        pinned = parts._replace(netloc=f"{host}:{self.port}").geturl()
        return pinned, f"{parts.scheme}://{parts.netloc}{path}"


@dataclass(frozen=True, slots=True)
class StreamingOptions:
    target: StreamTarget | None = None
    trigger: StreamTrigger = StreamTrigger.NONE


def check_stream_url(url: str) -> StreamTarget:
    """An RTMP ingest URL with an application and a stream key; InvalidInput says what is not."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise InvalidInput("streaming.destination.url is not a URL") from None
    if parts.scheme not in SCHEMES:
        raise InvalidInput("streaming.destination.url must start with rtmp:// or rtmps://")
    if not parts.hostname or parts.username is not None or parts.password is not None:
        raise InvalidInput("streaming.destination.url must name a host (and no user)")
    if not parts.path.strip("/"):
        raise InvalidInput(
            "streaming.destination.url must end with the stream key,"
            " as in rtmp://host/live/<stream key>"
        )
    return StreamTarget(url.strip(), parts.scheme, parts.hostname, port or SCHEMES[parts.scheme])


def destination_problem(
    target: StreamTarget, addresses: list[Address], policy: DestinationPolicy
) -> str | None:
    """Why the stream may not go to what its host resolved to; None when it may."""
    if not addresses:
        return "streaming.destination.url: the host cannot be resolved"
    if not policy.permits_all(addresses):
        return NOT_ALLOWED
    return None


def streaming_options(stored: str) -> StreamingOptions:
    """The streaming options of a meeting's stored creation options (JSON)."""
    try:
        options = json.loads(stored or "{}")
    except ValueError:
        return StreamingOptions()
    streaming = options.get("streaming") if isinstance(options, dict) else None
    preferences = options.get("roomPreferences") if isinstance(options, dict) else None
    if not isinstance(streaming, dict) or (
        isinstance(preferences, dict) and preferences.get("streaming") is False
    ):
        return StreamingOptions()  # `roomPreferences.streaming: false` turns it off
    destination = streaming.get("destination")
    url = destination.get("url") if isinstance(destination, dict) else None
    try:
        target = check_stream_url(url) if isinstance(url, str) else None
        trigger = StreamTrigger(streaming.get("startTrigger") or StreamTrigger.NONE.value)
    except (InvalidInput, ValueError):
        return StreamingOptions()
    return StreamingOptions(target, trigger)
