"""`/v1/webhooks`, `/v1/webhook-deliveries` and `/v1/webhook-metrics` through the ASGI app, on
SQLite and PostgreSQL: shapes, clear validation errors, keys, and organizations kept apart.

Errors are `{"error": "<clear message>", "code": ...}` and name the field
(docs/whereby-compatibility.md, "Errors").
"""

import re
import uuid
from typing import Any

import pytest

from helpers import PUBLIC_URL, Api, FakeClock, make_api
from salon.app import webhook_policy
from salon.config import Settings, load_settings
from salon.errors import InvalidInput
from salon.ids import MeetingId, ParticipantId
from salon.meetings.model import RoomRole, format_date_time
from salon.rooms.events import RoomEvent, RoomEventType
from salon.rooms.recorder import RoomRecorder
from salon.rooms.state import Participant
from salon.storage.db import Database
from salon.webhooks.destinations import DestinationPolicy

ALL_EVENTS = [
    "room.client.joined", "room.client.left", "room.client.knocked",
    "room.client.knockCancelled", "room.session.started", "room.session.ended",
    "recording.finished", "recording.failed",
    "transcription.started", "transcription.finished", "transcription.failed",
]  # fmt: skip
ENDPOINT_KEYS = ["id", "url", "events", "enabled", "createdAt", "updatedAt"]
DELIVERY_KEYS = ["id", "eventId", "eventType", "endpointId", "status", "attempts",
                 "nextAttemptAt", "lastStatus", "lastError", "lastLatencyMs", "replayOf",
                 "createdAt", "finishedAt"]  # fmt: skip
HOOK = "https://hooks.example.com/salon"


async def call(api: Api, method: str, path: str, status: int, body: Any = None) -> Any:
    answer = await api.client.request(method, path, headers=api.auth, json=body)
    assert answer.status_code == status, answer.text
    return answer.json() if answer.content else None


async def refusals(api: Api, method: str, path: str, cases: list[tuple[Any, str]]) -> list[str]:
    """Each body sent in turn; what did not come back `400` with exactly its message."""
    wrong = []
    for body, message in cases:
        answer = await api.client.request(method, path, headers=api.auth, json=body)
        expected = {"error": message, "code": "invalid_input"}
        if (answer.status_code, answer.json()) != (400, expected):
            wrong.append(f"{body!r}: {answer.status_code} {answer.text}")
    return wrong


async def other_org(api: Api, subdomain: str = "acme") -> Api:
    services = api.app.state.services
    org = await services.orgs.create(subdomain)
    _, key = await services.keys.create(org.org_id, subdomain)
    return Api(api.app, api.client, api.database, api.clock, org.org_id, key)


async def queue_a_join(api: Api) -> None:
    """One visitor joins one of the org's meetings, through the recorder (the outbox path)."""
    made = await call(api, "POST", "/v1/meetings", 201, {"endDate": api.future()})
    meetings = api.app.state.services.meetings
    meeting = (await meetings.get(api.org_id, MeetingId(made["meetingId"]), [])).meeting
    someone = Participant(ParticipantId(str(uuid.uuid4())), "V", RoomRole.VISITOR, api.clock())
    event = RoomEvent(RoomEventType.CLIENT_JOINED, meeting, api.clock(), None,
                      participant=someone, count_by_role={"visitor": 1})  # fmt: skip
    await RoomRecorder(api.database, api.app.state.services.orgs).record(event)


async def test_create_answers_201_with_the_endpoint_and_its_secret(api: Api) -> None:
    made = await call(api, "POST", "/v1/webhooks", 201, {"url": HOOK})
    assert list(made) == [*ENDPOINT_KEYS, "secret"]
    assert re.fullmatch(r"wh_[0-9a-f]{16}", made["id"])
    assert (made["url"], made["events"], made["enabled"]) == (HOOK, ALL_EVENTS, True)
    assert made["createdAt"] == made["updatedAt"] == format_date_time(api.clock())
    assert re.fullmatch(r"whsec_[A-Za-z0-9_-]{40,}", made["secret"])
    again = await call(api, "POST", "/v1/webhooks", 201, {"url": HOOK})
    assert again["id"] != made["id"]
    assert again["secret"] != made["secret"], "each endpoint has its own secret"


