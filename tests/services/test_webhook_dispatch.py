"""The webhook dispatcher against a real HTTP receiver on loopback, on SQLite and PostgreSQL.

Room events come from the rooms service (fake clients) or the recorder, so deliveries take the
real outbox path; a `Dispatcher` of the test's own sends them with a real HTTP client (`Sender`),
on the test's fake clock, so retries come due only when the test moves the clock. Every body the
receiver gets is checked with the published helper, `salon.webhooks.verify`. Expected values
come from Whereby's webhook documents as docs/whereby-compatibility.md reads them ("Time window",
"Webhooks"), not from the code.
"""

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator

import pytest

from helpers import Api
from salon.clock import MS_PER_HOUR, MS_PER_MINUTE
from salon.meetings.model import format_date_time
from salon.rooms.recorder import RoomRecorder
from salon.storage import webhooks as rows
from salon.storage.db import UniqueViolation
from salon.webhooks import HEADER, InvalidSignature, verify
from salon.webhooks.dispatcher import LEASE_MS
from salon.webhooks.model import RetryPolicy
from webhook_helpers import (
    Rig,
    Step,
    open_rig,
    opened,
    pump,
    until,
    until_count,
    visitor_joined,
)

WIRE_DATE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")
EXAMPLE_ORDER = [  # Whereby's example event, in its order
    "roleName", "displayName", "meetingId", "roomName", "subdomain", "numClients",
    "numClientsByRoleName", "metadata", "externalId",
]  # fmt: skip
CLIENT_KEYS = {*EXAMPLE_ORDER, "participantId", "roomSessionId", "isDialIn"}
KNOCK_KEYS = {"displayName", "meetingId", "roomName", "subdomain", "participantId",
              "roomSessionId", "metadata", "externalId"}  # fmt: skip
SESSION_KEYS = {"meetingId", "roomName", "subdomain", "roomSessionId"}


@pytest.fixture
async def rig(api: Api) -> AsyncIterator[Rig]:
    async with open_rig(api) as made:
        yield made


