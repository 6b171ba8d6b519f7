"""One frozen `Settings`, from command-line flags, then `SALON_*` environment variables, then
defaults. This is the only module that reads the environment."""

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from dataclasses import field as dataclass_field
from typing import Any

from salon.storage.db import sqlite_url


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: str = "data"
    database_url: str | None = None
    """Overrides the SQLite file in `data_dir`, e.g. postgresql://user@host/db."""
    public_url: str | None = None
    """The base of room URLs; `http://HOST:PORT` when not set."""
    base_domain: str | None = None
    """With a base domain, each organization's rooms live at https://<subdomain>.<base domain>."""
    rate_limit_points: int = 1000
    """Each organization's budget of API points per minute; 0 turns rate limiting off."""
    stun_urls: str | None = None
    """Comma-separated STUN servers handed to browsers, e.g. stun:stun.example.org:3478."""
    webhook_retries: int = 2
    """How many times a delivery is retried after a 5xx, a timeout or a connection error."""
    webhook_retry_delay_ms: int = 1000
    """The first retry's delay; each later one doubles it (with up to 20 % jitter)."""
    webhook_allow_networks: str | None = None
    """CIDR[,CIDR...] webhooks may reach although they are not public (loopback, private, …)."""
    webhook_max_endpoints: int = 20
    """Webhook endpoints one organization may have."""
    session_end_grace_s: float = 60.0
    """A session ends when fewer than two people remain for this long."""
    insights_retention_days: int = 30
    """How long participants' quality samples are kept (insights)."""
    max_body_bytes: int = 64 * 1024
    # --- the HTTP server's sockets, and who the client is ---
    forwarded_allow_ips: str | None = None
    """Proxies (comma-separated addresses or networks, or `*`) whose `X-Forwarded-For` and
    `X-Forwarded-Proto` are believed; none by default, so that a client cannot choose the address
    the throttles count it by."""
    timeout_headers: float = 10.0
    """Seconds a client has to send a request's headers (0 = no limit)."""
    timeout_body: float = 30.0
    """Seconds a client has to send a request's body, once its headers are in (0 = no limit)."""
    limit_connections: int = 2000
    """Open connections (WebSockets included) past which new ones get `503` (0 = no limit)."""
    room_misses_per_minute: int = 30
    """Room-page lookups of a name that does not exist, per client address per minute; past it
    every room-page lookup from that address gets `429` until the minute ends (0 = no limit)."""
    # --- rooms ---
    room_door_cap: int = 50
    """People at one locked room's door at once; more hear `waiting_room_full`."""
    room_knocks_per_minute: int = 30
    """Knocks per client address per minute; 0 turns the limit off."""
    room_joins_per_minute: int = 120
    """Room joins per client address per minute (resumes are free); 0 turns the limit off."""
    node_id: str = "main"
    """This server's name in room history: after a crash it closes what it left open."""
    redis_url: str | None = None
    """redis://HOST:PORT/DB: cluster mode, several nodes over one PostgreSQL database sharing
    limits, room closings and presence through this Redis. Without it: one process."""
    ready_min_free_mib: int = 64
    """`/readyz` answers 503 while the SQLite database's file system has less free space than
    this (or than 1 % of its size, if that is less); 0 turns the rule off."""
    housekeeping_interval_s: float = 60.0
    log_level: str = "info"
    log_format: str = "text"
    """`text` (one readable line a record) or `json` (one JSON object a line)."""
    access_log: bool = False
    # --- metrics ---
    metrics_port: int = 0
    """Serve Prometheus' `/metrics` on this port of `metrics_host` (0: no metrics port)."""
    metrics_host: str = "127.0.0.1"
    metrics: bool = False
    """Also serve `/metrics` on the main port, to callers with `metrics_token` only."""
    metrics_token: str | None = None
    """The bearer token `/metrics` on the main port asks for (also honoured on the metrics port)."""
    # --- group rooms (SFU) and TURN ---
    janus: str = "auto"
    """`auto` (a private Janus when the binary is installed), `off`, or ws://…[,ws://…]."""
    janus_admin_key: str | None = None
    """The VideoRoom `admin_key` of external Janus instances, if they set one."""
    janus_rtp_ports: str = "20000-40000"
    """UDP ports a managed Janus uses for media, as MIN-MAX."""
    janus_public_ip: str | None = None
    """The public address a managed Janus announces (its nat_1_1_mapping), behind a 1:1 NAT."""
    group_capacity: int = 200
    """Participants a group room admits (across its breakout groups); only lower is allowed."""
    group_viewer_capacity: int = 400
    """Viewers a group room admits; only lower is allowed (tests set small caps)."""
    sfu_voices: int = 5
    """How many of the loudest voices each member of a group room hears (plus whom it pins)."""
    sfu_rtp_publishers: bool = False
    """Participants may publish plain RTP into group rooms (`sfu-publish-rtp`): for load rigs and
    gateways on a trusted network only."""
    turn_urls: str | None = None
    """Comma-separated TURN servers, e.g. turn:turn.example.org:3478,turns:turn.example.org:443."""
    turn_secret: str | None = None
    """coturn's static-auth-secret: each join answer carries credentials made with it."""
    turn_ttl_s: int = 12 * 3600
    # --- transcription and summaries ---
    transcription_model: str | None = None
    """A faster-whisper model folder; without one, transcripts use PocketSphinx (English)."""
    summary_llm_url: str | None = None
    """An OpenAI-compatible endpoint (…/v1) that writes summaries; without one, Salon's own
    extractive summariser does."""
    summary_llm_model: str | None = None
    summary_llm_key: str | None = dataclass_field(default=None, repr=False)
    """The endpoint's bearer key: from SALON_SUMMARY_LLM_KEY only (no flag), never logged."""

    @property
    def effective_database_url(self) -> str:
        return self.database_url or sqlite_url(self.data_dir)

    @property
    def own_origins(self) -> frozenset[str]:
        """Where this server answers: webhooks may not point there."""
        from salon.webhooks.model import origin_of

        urls = {self.effective_public_url, f"http://{self.host}:{self.port}"}
        if self.host in ("127.0.0.1", "0.0.0.0", "localhost", "::1", "::"):  # noqa: S104
            urls |= {f"http://localhost:{self.port}", f"http://127.0.0.1:{self.port}"}
        return frozenset(origin_of(url) for url in urls)

    @property
    def effective_public_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")


def _convert(kind: Any, raw: str) -> object:
    if kind in (int, "int"):
        return int(raw)
    if kind in (float, "float"):
        return float(raw)
    if kind in (bool, "bool"):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    return raw


def load_settings(
    flags: Mapping[str, object | None], environ: Mapping[str, str] | None = None
) -> Settings:
    """Each field from its flag when given, else from `SALON_<FIELD>`, else its default."""
    env = os.environ if environ is None else environ  # noqa: TID251 - the one reader
    values: dict[str, object] = {}
    for field in fields(Settings):
        flag = flags.get(field.name)
        if flag is not None:
            values[field.name] = flag
            continue
        raw = env.get(f"SALON_{field.name.upper()}")
        if raw is not None and raw != "":
            try:
                values[field.name] = _convert(field.type, raw)
            except ValueError:
                kind = getattr(field.type, "__name__", str(field.type))
                raise ValueError(f"SALON_{field.name.upper()} is not a valid {kind}") from None
    return Settings(**values)  # type: ignore[arg-type]