async def test_list_hides_secrets_and_get_shows_one(api: Api) -> None:
    first = await call(api, "POST", "/v1/webhooks", 201, {"url": HOOK})
    api.clock.advance(1)
    picked = ["room.session.ended", "room.client.joined"]
    second = await call(api, "POST", "/v1/webhooks", 201, {"url": HOOK + "/2", "events": picked})
    assert second["events"] == picked
    listed = await call(api, "GET", "/v1/webhooks", 200)
    assert list(listed) == ["results"]
    assert [e["id"] for e in listed["results"]] == [first["id"], second["id"]]
    assert all(list(e) == ENDPOINT_KEYS for e in listed["results"])
    shown = await call(api, "GET", f"/v1/webhooks/{first['id']}", 200)
    assert shown == first


async def test_patch_changes_what_it_names_and_keeps_the_rest(api: Api) -> None:
    made = await call(api, "POST", "/v1/webhooks", 201, {"url": HOOK})
    api.clock.advance(5000)
    path = f"/v1/webhooks/{made['id']}"
    changed = await call(api, "PATCH", path, 200, {"enabled": False, "events": ALL_EVENTS[:1]})
    assert list(changed) == ENDPOINT_KEYS, "an update does not show the secret"
    assert (changed["url"], changed["events"], changed["enabled"]) == (HOOK, ALL_EVENTS[:1], False)
    assert (changed["createdAt"], changed["updatedAt"]) == (
        made["createdAt"],
        format_date_time(api.clock()),
    )
    moved = await call(api, "PATCH", path, 200, {"url": HOOK + "/moved", "enabled": True})
    assert (moved["url"], moved["events"], moved["enabled"]) == (
        HOOK + "/moved",
        ALL_EVENTS[:1],
        True,
    )
    assert (await call(api, "GET", path, 200))["secret"] == made["secret"]


async def test_rotate_secret_replaces_it_and_delete_removes_the_endpoint(api: Api) -> None:
    made = await call(api, "POST", "/v1/webhooks", 201, {"url": HOOK})
    path = f"/v1/webhooks/{made['id']}"
    rotated = await call(api, "POST", f"{path}/rotate-secret", 200)
    assert list(rotated) == [*ENDPOINT_KEYS, "secret"]
    assert rotated["secret"] != made["secret"]
    assert (await call(api, "GET", path, 200))["secret"] == rotated["secret"]
    assert await call(api, "DELETE", path, 204) is None
    for method in ("GET", "PATCH", "DELETE"):
        answer = await api.client.request(method, path, headers=api.auth, json={})
        assert answer.status_code == 404
        assert answer.json() == {"error": f"no webhook endpoint with id {made['id']!r}",
                                 "code": "not_found"}  # fmt: skip
    assert (await call(api, "GET", "/v1/webhooks", 200))["results"] == []


CREATE_REFUSALS: list[tuple[Any, str]] = [
    ({}, "url is required"),
    ({"url": 5}, "url must be a string"),
    ({"url": "ftp://example.com/x"}, "url must start with http:// or https://"),
    ({"url": "hooks.example.com/x"}, "url must start with http:// or https://"),
    ({"url": "https://"}, "url is not a valid URL"),
    ({"url": "https://exa mple.com/"}, "url is not a valid URL"),
    ({"url": "http://example.com:99999/"}, "url is not a valid URL"),
    ({"url": "http://example.com:port/"}, "url is not a valid URL"),
    ({"url": PUBLIC_URL + "/v1/meetings"}, "url must not point at this Salon server"),
    ({"url": "http://127.0.0.1:8000/x"}, "url must not point at this Salon server"),
    ({"url": HOOK, "events": "room.client.joined"}, "events must be an array"),
    ({"url": HOOK, "events": [1]}, "events[0] must be a string"),
    ({"url": HOOK, "events": ["room.client.joined", "room.client.exploded"]},
     "unknown event type 'room.client.exploded'; known types: " + ", ".join(ALL_EVENTS)),
    ({"url": HOOK, "events": ["room.client.knockcancelled"]},
     "unknown event type 'room.client.knockcancelled'; known types: " + ", ".join(ALL_EVENTS)),
    ({"url": HOOK, "secret": "mine"}, "secret is not valid"),
    ([HOOK], "request body must be a JSON object"),
]  # fmt: skip