async def test_every_room_event_arrives_signed_with_the_exact_fields(rig: Rig) -> None:
    hook = await rig.endpoint("/all", [200])
    meeting = await rig.meeting(isLocked=True)
    clock = rig.api.clock
    host = await rig.join(meeting, host=True, displayName='Åsa "Host" 🎥',
                          externalId="ext-1", metadata='{"crm":42}')  # fmt: skip
    clock.advance(1000)
    guest = await rig.join(meeting, displayName="Guest Knocker")
    await rig.send(guest, type="knock")
    clock.advance(1000)
    await rig.send(guest, type="cancel-knock")
    clock.advance(60_000)  # a knocker's knock webhooks go out once a minute
    await rig.send(guest, type="knock")
    clock.advance(1000)
    await rig.send(host, type="admit", participantId=guest.participant_id)
    clock.advance(1000)
    await rig.send(guest, type="leave")
    clock.advance(1000)
    await rig.send(host, type="end-meeting")
    await pump(rig.dispatcher())

    events = sorted(
        (opened(r, hook["secret"]) for r in rig.receiver.at("/all")),
        key=lambda e: (e["createdAt"], e["type"].startswith("room.session")),
    )
    assert [e["type"] for e in events] == [
        "room.client.joined", "room.client.knocked", "room.client.knockCancelled",
        "room.client.knocked", "room.client.joined", "room.session.started",
        "room.client.left", "room.client.left", "room.session.ended",
    ]  # fmt: skip
    assert len({e["id"] for e in events}) == len(events)
    session = events[5]["data"]["roomSessionId"]
    assert isinstance(session, str)
    assert session
    for event in events:
        assert list(event) == ["id", "apiVersion", "createdAt", "type", "data"]
        assert re.fullmatch(r"[0-9a-f]{64}", event["id"])
        assert event["apiVersion"] == "1.0"
        assert WIRE_DATE.fullmatch(event["createdAt"])
        data = event["data"]
        assert data["meetingId"] == meeting["meetingId"]
        assert data["roomName"] == meeting["roomName"]
        assert data["subdomain"] == "default"
        assert data["roomSessionId"] in (None, session)
    host_id, guest_id = host.participant_id, guest.participant_id
    expected_people = [  # (participantId, roleName, displayName, externalId, metadata, counts)
        (host_id, "host", 'Åsa "Host" 🎥', "ext-1", '{"crm":42}', {"host": 1}),
        (guest_id, None, "Guest Knocker", None, None, None),
        (guest_id, None, "Guest Knocker", None, None, None),
        (guest_id, None, "Guest Knocker", None, None, None),
        (guest_id, "granted_visitor", "Guest Knocker", None, None,
         {"host": 1, "granted_visitor": 1}),
        (guest_id, "granted_visitor", "Guest Knocker", None, None, {"host": 1}),
        (host_id, "host", 'Åsa "Host" 🎥', "ext-1", '{"crm":42}', {}),
    ]  # fmt: skip
    people = [e["data"] for e in events if e["type"].startswith("room.client.")]
    for data, (who, role, name, external, metadata, counts) in zip(
        people, expected_people, strict=True
    ):
        assert (data["participantId"], data["displayName"]) == (who, name)
        assert (data["externalId"], data["metadata"]) == (external, metadata)
        if role is None or counts is None:
            assert set(data) == KNOCK_KEYS
            continue
        assert list(data)[: len(EXAMPLE_ORDER)] == EXAMPLE_ORDER
        assert set(data) == CLIENT_KEYS
        assert data["roleName"] == role
        assert data["numClientsByRoleName"] == counts
        assert type(data["numClients"]) is int
        assert data["numClients"] == sum(counts.values())
        assert data["isDialIn"] is False
    assert people[0]["roomSessionId"] is None
    assert [e["data"]["roomSessionId"] for e in events[4:]] == [session] * 5
    for event in (events[5], events[8]):
        assert set(event["data"]) == SESSION_KEYS
    for delivery in await rig.deliveries(hook):
        assert (delivery["status"], delivery["attempts"], delivery["lastStatus"]) == (
            "delivered", 1, 200,
        )  # fmt: skip


async def test_a_receiver_answering_500_twice_gets_the_event_on_the_third_attempt(
    rig: Rig,
) -> None:
    hook = await rig.endpoint("/flaky", [500, 503, 200])
    await rig.join(await rig.meeting())
    dispatcher = rig.dispatcher()
    for attempt, delay_ms in ((1, 20), (2, 40)):
        await pump(dispatcher)
        [delivery] = await rig.deliveries(hook)
        assert (delivery["status"], delivery["attempts"]) == ("pending", attempt)
        assert delivery["nextAttemptAt"] == format_date_time(rig.api.clock() + delay_ms)
        rig.api.clock.advance(delay_ms - 1)
        assert await dispatcher.claim_and_send() == 0, "sent before its backoff was over"
        rig.api.clock.advance(1)
    await pump(dispatcher)
    received = rig.receiver.at("/flaky")
    assert len(received) == 3
    assert len({r.body for r in received}) == 1
    assert [opened(r, hook["secret"])["type"] for r in received] == ["room.client.joined"] * 3
    [delivery] = await rig.deliveries(hook)
    log = await rig.call("GET", f"/v1/webhook-deliveries/{delivery['id']}", 200)
    attempts = log["attempts"]  # the detail view lists them; the log view counts them
    assert (log["status"], len(attempts), log["nextAttemptAt"]) == ("delivered", 3, None)
    assert [a["number"] for a in attempts] == [1, 2, 3]
    assert all(WIRE_DATE.fullmatch(a["at"]) for a in attempts)  # ISO times under /v1
    assert [a["status"] for a in attempts] == [500, 503, 200]
    assert [a["error"] for a in attempts] == ["HTTP 500", "HTTP 503", None]
    assert all(type(a["latencyMs"]) is int and 0 <= a["latencyMs"] < 2000 for a in attempts)
    assert attempts[2]["response"] == '{"ok":true}'
    counters = dispatcher.counters
    assert (counters.delivered, counters.retried, counters.failed) == (1, 2, 0)


