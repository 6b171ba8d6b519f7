"""Passwords in the dashboard: changing your own ends your other sessions and keeps this one; an
owner's reset link sets a member's new password once and ends all of that member's sessions."""

import re

import httpx

from dashboard_helpers import PASSWORD, Person, browser, field_error, signed_in
from helpers import Api
from salon.accounts.model import RESET_LINK_TTL_MS, AccountRole
from salon.accounts.throttle import PER_PAIR

NEW_PASSWORD = "a brand new phrase"
RESET_LINK = re.compile(r"https://meet\.example\.test(/dashboard/reset/[\w-]+)")


async def sign_in(api: Api, people: list[Person], email: str, password: str) -> Person:
    person = await browser(api, people)
    await person.get("/dashboard/sign-in")
    await person.post("/dashboard/sign-in", email=email, password=password)
    return person


async def change(
    person: Person, current: str, password: str, confirm: str | None = None
) -> httpx.Response:
    return await person.post(
        "/dashboard/account/password",
        current=current,
        password=password,
        confirm=password if confirm is None else confirm,
    )


async def test_changing_my_password_ends_my_other_sessions_and_keeps_this_one(
    api: Api, people: list[Person]
) -> None:
    here = await signed_in(api, people, "ada@example.com")
    elsewhere = await sign_in(api, people, "ada@example.com", PASSWORD)
    assert (await elsewhere.client.get("/dashboard/meetings")).status_code == 200

    form = await here.get("/dashboard/account/password")
    assert form.status_code == 200
    assert 'autocomplete="current-password"' in form.text
    wrong = await change(here, "not my password", NEW_PASSWORD)
    assert wrong.status_code == 400
    assert field_error(wrong.text, "f-current") == "That is not your current password."
    weak = await change(here, PASSWORD, "short")
    assert field_error(weak.text, "f-password") == "Use at least 10 characters."
    differ = await change(here, PASSWORD, NEW_PASSWORD, "other")
    assert field_error(differ.text, "f-confirm") == "The two passwords differ."

    done = await change(here, PASSWORD, NEW_PASSWORD)
    assert done.status_code == 303
    assert done.headers["location"] == "/dashboard/account/password?ended=1"
    shown = await here.get(done.headers["location"])
    assert "Password changed; 1 other session ended." in shown.text
    assert (await here.client.get("/dashboard/meetings")).status_code == 200
    assert (await elsewhere.client.get("/dashboard/meetings")).status_code == 303

    old = await sign_in(api, people, "ada@example.com", PASSWORD)
    assert (await old.client.get("/dashboard/meetings")).status_code == 303
    new = await sign_in(api, people, "ada@example.com", NEW_PASSWORD)
    assert (await new.client.get("/dashboard/meetings")).status_code == 200


async def test_guessing_the_current_password_is_limited(api: Api, people: list[Person]) -> None:
    """A session left open somewhere must not become a way to guess the password freely."""
    ada = await signed_in(api, people, "ada@example.com")
    await ada.get("/dashboard/account/password")
    for _ in range(PER_PAIR):
        wrong = await change(ada, "guess guess", NEW_PASSWORD)
        assert wrong.status_code == 400
    limited = await change(ada, PASSWORD, NEW_PASSWORD)
    assert limited.status_code == 429
    assert "Too many sign-in attempts" in limited.text
    assert int(limited.headers["retry-after"]) > 0


async def test_an_owners_reset_link_sets_a_members_password_once(
    api: Api, people: list[Person]
) -> None:
    owner = await signed_in(api, people, "ada@example.com")
    bob_before = await signed_in(api, people, "bob@example.com", AccountRole.MEMBER)
    members = await owner.get("/dashboard/members")
    bob_id = re.search(r'action="/dashboard/members/(\d+)/reset-link"', members.text)
    assert bob_id, "a reset button beside Bob (and none beside Ada herself)"
    assert members.text.count("/reset-link") == 1

    made = await owner.post(f"/dashboard/members/{bob_id.group(1)}/reset-link")
    assert made.status_code == 201
    assert "Send this link to bob@example.com yourself" in made.text
    link = RESET_LINK.search(made.text)
    assert link
    path = link.group(1)

    bob = await browser(api, people)
    form = await bob.get(path)
    assert form.status_code == 200
    assert 'value="bob@example.com" readonly' in form.text
    short = await bob.post(path, password="short", confirm="short")
    assert short.status_code == 400
    assert field_error(short.text, "f-password") == "Use at least 10 characters."
    done = await bob.post(path, password=NEW_PASSWORD, confirm=NEW_PASSWORD)
    assert done.status_code == 303
    assert "salon_session=" in done.headers["set-cookie"]
    assert "bob@example.com" in (await bob.get("/dashboard/meetings")).text
    assert (await bob_before.client.get("/dashboard/meetings")).status_code == 303

    again = await browser(api, people)
    used = await again.get(path)
    assert used.status_code == 410
    assert "used already" in used.text
    assert (await again.post(path, password=NEW_PASSWORD, confirm=NEW_PASSWORD)).status_code in (
        403,
        410,
    )
    assert (await sign_in(api, people, "bob@example.com", PASSWORD)).client.cookies.get(
        "salon_session"
    ) is None


async def test_reset_links_are_for_owners_and_expire(api: Api, people: list[Person]) -> None:
    owner = await signed_in(api, people, "ada@example.com")
    member = await signed_in(api, people, "bob@example.com", AccountRole.MEMBER)
    owner_id = (await api.app.state.services.accounts.list_accounts(api.org_id))[0].account_id
    refused = await member.post(f"/dashboard/members/{owner_id}/reset-link")
    assert refused.status_code == 403
    unknown = await owner.post("/dashboard/members/999999/reset-link")
    assert unknown.status_code == 404

    accounts = api.app.state.services.accounts
    _, token = await accounts.reset_link(api.org_id, owner_id)
    api.clock.advance(RESET_LINK_TTL_MS + 1)
    late = await browser(api, people)
    expired = await late.get(f"/dashboard/reset/{token}")
    assert expired.status_code == 410
    assert "expired" in expired.text
    invite_token = await accounts.invite(api.org_id, "cy@example.com", AccountRole.MEMBER)
    wrong_kind = await late.get(f"/dashboard/reset/{invite_token}")
    assert wrong_kind.status_code == 410