async def test_create_refuses_bad_input_naming_the_field(api: Api) -> None:
    assert await refusals(api, "POST", "/v1/webhooks", CREATE_REFUSALS) == []
    assert (await call(api, "GET", "/v1/webhooks", 200))["results"] == []


async def test_an_empty_event_list_is_refused_rather_than_read_as_every_event(api: Api) -> None:
    """`PATCH` refuses `"events": []`; `POST` must not quietly subscribe to everything."""
    empty = ({"url": HOOK, "events": []}, "events must name at least one event type")
    assert await refusals(api, "POST", "/v1/webhooks", [empty]) == []


PATCH_REFUSALS: list[tuple[Any, str]] = [
    ({"enabled": "no"}, "enabled must be a boolean"),
    ({"events": []}, "events must name at least one event type"),
    ({"events": ["nope"]}, "unknown event type 'nope'; known types: " + ", ".join(ALL_EVENTS)),
    ({"url": "gopher://example.com"}, "url must start with http:// or https://"),
    ({"url": "https://example.com:70000/x"}, "url is not a valid URL"),
    ({"url": PUBLIC_URL}, "url must not point at this Salon server"),
    ({"secret": "mine"}, "secret is not valid"),
]


async def test_patch_refuses_bad_input_and_changes_nothing(api: Api) -> None:
    made = await call(api, "POST", "/v1/webhooks", 201, {"url": HOOK})
    assert await refusals(api, "PATCH", f"/v1/webhooks/{made['id']}", PATCH_REFUSALS) == []
    assert await call(api, "GET", f"/v1/webhooks/{made['id']}", 200) == made


async def test_the_delivery_log_lists_queued_deliveries_newest_first(api: Api) -> None:
    hook = await call(api, "POST", "/v1/webhooks", 201, {"url": HOOK})
    other = await call(api, "POST", "/v1/webhooks", 201, {"url": HOOK + "/other"})
    await queue_a_join(api)
    api.clock.advance(1000)
    await queue_a_join(api)
    log = (await call(api, "GET", "/v1/webhook-deliveries", 200))["results"]
    assert len(log) == 4
    assert all(list(d) == DELIVERY_KEYS for d in log)
    assert [d["createdAt"] for d in log] == [format_date_time(api.clock())] * 2 + [
        format_date_time(api.clock() - 1000)
    ] * 2
    first = log[0]
    assert (first["eventType"], first["status"], first["attempts"]) == (
        "room.client.joined", "pending", 0,
    )  # fmt: skip
    assert first["nextAttemptAt"] == format_date_time(api.clock())
    assert re.fullmatch(r"dl_[0-9a-f]{20}", first["id"])
    assert re.fullmatch(r"[0-9a-f]{64}", first["eventId"])
    only = await call(api, "GET", f"/v1/webhook-deliveries?webhookId={hook['id']}&limit=1", 200)
    assert [d["endpointId"] for d in only["results"]] == [hook["id"]]
    assert only["results"][0]["createdAt"] == format_date_time(api.clock())
    detail = await call(api, "GET", f"/v1/webhook-deliveries/{first['id']}", 200)
    assert detail == {**first, "attempts": []}
    assert {d["endpointId"] for d in log} == {hook["id"], other["id"]}


async def test_the_delivery_log_refuses_bad_queries(api: Api) -> None:
    for query, status, message in [
        ("limit=0", 400, "limit must be at least 1"),
        ("limit=501", 400, "limit must be at most 500"),
        ("limit=ten", 400, "limit must be an integer"),
        ("webhookId=wh_0000000000000000", 404, "no webhook endpoint with id 'wh_0000000000000000'"),
    ]:  # fmt: skip
        answer = await api.client.get(f"/v1/webhook-deliveries?{query}", headers=api.auth)
        assert (answer.status_code, answer.json()["error"]) == (status, message), query


async def test_unknown_deliveries_are_404_for_reading_and_replaying(api: Api) -> None:
    for method, path in [("GET", "/v1/webhook-deliveries/dl_x"),
                         ("POST", "/v1/webhook-deliveries/dl_x/replay")]:  # fmt: skip
        answer = await api.client.request(method, path, headers=api.auth)
        assert answer.status_code == 404
        assert answer.json() == {"error": "no webhook delivery with id 'dl_x'", "code": "not_found"}