async def test_five_xx_every_time_fails_after_two_retries(rig: Rig) -> None:
    hook = await rig.endpoint("/down", [502])
    await rig.join(await rig.meeting())
    dispatcher = rig.dispatcher()
    for _ in range(5):
        await pump(dispatcher)
        rig.api.clock.advance(MS_PER_MINUTE)
    assert rig.receiver.count("/down") == 3
    [delivery] = await rig.deliveries(hook)
    assert (delivery["status"], delivery["attempts"], delivery["lastError"]) == (
        "failed", 3, "HTTP 502",
    )  # fmt: skip
    counters = dispatcher.counters
    assert (counters.delivered, counters.retried, counters.failed) == (0, 2, 1)


@pytest.mark.parametrize("answer", [400, 404, 429, (307, "/target"), (301, "/target")])
async def test_a_4xx_or_a_redirect_costs_one_attempt_and_is_not_retried(
    rig: Rig, answer: Step
) -> None:
    hook = await rig.endpoint("/final", [answer])
    await rig.join(await rig.meeting())
    for _ in range(3):
        await pump(rig.dispatcher())
        rig.api.clock.advance(MS_PER_MINUTE)
    assert rig.receiver.count("/final") == 1
    assert rig.receiver.count("/target") == 0, "a redirect was followed"
    [delivery] = await rig.deliveries(hook)
    status = answer[0] if isinstance(answer, tuple) else answer
    assert (delivery["status"], delivery["attempts"]) == ("failed", 1)
    assert (delivery["lastStatus"], delivery["lastError"]) == (status, f"HTTP {status}")


async def test_a_hanging_endpoint_does_not_delay_a_healthy_one_of_the_same_org(
    rig: Rig,
) -> None:
    stuck = await rig.endpoint("/hang", ["hang"])
    healthy = await rig.endpoint("/healthy", [200])
    meeting = await rig.meeting()
    policy = RetryPolicy(retries=0, timeout_s=3.0)
    dispatcher = rig.dispatcher(policy)
    recorder = RoomRecorder(rig.api.database, rig.api.app.state.services.orgs, dispatcher.wake)
    running = asyncio.create_task(dispatcher.run())
    try:
        for n in range(1, 6):
            queued_at = time.time()
            await recorder.record(await visitor_joined(rig, meeting))
            await until_count(rig.receiver, "/healthy", n, within_s=1.5)
            assert rig.receiver.at("/healthy")[-1].at - queued_at < 1.5
        # All five arrived while the stuck endpoint's attempts were still in flight.
        assert dispatcher.counters.failed == 0
        assert 1 <= rig.receiver.count("/hang") <= 5
        await until(lambda: dispatcher.counters.failed == 5, within_s=policy.timeout_s + 4)
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    assert dispatcher.counters.delivered == 5
    for delivery in await rig.deliveries(stuck):
        log = await rig.call("GET", f"/v1/webhook-deliveries/{delivery['id']}", 200)
        [attempt] = log["attempts"]
        assert (attempt["status"], attempt["error"]) == (None, "timed out")
        assert policy.timeout_s * 1000 <= attempt["latencyMs"] < policy.timeout_s * 1000 + 1500
    assert [d["status"] for d in await rig.deliveries(healthy)] == ["delivered"] * 5


async def test_a_lease_left_by_a_dead_dispatcher_is_taken_over_after_it_expires(
    rig: Rig,
) -> None:
    hook = await rig.endpoint("/late", [200])
    await rig.join(await rig.meeting())
    db, clock = rig.api.database, rig.api.clock
    async with db.transaction() as tx:  # a dispatcher claims it, then its process dies
        assert len(await rows.claim_due(tx, db.dialect, hook["id"], clock(), LEASE_MS, 10)) == 1
    dispatcher = rig.dispatcher()
    clock.advance(LEASE_MS)
    assert await dispatcher.claim_and_send() == 0, "taken while another process held it"
    clock.advance(1)
    await pump(dispatcher)
    [received] = rig.receiver.at("/late")
    assert opened(received, hook["secret"])["type"] == "room.client.joined"
    [delivery] = await rig.deliveries(hook)
    assert (delivery["status"], delivery["attempts"]) == ("delivered", 1)


