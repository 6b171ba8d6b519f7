"""`salon serve | migrate | keys | orgs`: the command line, over the same services as the API.

Each command imports what it uses, inside its function: the web stack (FastAPI, uvicorn), Alembic,
SQLAlchemy and argon2 cost about a second to import, which `salon keys list` has no use for
(`bench/cli_startup.py` measures it; `tests/e2e/test_cli_imports.py` keeps it so).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import socket
import sys
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from salon import __version__, cli_users, cli_webhooks
from salon.clock import system_clock
from salon.config import Settings, load_settings
from salon.errors import SalonError
from salon.keys.service import KeyService
from salon.logs import configure_logging
from salon.orgs.service import OrgService
from salon.storage.db import Dialect, dialect_of
from salon.storage.engines import open_database
from salon.storage.migrate import migrate
from salon.webhooks.destinations import destination_policy

if TYPE_CHECKING:
    from salon.storage.db import Database

FIRST_KEY_NAME = "default"
LOG_FORMATS = ("text", "json")
_T = TypeVar("_T")


def _redacted(url: str) -> str:
    if dialect_of(url) is Dialect.SQLITE:
        return url  # no password to hide
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _when(epoch_ms: int | None) -> str:
    if epoch_ms is None:
        return "never"
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


# --- serve -------------------------------------------------------------------------------------


def _group_rooms(settings: Settings, available: bool) -> str:
    if not available:
        return "off (no SFU: group rooms are refused; apt-get install janus, or --janus URL)"
    if settings.janus.strip() == "auto":
        return "a private Janus, started with the first group room"
    return f"Janus at {settings.janus}"


def _cluster_line(settings: Settings) -> str:
    assert settings.redis_url is not None
    from redis.asyncio.connection import parse_url

    parts = parse_url(settings.redis_url)
    where = parts.get("path") or f"{parts.get('host', 'localhost')}:{parts.get('port', 6379)}"
    return f"node {settings.node_id!r}, Redis at {where} database {parts.get('db', 0)}"


async def _serve(settings: Settings) -> None:
    import gc

    import uvicorn

    from salon.app import build_app
    from salon.cluster.wiring import check_cluster_settings
    from salon.http_limits import limited_protocol
    from salon.metrics.sidecar import metrics_sidecar
    from salon.services import services_of
    from salon.signaling.protocol import MAX_FRAME_BYTES
    from salon.webhooks.service import remember_served_origins

    url = settings.effective_database_url
    check_cluster_settings(
        settings.redis_url, url, settings.node_id
    )  # before touching the database
    await migrate(url)
    database = open_database(url, min_free_mib=settings.ready_min_free_mib)
    try:
        app = await build_app(settings, database)
        services = services_of(app)
        org, first_start = await services.orgs.ensure_default()
        await remember_served_origins(database, settings.own_origins)
        base = settings.effective_public_url
        lines = [
            f"Salon {__version__}",
            f"  Base URL:   {base}",
            f"  REST API:   {base}/v1  (reference: {base}/v1/docs)",
            f"  Database:   {_redacted(url)}",
            f"  Group rooms: {_group_rooms(settings, services.group_rooms)}",
            f"  Organization: {org.subdomain}",
        ]
        if settings.redis_url is not None:
            lines.insert(4, f"  Cluster:    {_cluster_line(settings)}")
        if first_start:
            _, plaintext = await services.keys.create(org.org_id, FIRST_KEY_NAME)
            lines += [
                "  First API key (shown only now; store it somewhere safe):",
                f"    {plaintext}",
            ]
        lines.append(
            f"  More keys:  salon keys create --name NAME --data-dir {settings.data_dir}"
            if settings.database_url is None
            else "  More keys:  salon keys create --name NAME --database-url URL"
        )
        if await services.accounts.needs_first_owner(org.org_id):
            token = await services.accounts.create_setup_link(org.org_id)
            lines += [
                "  Dashboard:  set up its first owner with this one-time link (24 h):",
                f"    {base}/dashboard/setup/{token}",
            ]
        else:
            lines.append(f"  Dashboard:  {base}/dashboard")
        print("\n".join(lines), flush=True)
        config = uvicorn.Config(
            app,
            host=settings.host,
            port=settings.port,
            log_level=settings.log_level,
            access_log=settings.access_log,
            lifespan="on",
            server_header=False,
            http=limited_protocol(
                headers_s=settings.timeout_headers,
                body_s=settings.timeout_body,
                max_connections=settings.limit_connections,
            ),
            limit_concurrency=settings.limit_connections or None,  # 503 past it
            # The client's address from `X-Forwarded-For` only when the peer is a trusted proxy.
            proxy_headers=bool(settings.forwarded_allow_ips),
            forwarded_allow_ips=settings.forwarded_allow_ips or "",
            ws_max_size=MAX_FRAME_BYTES,  # a larger frame closes its socket with 1009
            ws_ping_interval=10.0,  # notice a vanished peer within ~20 s
            ws_ping_timeout=10.0,
            # Signaling frames are small JSON: compression saves little, and each socket's zlib
            # state (~300 KB) made a closed connection's memory wait for a full collection.
            ws_per_message_deflate=False,
            log_config=None,  # keep our handler, and with it the filter that redacts secrets
        )
        # The framework's objects live as long as the process: keep them out of the collector's
        # reach, so that collections stay short under load.
        gc.collect()
        gc.freeze()
        gc.set_threshold(50_000, 20, 20)
        rooms = services.rooms

        class RoomsFirstServer(uvicorn.Server):
            """On SIGTERM, close every room while its sockets still carry messages (pages are
            told to reconnect; leaves and session ends are recorded), then stop as uvicorn
            does."""

            async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
                try:
                    await rooms.shutdown()
                except Exception:
                    logging.getLogger("salon").exception("closing the rooms on shutdown failed")
                await super().shutdown(sockets)

        main_server = RoomsFirstServer(config)
        sidecar = metrics_sidecar(app.state.metrics, settings) if settings.metrics_port else None
        metrics_task = asyncio.create_task(sidecar.serve()) if sidecar is not None else None
        try:
            await main_server.serve()
        finally:
            if sidecar is not None and metrics_task is not None:
                sidecar.should_exit = True
                await metrics_task
    finally:
        await database.close()


# --- management commands -----------------------------------------------------------------------


async def _with_services(
    settings: Settings, work: Callable[[Database, OrgService, KeyService], Awaitable[int]]
) -> int:
    url = settings.effective_database_url
    await migrate(url)
    database = open_database(url)
    try:
        return await work(
            database, OrgService(database, system_clock), KeyService(database, system_clock)
        )
    finally:
        await database.close()


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=None))


async def _keys(settings: Settings, args: argparse.Namespace) -> int:
    async def work(_: Database, orgs: OrgService, keys: KeyService) -> int:
        org = await orgs.find(args.org)
        if args.action == "create":
            key, plaintext = await keys.create(org.org_id, args.name)
            if args.json:
                _print_json({"id": key.key_id, "name": key.name, "key": plaintext})
            else:
                print(f"Created API key {key.key_id} ({key.name!r}). It is shown only now:")
                print(plaintext)
        elif args.action == "list":
            listed = await keys.list_keys(org.org_id)
            if args.json:
                _print_json(
                    [
                        {
                            "id": k.key_id,
                            "name": k.name,
                            "prefix": k.display_prefix,
                            "createdAt": _when(k.created_ms),
                            "lastUsedAt": None if k.last_used_ms is None else _when(k.last_used_ms),
                        }
                        for k in listed
                    ]
                )
            elif not listed:
                print("No API keys. Create one with: salon keys create --name NAME")
            for k in [] if args.json else listed:
                print(
                    f"{k.key_id}  {k.display_prefix}_…  {k.name!r}  created {_when(k.created_ms)}"
                    f"  last used {_when(k.last_used_ms)}"
                )
        elif args.action == "rename":
            await keys.rename(org.org_id, args.id, args.name)
            print(f"Renamed API key {args.id} to {args.name!r}.")
        else:
            await keys.delete(org.org_id, args.id)
            print(f"Deleted API key {args.id}; it stops working now.")
        return 0

    return await _with_services(settings, work)


async def _webhooks(settings: Settings, args: argparse.Namespace) -> int:
    from salon.webhooks.service import WebhookService, served_origins

    async def work(database: Database, orgs: OrgService, _: KeyService) -> int:
        org = await orgs.find(args.org)
        own = settings.own_origins | await served_origins(database)
        service = WebhookService(
            database,
            system_clock,
            own,
            policy=destination_policy(settings.webhook_allow_networks),
            max_endpoints=settings.webhook_max_endpoints,
        )
        return await cli_webhooks.run(service, org.org_id, args)

    return await _with_services(settings, work)


async def _users(settings: Settings, args: argparse.Namespace) -> int:
    from salon.accounts.service import AccountService

    async def work(database: Database, orgs: OrgService, _: KeyService) -> int:
        org = await orgs.find(args.org)
        return await cli_users.run(AccountService(database, system_clock), org.org_id, args)

    return await _with_services(settings, work)


async def _domains(settings: Settings, args: argparse.Namespace) -> int:
    async def work(_: Database, orgs: OrgService, __: KeyService) -> int:
        org = await orgs.find(args.org)
        if args.action == "add":
            origin = await orgs.add_domain(org.org_id, args.origin)
            print(f"Rooms of {org.subdomain!r} may now be framed by {origin}.")
        elif args.action == "remove":
            origin = await orgs.remove_domain(org.org_id, args.origin)
            print(f"Removed {origin}.")
        else:
            listed = await orgs.allowed_domains(org.org_id)
            if args.json:
                _print_json(listed)
            elif not listed:
                print("No allowed domains: rooms can be opened directly, framed only by Salon.")
            for origin in [] if args.json else listed:
                print(origin)
        return 0

    return await _with_services(settings, work)


async def _orgs(settings: Settings, args: argparse.Namespace) -> int:
    async def work(_: Database, orgs: OrgService, __: KeyService) -> int:
        if args.action == "create":
            org = await orgs.create(args.subdomain)
            if args.json:
                _print_json({"id": org.org_id, "subdomain": org.subdomain})
            else:
                print(f"Created organization {org.subdomain!r}. Give it a key with:")
                print(f"  salon keys create --org {org.subdomain} --name NAME")
        else:
            await orgs.ensure_default()
            listed = await orgs.list_orgs()
            if args.json:
                _print_json([{"id": o.org_id, "subdomain": o.subdomain} for o in listed])
            for org in [] if args.json else listed:
                print(f"{org.subdomain}  created {_when(org.created_ms)}")
        return 0

    return await _with_services(settings, work)


async def _migrate(settings: Settings) -> int:
    await migrate(settings.effective_database_url)
    print(f"Database {_redacted(settings.effective_database_url)} is up to date.")
    return 0


# --- parsing -----------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    storage = argparse.ArgumentParser(add_help=False)
    storage.add_argument("--data-dir", help="folder of the SQLite database (env SALON_DATA_DIR)")
    storage.add_argument(
        "--database-url",
        help="sqlite:///FILE or postgresql://…; overrides --data-dir (env SALON_DATABASE_URL)",
    )
    org = argparse.ArgumentParser(add_help=False)
    org.add_argument("--org", metavar="SUBDOMAIN", help="organization (default: the default one)")
    as_json = argparse.ArgumentParser(add_help=False)
    as_json.add_argument("--json", action="store_true", help="print JSON")

    parser = argparse.ArgumentParser(prog="salon", description="Salon video meetings server")
    parser.add_argument("--version", action="version", version=f"salon {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", parents=[storage], help="run the server")
    serve.add_argument("--host", help="address to bind (default 127.0.0.1; env SALON_HOST)")
    serve.add_argument("--port", type=int, help="port (default 8000; env SALON_PORT)")
    serve.add_argument("--public-url", help="base of room URLs (default http://HOST:PORT)")
    serve.add_argument("--base-domain", help="rooms at https://<subdomain>.<base domain>")
    serve.add_argument("--stun-urls", help="STUN servers for browsers, comma-separated")
    serve.add_argument("--webhook-retries", type=int, help="retries after a 5xx or timeout (2)")
    serve.add_argument("--webhook-retry-delay-ms", type=int, help="first retry delay (1000)")
    serve.add_argument(
        "--webhook-allow-networks",
        metavar="CIDR[,CIDR...]",
        help="non-public networks webhooks may reach, e.g. 10.1.2.0/24 (default: none)",
    )
    serve.add_argument(
        "--webhook-max-endpoints", type=int, help="webhook endpoints per organization (20)"
    )
    serve.add_argument(
        "--session-end-grace-s", type=float, help="seconds below two people before a session ends"
    )
    serve.add_argument(
        "--insights-retention-days", type=int, help="days quality samples are kept (30)"
    )
    serve.add_argument(
        "--rate-limit-points", type=int, help="API points per organization per minute; 0 = off"
    )
    serve.add_argument(
        "--janus", help="SFU for group rooms: auto (default), off, or ws://…[,ws://…]"
    )
    serve.add_argument("--room-door-cap", type=int, help="people at a locked room's door (50)")
    serve.add_argument(
        "--room-knocks-per-minute", type=int, help="knocks per client address per minute (30)"
    )
    serve.add_argument(
        "--room-joins-per-minute", type=int, help="room joins per client address per minute (120)"
    )
    serve.add_argument("--node-id", help="this server's name in room history (main)")
    serve.add_argument(
        "--ready-min-free-mib",
        type=int,
        help="/readyz is 503 below this much free disk for SQLite (64, or 1 %% of the disk)",
    )
    serve.add_argument(
        "--redis-url",
        help="redis://HOST:PORT/DB: cluster mode, with a PostgreSQL --database-url and a "
        "--node-id per node (env SALON_REDIS_URL)",
    )
    serve.add_argument("--janus-admin-key", help="VideoRoom admin_key of external Janus")
    serve.add_argument("--janus-rtp-ports", help="UDP range of a managed Janus (20000-40000)")
    serve.add_argument("--janus-public-ip", help="public IP a managed Janus announces (1:1 NAT)")
    serve.add_argument("--group-capacity", type=int, help="participants per group room (200)")
    serve.add_argument("--group-viewer-capacity", type=int, help="viewers per group room (400)")
    serve.add_argument("--sfu-voices", type=int, help="loudest voices each member hears (5)")
    serve.add_argument(
        "--sfu-rtp-publishers",
        action="store_true",
        default=None,
        help="let participants publish plain RTP into group rooms (load rigs; trusted networks)",
    )
    serve.add_argument("--turn-urls", help="TURN servers for browsers, comma-separated")
    serve.add_argument("--turn-secret", help="TURN REST shared secret (coturn static-auth-secret)")
    serve.add_argument("--turn-ttl-s", type=int, help="lifetime of TURN credentials (43200)")
    serve.add_argument(
        "--forwarded-allow-ips",
        help="trusted proxies whose X-Forwarded-For is believed: IPs, CIDRs or * (default none)",
    )
    serve.add_argument(
        "--timeout-headers", type=float, help="seconds to send request headers (10; 0 = off)"
    )
    serve.add_argument(
        "--timeout-body", type=float, help="seconds to send a request body (30; 0 = off)"
    )
    serve.add_argument(
        "--limit-connections", type=int, help="open connections before 503 (2000; 0 = off)"
    )
    serve.add_argument(
        "--room-misses-per-minute",
        type=int,
        help="unknown room names one address may look up per minute (30; 0 = off)",
    )
    serve.add_argument(
        "--transcription-model", help="faster-whisper model folder (default: PocketSphinx)"
    )
    serve.add_argument(
        "--summary-llm-url",
        help="OpenAI-compatible endpoint for summaries (key: env"
        " SALON_SUMMARY_LLM_KEY; default: Salon's extractive summariser)",
    )
    serve.add_argument("--summary-llm-model", help="model name sent to --summary-llm-url")
    serve.add_argument("--log-level", choices=["critical", "error", "warning", "info", "debug"])
    serve.add_argument("--access-log", action="store_true", default=None)
    serve.add_argument("--log-format", choices=LOG_FORMATS, help="log lines (default text)")
    serve.add_argument(
        "--metrics-port", type=int, help="serve Prometheus /metrics on this port (default off)"
    )
    serve.add_argument("--metrics-host", help="address of the metrics port (default 127.0.0.1)")
    serve.add_argument(
        "--metrics",
        action="store_true",
        default=None,
        help="also serve /metrics on the main port, behind --metrics-token",
    )
    serve.add_argument(
        "--metrics-token", help="bearer token for /metrics (prefer env SALON_METRICS_TOKEN)"
    )

    commands.add_parser("migrate", parents=[storage], help="apply database migrations")

    keys = commands.add_parser("keys", help="manage API keys").add_subparsers(
        dest="action", required=True
    )
    create = keys.add_parser("create", parents=[storage, org, as_json], help="create a key")
    create.add_argument("--name", required=True)
    keys.add_parser("list", parents=[storage, org, as_json], help="list keys")
    rename = keys.add_parser("rename", parents=[storage, org], help="rename a key")
    rename.add_argument("id")
    rename.add_argument("name")
    delete = keys.add_parser("delete", parents=[storage, org], help="delete a key")
    delete.add_argument("id")

    cli_webhooks.add_commands(commands, storage, org)
    cli_users.add_commands(commands, storage, org)

    domains = commands.add_parser("domains", help="sites allowed to embed rooms").add_subparsers(
        dest="action", required=True
    )
    add = domains.add_parser("add", parents=[storage, org], help="allow an origin")
    add.add_argument(
        "origin", help="https://host, https://*.host, https://host:port, http://localhost:port"
    )
    remove = domains.add_parser("remove", parents=[storage, org], help="stop allowing one")
    remove.add_argument("origin")
    domains.add_parser("list", parents=[storage, org, as_json], help="list them")

    orgs = commands.add_parser("orgs", help="manage organizations").add_subparsers(
        dest="action", required=True
    )
    create_org = orgs.add_parser("create", parents=[storage, as_json], help="create one")
    create_org.add_argument("subdomain")
    orgs.add_parser("list", parents=[storage, as_json], help="list them")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    flags = {name: value for name, value in vars(args).items() if name not in ("command", "action")}
    try:
        settings = load_settings(flags)
    except ValueError as error:
        print(f"salon: {error}", file=sys.stderr)
        return 2
    if settings.log_format not in LOG_FORMATS:
        print(f"salon: the log format must be one of {', '.join(LOG_FORMATS)}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.log_format)
    try:
        if args.command == "serve":
            _run(_serve(settings))
            return 0
        if args.command == "migrate":
            return _run(_migrate(settings))
        if args.command == "keys":
            return _run(_keys(settings, args))
        if args.command == "webhooks":
            return _run(_webhooks(settings, args))
        if args.command == "users":
            return _run(_users(settings, args))
        if args.command == "domains":
            return _run(_domains(settings, args))
        return _run(_orgs(settings, args))
    except SalonError as error:
        print(f"salon: {error.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _run(work: Coroutine[Any, Any, _T]) -> _T:
    try:
        import uvloop
    except ImportError:
        return asyncio.run(work)
    result: _T = uvloop.run(work)
    return result
