"""The dashboard over HTTP: CSRF refusal, roles, one organization never seeing another's data,
one-time links, the sign-in limit, cookies, and errors shown beside their fields."""

import json
import re

from dashboard_helpers import PASSWORD, Person, browser, field_error, signed_in
from helpers import Api
from salon.accounts.model import SETUP_LINK_TTL_MS, AccountRole
from salon.accounts.throttle import PER_PAIR
from salon.rooms.notices import Frame
from salon.signaling import protocol as p


async def test_setup_from_the_link_then_sign_in(api: Api, people: list[Person]) -> None:
    token = await api.app.state.services.accounts.create_setup_link(api.org_id)
    ada = await browser(api, people)
    page = await ada.get(f"/dashboard/setup/{token}")
    assert page.status_code == 200
    cookie = page.headers["set-cookie"]
    assert "salon_presession=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" in cookie  # the public URL is https

    refused = await ada.post(f"/dashboard/setup/{token}", email="ada@", password="x", confirm="y")
    assert refused.status_code == 400
    assert (
        field_error(refused.text, "f-email") == "Enter an e-mail address such as ada@example.com."
    )
    assert field_error(refused.text, "f-password") == "Use at least 10 characters."
    mismatch = await ada.post(
        f"/dashboard/setup/{token}", email="ada@example.com", password=PASSWORD, confirm="other"
    )
    assert field_error(mismatch.text, "f-confirm") == "The two passwords differ."

    done = await ada.post(
        f"/dashboard/setup/{token}", email="ada@example.com", password=PASSWORD, confirm=PASSWORD
    )
    assert done.status_code == 303
    session = done.headers["set-cookie"]
    assert "salon_session=" in session
    assert "HttpOnly" in session
    assert "Path=/" in session
    assert (await ada.get("/dashboard/keys")).status_code == 200

    again = await browser(api, people)
    used = await again.get(f"/dashboard/setup/{token}")
    assert used.status_code == 410
    assert "used already" in used.text


async def test_an_expired_setup_link_is_refused(api: Api, people: list[Person]) -> None:
    token = await api.app.state.services.accounts.create_setup_link(api.org_id)
    api.clock.advance(SETUP_LINK_TTL_MS)
    page = await (await browser(api, people)).get(f"/dashboard/setup/{token}")
    assert page.status_code == 410
    assert "expired" in page.text


async def test_requests_without_a_valid_csrf_token_are_refused(
    api: Api, people: list[Person]
) -> None:
    ada = await signed_in(api, people, "ada@example.com")
    for csrf in ("", "0" * 64):
        refused = await ada.post("/dashboard/keys", csrf=csrf, name="sneaky")
        assert refused.status_code == 403
        assert "This form has expired" in refused.text
    other_site = await ada.client.post(
        "/dashboard/keys",
        data={"csrf": ada.csrf, "name": "sneaky"},
        headers={"Origin": "https://evil.example"},
    )
    assert other_site.status_code == 403
    assert await api.app.state.services.keys.list_keys(api.org_id) != []  # only the test's key
    assert [k.name for k in await api.app.state.services.keys.list_keys(api.org_id)] == ["test"]

    # Sign-in itself needs the pre-session token.
    fresh = await browser(api, people)
    await fresh.get("/dashboard/sign-in")
    refused = await fresh.post(
        "/dashboard/sign-in", csrf="nope", email="ada@example.com", password=PASSWORD
    )
    assert refused.status_code == 403


async def test_members_cannot_reach_owner_pages_or_actions(api: Api, people: list[Person]) -> None:
    bob = await signed_in(api, people, "bob@example.com", AccountRole.MEMBER)
    for path in (
        "/dashboard/keys",
        "/dashboard/domains",
        "/dashboard/webhooks",
        "/dashboard/members",
    ):
        page = await bob.get(path)
        assert page.status_code == 403
        assert "Owners only" in page.text, path
    for path, fields in (
        ("/dashboard/keys", {"name": "mine"}),
        ("/dashboard/domains", {"origin": "https://app.example.com"}),
        ("/dashboard/webhooks", {"url": "https://example.com/hook"}),
        ("/dashboard/members/invite", {"email": "eve@example.com", "role": "owner"}),
    ):
        refused = await bob.post(path, **fields)
        assert refused.status_code == 403, path
    assert await api.app.state.services.orgs.allowed_domains(api.org_id) == []
    assert (await bob.get("/dashboard/meetings")).status_code == 200
    assert (await bob.get("/dashboard/live")).status_code == 200
    meetings = (await bob.get("/dashboard/meetings")).text
    assert 'href="/dashboard/keys"' not in meetings


async def test_signed_out_pages_go_to_sign_in(api: Api, people: list[Person]) -> None:
    anyone = await browser(api, people)
    page = await anyone.client.get("/dashboard/keys")
    assert page.status_code == 303
    assert page.headers["location"] == "/dashboard/sign-in?next=/dashboard/keys"
    refused = await anyone.post("/dashboard/keys", name="x")
    assert refused.status_code == 401