async def test_events_outside_the_time_window_are_not_sent(rig: Rig) -> None:
    """The window runs from startDate - 1 h to endDate + 1 h ("Time window")."""
    hook = await rig.endpoint("/window", [200])
    start = rig.api.future(hours=3)
    meeting = await rig.meeting(startDate=start, endDate=rig.api.future(hours=4))
    clock, dispatcher = rig.api.clock, rig.dispatcher()
    early = await rig.join(meeting)  # 3 h before the start
    clock.advance(2 * MS_PER_HOUR - MS_PER_MINUTE)
    await rig.send(early, type="leave")  # 1 h 1 min before the start
    await pump(dispatcher)
    assert await rig.deliveries(hook) == []
    clock.advance(2 * MS_PER_MINUTE)  # 59 min before the start: inside
    inside = await rig.join(meeting)
    clock.advance(3 * MS_PER_HOUR - 2 * MS_PER_MINUTE)  # 59 min after the end
    await rig.send(inside, type="leave")
    clock.advance(2 * MS_PER_MINUTE)  # 1 h 1 min after the end: outside again
    late = await rig.join(meeting)
    await rig.send(late, type="leave")
    await pump(dispatcher)
    events = [opened(r, hook["secret"]) for r in rig.receiver.at("/window")]
    assert sorted((e["type"], e["data"]["participantId"]) for e in events) == [
        ("room.client.joined", inside.participant_id),
        ("room.client.left", inside.participant_id),
    ]


async def test_two_organizations_never_see_each_others_events(rig: Rig, api: Api) -> None:
    services = api.app.state.services
    acme = await services.orgs.create("acme")
    _, acme_key = await services.keys.create(acme.org_id, "acme")
    acme_api = Api(api.app, api.client, api.database, api.clock, acme.org_id, acme_key)
    acme_rig = Rig(acme_api, rig.receiver, rig.sender)
    home_hook = await rig.endpoint("/home", [200])
    acme_hook = await acme_rig.endpoint("/acme", [200])
    home = await rig.join(await rig.meeting(), displayName="Home")
    away = await acme_rig.join(await acme_rig.meeting(), displayName="Acme")
    await pump(rig.dispatcher())
    [at_home] = [opened(r, home_hook["secret"]) for r in rig.receiver.at("/home")]
    [at_acme] = [opened(r, acme_hook["secret"]) for r in rig.receiver.at("/acme")]
    assert (at_home["data"]["subdomain"], at_home["data"]["participantId"]) == (
        "default", home.participant_id,
    )  # fmt: skip
    assert (at_acme["data"]["subdomain"], at_acme["data"]["participantId"]) == (
        "acme", away.participant_id,
    )  # fmt: skip
    home_log = (await rig.call("GET", "/v1/webhook-deliveries", 200))["results"]
    acme_log = (await acme_rig.call("GET", "/v1/webhook-deliveries", 200))["results"]
    assert [d["eventId"] for d in home_log] == [at_home["id"]]
    assert [d["eventId"] for d in acme_log] == [at_acme["id"]]
    await acme_rig.call("GET", f"/v1/webhook-deliveries/{home_log[0]['id']}", 404)
    await acme_rig.call("POST", f"/v1/webhook-deliveries/{home_log[0]['id']}/replay", 404)


