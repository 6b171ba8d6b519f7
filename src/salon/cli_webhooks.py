"""`salon webhooks …`: manage an organization's webhook endpoints and read their delivery log."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from salon.ids import OrgId

if TYPE_CHECKING:  # the service loads only when a `webhooks` command runs
    from salon.webhooks.service import WebhookService


def add_commands(
    commands: Any, storage: argparse.ArgumentParser, org: argparse.ArgumentParser
) -> None:
    as_json = argparse.ArgumentParser(add_help=False)
    as_json.add_argument("--json", action="store_true", help="print JSON")
    parents = [storage, org, as_json]
    policy = argparse.ArgumentParser(add_help=False)
    policy.add_argument(
        "--webhook-allow-networks",
        metavar="CIDR[,CIDR...]",
        help="non-public networks the URL may point at (as `salon serve` allows them)",
    )
    actions = commands.add_parser("webhooks", help="manage webhook endpoints").add_subparsers(
        dest="action", required=True
    )
    create = actions.add_parser("create", parents=[*parents, policy], help="add an endpoint")
    create.add_argument("--url", required=True)
    create.add_argument("--events", help="comma-separated event types (default: all)")
    actions.add_parser("list", parents=parents, help="list endpoints")
    show = actions.add_parser("show", parents=parents, help="one endpoint, with its secret")
    show.add_argument("id")
    update = actions.add_parser("update", parents=[*parents, policy], help="change an endpoint")
    update.add_argument("id")
    update.add_argument("--url")
    update.add_argument("--events", help="comma-separated event types")
    state = update.add_mutually_exclusive_group()
    state.add_argument("--enable", dest="enabled", action="store_const", const=True)
    state.add_argument("--disable", dest="enabled", action="store_const", const=False)
    delete = actions.add_parser("delete", parents=parents, help="remove an endpoint")
    delete.add_argument("id")
    rotate = actions.add_parser("rotate-secret", parents=parents, help="new signing secret")
    rotate.add_argument("id")
    deliveries = actions.add_parser("deliveries", parents=parents, help="the delivery log")
    deliveries.add_argument("id", nargs="?", help="only this endpoint's deliveries")
    deliveries.add_argument("--limit", type=int, default=50)
    replay = actions.add_parser("replay", parents=parents, help="send a delivery again")
    replay.add_argument("delivery_id")


def _events(raw: str | None) -> list[str] | None:
    return None if raw is None else [name.strip() for name in raw.split(",") if name.strip()]


def _show(value: Any, as_json: bool, text: str) -> None:
    print(json.dumps(value) if as_json else text)


async def run(webhooks: WebhookService, org_id: OrgId, args: argparse.Namespace) -> int:
    from salon.webhooks.service import endpoint_view

    action = args.action
    if action == "create":
        endpoint = await webhooks.create(org_id, args.url, _events(args.events))
        shown = {"id": endpoint.id, "url": endpoint.url, "events": list(endpoint.events)}
        shown["secret"] = endpoint.secret
        _show(
            shown,
            args.json,
            f"Created webhook {endpoint.id} -> {endpoint.url}\n"
            f"  events: {', '.join(endpoint.events)}\n  signing secret: {endpoint.secret}",
        )
    elif action == "list":
        endpoints = await webhooks.list_endpoints(org_id)
        lines = [
            f"{e.id}  {'on ' if e.enabled else 'off'}  {e.url}  [{', '.join(e.events)}]"
            for e in endpoints
        ]
        _show(
            [endpoint_view(e) for e in endpoints],
            args.json,
            "\n".join(lines) or "No webhooks. Add one with: salon webhooks create --url URL",
        )
    elif action in ("show", "update", "rotate-secret"):
        if action == "show":
            endpoint = await webhooks.get(org_id, args.id)
        else:
            endpoint = await webhooks.update(
                org_id,
                args.id,
                url=getattr(args, "url", None),
                event_types=_events(getattr(args, "events", None)),
                enabled=getattr(args, "enabled", None),
                rotate_secret=action == "rotate-secret",
            )
        view = endpoint_view(endpoint, with_secret=action != "update")
        _show(view, args.json, "\n".join(f"{key}: {value}" for key, value in view.items()))
    elif action == "delete":
        await webhooks.delete(org_id, args.id)
        _show({"deleted": args.id}, args.json, f"Deleted webhook {args.id}.")
    elif action == "deliveries":
        found = await webhooks.deliveries(org_id, args.id, args.limit)
        lines = [
            f"{d['id']}  {d['eventType']:<28} {d['status']:<9} attempts={d['attempts']}"
            f"  last={d['lastStatus'] or d['lastError'] or '-'}"
            for d in found
        ]
        _show(found, args.json, "\n".join(lines) or "No deliveries yet.")
    else:
        replayed = await webhooks.replay(org_id, args.delivery_id)
        _show(
            replayed,
            args.json,
            f"Queued {replayed['id']}: a replay of {args.delivery_id}; a running server sends it.",
        )
    return 0