async def test_one_organization_never_sees_anothers_data(api: Api, people: list[Person]) -> None:
    services = api.app.state.services
    other = await services.orgs.create("other")
    other_key, _ = await services.keys.create(other.org_id, "their key")
    hook = await api.app.state.services.webhooks.create(other.org_id, "https://example.com/h", None)
    eve = await signed_in(api, people, "eve@example.com", org=other.org_id)
    ada = await signed_in(api, people, "ada@example.com")

    keys_page = (await ada.get("/dashboard/keys")).text
    assert other_key.key_id not in keys_page
    assert (await ada.get(f"/dashboard/webhooks/{hook.id}")).status_code == 404
    assert (await ada.post(f"/dashboard/keys/{other_key.key_id}/delete")).status_code == 404
    assert (await ada.post(f"/dashboard/webhooks/{hook.id}/reveal")).status_code == 404
    [eve_id] = await api.app.state.services.accounts.list_accounts(other.org_id)
    assert (await ada.post(f"/dashboard/members/{eve_id.account_id}/remove")).status_code == 404
    assert "eve@example.com" not in (await ada.get("/dashboard/members")).text
    assert [k.key_id for k in await services.keys.list_keys(other.org_id)] == [other_key.key_id]
    assert "their key" in (await eve.get("/dashboard/keys")).text


async def test_invitation_link_works_once(api: Api, people: list[Person]) -> None:
    ada = await signed_in(api, people, "ada@example.com")
    bad = await ada.post("/dashboard/members/invite", email="not an address", role="member")
    assert bad.status_code == 400
    assert field_error(bad.text, "f-email").startswith("Enter an e-mail address")
    made = await ada.post("/dashboard/members/invite", email="bob@example.com", role="member")
    assert made.status_code == 201
    link = re.search(r"https://meet\.example\.test(/dashboard/invite/[\w-]+)", made.text)
    assert link
    bob = await browser(api, people)
    page = await bob.get(link.group(1))
    assert "bob@example.com" in page.text
    assert "as member" in page.text
    joined = await bob.post(link.group(1), password=PASSWORD, confirm=PASSWORD)
    assert joined.status_code == 303
    assert "bob@example.com" in (await bob.get("/dashboard/meetings")).text
    late = await browser(api, people)
    assert (await late.get(link.group(1))).status_code == 410


async def test_sign_in_is_limited_and_says_so(api: Api, people: list[Person]) -> None:
    await api.app.state.services.accounts.create_account(
        api.org_id, "ada@example.com", AccountRole.OWNER, PASSWORD
    )
    guesser = await browser(api, people)
    await guesser.get("/dashboard/sign-in")
    for _ in range(PER_PAIR):
        wrong = await guesser.post(
            "/dashboard/sign-in", email="ada@example.com", password="guess guess"
        )
        assert wrong.status_code == 401
        assert "do not match an account" in wrong.text
    limited = await guesser.post("/dashboard/sign-in", email="ada@example.com", password=PASSWORD)
    assert limited.status_code == 429
    assert "Too many sign-in attempts; try again in 15 minutes" in limited.text
    assert int(limited.headers["retry-after"]) > 0


async def test_a_guesser_elsewhere_does_not_lock_the_owner_out(
    api: Api, people: list[Person]
) -> None:
    """Counted by client address (an IPv6 client by its /64): the guesser's place is stopped,
    the owner at theirs signs in."""
    await api.app.state.services.accounts.create_account(
        api.org_id, "ada@example.com", AccountRole.OWNER, PASSWORD
    )
    for n in range(PER_PAIR):
        guesser = await browser(api, people, f"2001:db8:5:5::{n + 1}")
        await guesser.get("/dashboard/sign-in")
        wrong = await guesser.post(
            "/dashboard/sign-in", email="ada@example.com", password="guess guess"
        )
        assert wrong.status_code == 401
    neighbour = await browser(api, people, "2001:db8:5:5::99")
    await neighbour.get("/dashboard/sign-in")
    stopped = await neighbour.post("/dashboard/sign-in", email="ada@example.com", password=PASSWORD)
    assert stopped.status_code == 429
    owner = await browser(api, people)
    await owner.get("/dashboard/sign-in")
    signed = await owner.post("/dashboard/sign-in", email="ada@example.com", password=PASSWORD)
    assert signed.status_code == 303


async def test_sign_out_everywhere(api: Api, people: list[Person]) -> None:
    first = await signed_in(api, people, "ada@example.com")
    second = await browser(api, people)
    await second.get("/dashboard/sign-in")
    await second.post("/dashboard/sign-in", email="ada@example.com", password=PASSWORD)
    assert (await second.get("/dashboard/meetings")).status_code == 200
    out = await first.post("/dashboard/sign-out-everywhere")
    assert out.status_code == 303
    assert (await second.client.get("/dashboard/meetings")).status_code == 303