async def test_every_route_wants_a_key(api: Api) -> None:
    for method, path in [
        ("GET", "/v1/webhooks"), ("POST", "/v1/webhooks"), ("GET", "/v1/webhooks/wh_x"),
        ("PATCH", "/v1/webhooks/wh_x"), ("DELETE", "/v1/webhooks/wh_x"),
        ("POST", "/v1/webhooks/wh_x/rotate-secret"), ("GET", "/v1/webhook-deliveries"),
        ("GET", "/v1/webhook-deliveries/dl_x"), ("POST", "/v1/webhook-deliveries/dl_x/replay"),
        ("GET", "/v1/webhook-metrics"),
    ]:  # fmt: skip
        answer = await api.client.request(method, path, json={"url": HOOK})
        assert (answer.status_code, answer.json()["code"]) == (401, "unauthorized"), path


async def test_another_organization_cannot_see_or_touch_an_endpoint_or_its_log(api: Api) -> None:
    made = await call(api, "POST", "/v1/webhooks", 201, {"url": HOOK})
    await queue_a_join(api)
    [delivery] = (await call(api, "GET", "/v1/webhook-deliveries", 200))["results"]
    acme = await other_org(api)
    assert (await call(acme, "GET", "/v1/webhooks", 200))["results"] == []
    assert (await call(acme, "GET", "/v1/webhook-deliveries", 200))["results"] == []
    path = f"/v1/webhooks/{made['id']}"
    for method, where, body in [
        ("GET", path, None), ("PATCH", path, {"enabled": False}), ("DELETE", path, None),
        ("POST", f"{path}/rotate-secret", None),
        ("GET", f"/v1/webhook-deliveries?webhookId={made['id']}", None),
        ("GET", f"/v1/webhook-deliveries/{delivery['id']}", None),
        ("POST", f"/v1/webhook-deliveries/{delivery['id']}/replay", None),
    ]:  # fmt: skip
        answer = await acme.client.request(method, where, headers=acme.auth, json=body)
        assert answer.status_code == 404, (method, where)
        assert made["secret"] not in answer.text
    assert await call(api, "GET", path, 200) == made
    assert len((await call(api, "GET", "/v1/webhook-deliveries", 200))["results"]) == 1


async def test_metrics_count_the_callers_deliveries_only(api: Api) -> None:
    await call(api, "POST", "/v1/webhooks", 201, {"url": HOOK})
    await queue_a_join(api)
    await queue_a_join(api)
    mine = await call(api, "GET", "/v1/webhook-metrics", 200)
    assert list(mine) == ["deliveries", "process"]
    assert mine["deliveries"] == {"pending": 2, "delivered": 0, "failed": 0}
    assert list(mine["process"]) == ["delivered", "retried", "failed"]
    acme = await other_org(api)
    theirs = await call(acme, "GET", "/v1/webhook-metrics", 200)
    assert theirs["deliveries"] == {"pending": 0, "delivered": 0, "failed": 0}, (
        "one organization's metrics count another's deliveries"
    )


# --- where endpoints may point (no network allowed beyond the public ones) ----------------------

REFUSED_DESTINATION = (
    "url must point at a public address: loopback, private, link-local, unique-local, shared,"
    " multicast and reserved addresses are refused unless the operator allows their network"
)
INTERNAL_URLS = [
    "http://127.0.0.1:6379/", "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/",
    "http://[fd00::1]/", "http://metadata.google.internal/computeMetadata/v1/",
    "http://[::ffff:127.0.0.1]:9000/v1/meetings", "http://[::ffff:7f00:1]:5432/",
    "http://[::127.0.0.1]/", "http://localhost:6379/", "http://127.1:6379/",
    "http://2130706433:6379/", "http://0.0.0.0:9000/", "http://[::]/", "http://[::1]/",
    "http://100.64.0.1/", "http://192.168.1.1/", "http://172.16.0.1/", "http://[fe80::1]/",
    "http://224.0.0.1/", "http://192.0.2.10/", "http://[2001:db8::1]/", "http://240.0.0.1/",
    "http://[64:ff9b::a00:1]/", "http://redis/", "http://printer.local/",
]  # fmt: skip


