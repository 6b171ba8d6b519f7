"""Markup in what people and back ends choose (a webhook URL, a display name, a filter typed into
a form) reaches dashboard pages as text: the templates escape every value."""

from dashboard_helpers import Person, signed_in
from helpers import Api
from salon.accounts.model import AccountRole
from salon.signaling import protocol as p

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


class Quiet:
    def send(self, message: dict[str, object]) -> None:
        pass

    def close(self, *_: object) -> None:
        pass


async def test_a_webhook_url_with_a_script_is_escaped(api: Api, people: list[Person]) -> None:
    hook = await api.app.state.services.webhooks.create(
        api.org_id, f"https://example.com/{SCRIPT}", None
    )
    owner = await signed_in(api, people, "owner@example.com")
    for path in ("/dashboard/webhooks", f"/dashboard/webhooks/{hook.id}"):
        page = (await owner.get(path)).text
        assert SCRIPT not in page, path
        assert f"https://example.com/{ESCAPED}" in page, path


async def test_a_display_name_with_a_script_is_escaped_in_live_rooms(
    api: Api, people: list[Person]
) -> None:
    made = await api.client.post("/v1/meetings", headers=api.auth, json={"endDate": api.future()})
    room = made.json()["roomName"]
    name = SCRIPT.replace("/", "\\/")  # as JSON may write it
    frame = p.parse(f'{{"type":"join","v":1,"room":"{room}","displayName":"{name}"}}')
    await api.app.state.services.rooms.join(Quiet(), frame)
    owner = await signed_in(api, people, "owner@example.com")
    for path in ("/dashboard/live", "/dashboard/live/rooms"):
        page = (await owner.get(path)).text
        assert SCRIPT not in page, path
        assert f'<span class="name">{ESCAPED}</span>' in page, path


async def test_a_filter_with_a_script_is_escaped(api: Api, people: list[Person]) -> None:
    owner = await signed_in(api, people, "owner@example.com")
    page = (await owner.client.get("/dashboard/meetings", params={"q": SCRIPT})).text
    assert SCRIPT not in page
    assert f'value="{ESCAPED}"' in page


async def test_the_live_rooms_fragment_is_the_list_alone(api: Api, people: list[Person]) -> None:
    """What live.js swaps in: the same markup as the page's list, without the page around it."""
    made = await api.client.post("/v1/meetings", headers=api.auth, json={"endDate": api.future()})
    room = made.json()["roomName"]
    member = await signed_in(api, people, "member@example.com", AccountRole.MEMBER)
    empty = await member.get("/dashboard/live/rooms")
    assert empty.status_code == 200
    assert empty.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in empty.headers["content-security-policy"]
    assert "<html" not in empty.text
    assert "Nobody is in a room right now" in empty.text
    frame = p.parse(f'{{"type":"join","v":1,"room":"{room}","displayName":"Ada"}}')
    await api.app.state.services.rooms.join(Quiet(), frame)
    fragment = (await member.get("/dashboard/live/rooms")).text
    assert f'data-room-name="{room}"' in fragment
    assert 'data-testid="live-participant" data-role="visitor"' in fragment
    page = (await member.get("/dashboard/live")).text
    assert fragment.strip() in page
    signed_out = await member.client.post("/dashboard/sign-out", data={"csrf": member.csrf})
    assert signed_out.status_code == 303
    assert (await member.client.get("/dashboard/live/rooms")).status_code == 303