async def test_forms_show_errors_beside_their_fields(api: Api, people: list[Person]) -> None:
    ada = await signed_in(api, people, "ada@example.com")
    await ada.get("/dashboard/keys")
    key = await ada.post("/dashboard/keys", name="   ")
    assert key.status_code == 400
    assert field_error(key.text, "f-name") == "Name must not be empty."
    await ada.get("/dashboard/domains")
    domain = await ada.post("/dashboard/domains", origin="app.example.com/path")
    assert domain.status_code == 400
    assert field_error(domain.text, "f-origin").startswith("An allowed domain reads https://host")
    hook = await ada.post(
        "/dashboard/webhooks", url="ftp://example.com", events="room.client.joined"
    )
    assert field_error(hook.text, "f-url") == "Url must start with http:// or https://."
    none = await ada.post("/dashboard/webhooks", url="https://example.com/h")
    assert field_error(none.text, "f-events") == "Events must name at least one event type."
    meeting = await ada.post("/dashboard/meetings", endDate="2000-01-01T00:00")
    assert field_error(meeting.text, "f-endDate") == "EndDate must not be in the past."


async def test_a_signed_in_member_joins_the_orgs_rooms_as_member(api: Api) -> None:
    """The room socket's resolver: same origin and a live session of the room's organization."""
    accounts = api.app.state.services.accounts
    bob = await accounts.create_account(api.org_id, "bob@example.com", AccountRole.MEMBER, PASSWORD)
    token = await accounts.open_session(bob.account_id)
    resolve = api.app.state.services.signed_in_member
    cookies = {"salon_session": token}
    member = await resolve(cookies, "https://salon.test", "salon.test")
    assert member is not None
    assert member.role.value == "member"
    assert await resolve(cookies, "https://evil.example", "salon.test") is None
    assert await resolve(cookies, None, "salon.test") is None
    assert await resolve({"salon_session": "forged"}, "https://salon.test", "salon.test") is None

    created = await api.client.post(
        "/v1/meetings", headers=api.auth, json={"endDate": api.future()}
    )
    room = created.json()["roomName"]

    class Client:
        def __init__(self) -> None:
            self.sent: list[dict[str, object]] = []

        def send(self, frame: Frame) -> None:
            self.sent.append(json.loads(frame.text))

        def close(self, *_: object) -> None:
            pass

    joined = Client()
    frame = p.parse(f'{{"type":"join","v":1,"room":"{room}","displayName":"Bob"}}')
    seat = await api.app.state.services.rooms.join(joined, frame, member)
    assert seat.role.value == "member"
    assert joined.sent[0]["role"] == "member"
    [live] = api.app.state.services.rooms.live_rooms(api.org_id)
    assert [p.role.value for p in live.state.participants.values()] == ["member"]


async def test_members_create_and_delete_meetings(api: Api, people: list[Person]) -> None:
    bob = await signed_in(api, people, "bob@example.com", AccountRole.MEMBER)
    made = await bob.post("/dashboard/meetings", endDate="2099-01-01T10:00", roomNamePrefix="Team")
    assert made.status_code == 303
    listed = await api.client.get("/v1/meetings", headers=api.auth)
    [meeting] = listed.json()["results"]
    assert meeting["roomName"].startswith("/team")
    assert meeting["endDate"] == "2099-01-01T10:00:00.000Z"
    page = (await bob.get("/dashboard/meetings")).text
    assert meeting["roomName"] in page
    assert "?roomKey=" in page  # open as host
    gone = await bob.post(f"/dashboard/meetings/{meeting['meetingId']}/delete")
    assert gone.status_code == 303
    assert (await api.client.get("/v1/meetings", headers=api.auth)).json()["results"] == []


async def test_meetings_and_live_rooms_stay_in_their_organization(
    api: Api, people: list[Person]
) -> None:
    services = api.app.state.services
    other = await services.orgs.create("other")
    _, other_key = await services.keys.create(other.org_id, "theirs")
    theirs = await api.client.post(
        "/v1/meetings",
        headers={"Authorization": f"Bearer {other_key}"},
        json={"endDate": api.future()},
    )
    room = theirs.json()["roomName"]

    class Quiet:
        def send(self, frame: Frame) -> None:
            pass

        def close(self, *_: object) -> None:
            pass

    frame = p.parse(f'{{"type":"join","v":1,"room":"{room}","displayName":"Their guest"}}')
    await api.app.state.services.rooms.join(Quiet(), frame)
    ada = await signed_in(api, people, "ada@example.com")
    assert room not in (await ada.get("/dashboard/meetings")).text
    live = await ada.client.get("/dashboard/live.json")
    assert live.json()["rooms"] == []
    assert "Their guest" not in (await ada.get("/dashboard/live")).text
    await ada.post(f"/dashboard/meetings/{theirs.json()['meetingId']}/delete")
    still = await services.meetings.active_meeting(room)
    assert still is not None

    eve = await signed_in(api, people, "eve@example.com", org=other.org_id)
    [seen] = (await eve.client.get("/dashboard/live.json")).json()["rooms"]
    assert seen["roomName"] == room
    assert [(x["displayName"], x["role"]) for x in seen["participants"]] == [
        ("Their guest", "visitor")
    ]