async def test_filters_and_disabled_endpoints_are_respected(rig: Rig) -> None:
    everything = await rig.endpoint("/everything", [200])
    await rig.endpoint("/joins", [200], events=["room.client.joined"])
    off = await rig.endpoint("/off", [200])
    await rig.call("PATCH", f"/v1/webhooks/{off['id']}", 200, enabled=False)
    meeting = await rig.meeting()
    await rig.send(await rig.join(meeting), type="leave")
    await pump(rig.dispatcher())
    kinds = sorted(opened(r, everything["secret"])["type"] for r in rig.receiver.at("/everything"))
    assert kinds == ["room.client.joined", "room.client.left"]
    assert [json.loads(r.body)["type"] for r in rig.receiver.at("/joins")] == ["room.client.joined"]
    assert rig.receiver.count("/off") == 0
    await rig.call("PATCH", f"/v1/webhooks/{off['id']}", 200, enabled=True)
    await rig.join(meeting)
    await pump(rig.dispatcher())
    assert rig.receiver.count("/off") == 1


async def test_deleting_an_endpoint_fails_its_waiting_deliveries(rig: Rig) -> None:
    hook = await rig.endpoint("/deleted-later", [200])
    await rig.join(await rig.meeting())
    await rig.call("DELETE", f"/v1/webhooks/{hook['id']}", 204)
    await pump(rig.dispatcher())
    assert rig.receiver.count("/deleted-later") == 0
    listed = await rig.call("GET", "/v1/webhook-deliveries", 200)
    mine = [d for d in listed["results"] if d["endpointId"] == hook["id"]]
    assert mine
    assert {(d["status"], d["lastError"]) for d in mine} == {("failed", "endpoint deleted")}


async def test_an_endpoint_disabled_while_its_deliveries_wait_gets_none_of_them(
    rig: Rig,
) -> None:
    hook = await rig.endpoint("/disabled-later", [200])
    await rig.join(await rig.meeting())
    await rig.call("PATCH", f"/v1/webhooks/{hook['id']}", 200, enabled=False)
    await pump(rig.dispatcher())
    assert rig.receiver.count("/disabled-later") == 0, "a disabled endpoint was sent a delivery"


async def test_replay_sends_the_same_event_again_as_a_new_delivery(rig: Rig) -> None:
    hook = await rig.endpoint("/replayed", [200])
    await rig.join(await rig.meeting())
    dispatcher = rig.dispatcher()
    await pump(dispatcher)
    [original] = await rig.deliveries(hook)
    replay = await rig.call("POST", f"/v1/webhook-deliveries/{original['id']}/replay", 201)
    assert replay["id"] != original["id"]
    assert (replay["eventId"], replay["replayOf"]) == (original["eventId"], original["id"])
    assert (replay["status"], replay["attempts"]) == ("pending", [])
    await pump(dispatcher)
    first, second = rig.receiver.at("/replayed")
    assert first.body == second.body
    assert opened(second, hook["secret"])["id"] == original["eventId"]
    statuses = {d["id"]: d["status"] for d in await rig.deliveries(hook)}
    assert statuses == {original["id"]: "delivered", replay["id"]: "delivered"}


async def test_rotating_the_secret_signs_later_deliveries_with_the_new_one(rig: Rig) -> None:
    hook = await rig.endpoint("/rotated", [200], events=["room.client.joined"])
    meeting = await rig.meeting()
    await rig.join(meeting)
    await pump(rig.dispatcher())
    rotated = await rig.call("POST", f"/v1/webhooks/{hook['id']}/rotate-secret", 200)
    assert rotated["secret"] != hook["secret"]
    await rig.join(meeting)
    await pump(rig.dispatcher())
    before, after = rig.receiver.at("/rotated")
    opened(before, hook["secret"])
    opened(after, rotated["secret"])
    with pytest.raises(InvalidSignature):
        verify(after.body, after.headers[HEADER.lower()], hook["secret"])


async def test_an_event_and_its_deliveries_commit_with_the_room_record_or_not_at_all(
    rig: Rig,
) -> None:
    hook = await rig.endpoint("/atomic", [200])
    event = await visitor_joined(rig, await rig.meeting())
    recorder = RoomRecorder(rig.api.database, rig.api.app.state.services.orgs)
    await recorder.record(event)
    with pytest.raises(UniqueViolation):  # the same participant again: the history write fails
        await recorder.record(event)
    assert len(await rig.deliveries(hook)) == 1