async def test_urls_that_reach_inside_the_network_are_refused_at_registration(
    database: Database, clock: FakeClock
) -> None:
    closed = await make_api(database, clock, webhook_allow_networks=None)
    try:
        wrong = await refusals(
            closed,
            "POST",
            "/v1/webhooks",
            [({"url": u}, REFUSED_DESTINATION) for u in INTERNAL_URLS],
        )
        assert wrong == []
        made = await call(closed, "POST", "/v1/webhooks", 201, {"url": HOOK})
        patch = [({"url": url}, REFUSED_DESTINATION) for url in INTERNAL_URLS[:4]]
        assert await refusals(closed, "PATCH", f"/v1/webhooks/{made['id']}", patch) == []
        assert (await call(closed, "GET", f"/v1/webhooks/{made['id']}", 200))["url"] == HOOK
        assert [h["url"] for h in (await call(closed, "GET", "/v1/webhooks", 200))["results"]] == [
            HOOK
        ]
    finally:
        await closed.client.aclose()


async def test_an_allowed_network_is_accepted_and_only_that_one(
    database: Database, clock: FakeClock
) -> None:
    """`--webhook-allow-networks 127.0.0.0/8`, as the tests' receivers need."""
    local = await make_api(database, clock, webhook_allow_networks="127.0.0.0/8, 10.9.0.0/16")
    try:
        for url in ("http://127.0.0.1:9999/hook", "http://[::ffff:127.0.0.2]:9999/",
                    "http://localhost:9999/", "http://10.9.8.7/"):  # fmt: skip
            await call(local, "POST", "/v1/webhooks", 201, {"url": url})
        cases = [({"url": url}, REFUSED_DESTINATION) for url in ("http://10.0.0.1/",
                 "http://169.254.169.254/", "http://[fd00::1]/")]  # fmt: skip
        assert await refusals(local, "POST", "/v1/webhooks", cases) == []
    finally:
        await local.client.aclose()


def test_a_bad_allow_list_stops_the_server_with_a_clear_error() -> None:
    with pytest.raises(InvalidInput) as refused:
        webhook_policy(Settings(webhook_allow_networks="127.0.0.0/8,intranet"))
    assert refused.value.message == (
        "--webhook-allow-networks: 'intranet' is not a network (CIDR such as 127.0.0.0/8)"
    )
    settings = load_settings({}, {"SALON_WEBHOOK_ALLOW_NETWORKS": "10.1.0.0/16"})
    assert webhook_policy(settings) == DestinationPolicy.from_text("10.1.0.0/16")
    assert Settings().webhook_allow_networks is None


# --- the endpoint cap ----------------------------------------------------------------------------


async def test_an_organization_has_at_most_twenty_endpoints(api: Api) -> None:
    for n in range(20):
        await call(api, "POST", "/v1/webhooks", 201, {"url": f"{HOOK}/{n}"})
    answer = await api.client.post("/v1/webhooks", headers=api.auth, json={"url": HOOK})
    assert answer.status_code == 409
    assert answer.json() == {
        "error": "an organization can have at most 20 webhook endpoints; delete one to add another",
        "code": "conflict",
    }
    assert len((await call(api, "GET", "/v1/webhooks", 200))["results"]) == 20
    acme = await other_org(api)  # the cap is each organization's own
    await call(acme, "POST", "/v1/webhooks", 201, {"url": HOOK})
    first = (await call(api, "GET", "/v1/webhooks", 200))["results"][0]
    await call(api, "DELETE", f"/v1/webhooks/{first['id']}", 204)
    await call(api, "POST", "/v1/webhooks", 201, {"url": HOOK})


async def test_the_endpoint_cap_follows_its_flag(database: Database, clock: FakeClock) -> None:
    small = await make_api(database, clock, webhook_max_endpoints=2)
    try:
        for _ in range(2):
            await call(small, "POST", "/v1/webhooks", 201, {"url": HOOK})
        answer = await small.client.post("/v1/webhooks", headers=small.auth, json={"url": HOOK})
        assert (answer.status_code, answer.json()["code"]) == (409, "conflict")
        assert "at most 2 webhook endpoints" in answer.json()["error"]
    finally:
        await small.client.aclose()
