"""The dashboard end to end in Chromium, on a `salon serve` of its own: the first owner from the
printed link, API keys used against /v1/hello, an allowed domain in a room page's header, a
webhook's test event at a real receiver, Live rooms while someone is in a room, an invited
member who joins a room as `member` (and the webhook says so), and a recording that plays in the
Recordings page under its Content-Security-Policy.

Screenshots: docs/screenshots/dashboard-*.png (one per page, and the meetings page at 390 px).
"""

import json
import re
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Locator, Page, ViewportSize, expect

from browser.harness import SCREENSHOTS, UI_TIMEOUT_MS, Crowd, Person, join
from e2e.salon_process import SalonServer
from webhook_helpers import ALLOW_LOCAL, Receiver, opened, until

PASSWORD = "correct horse battery"
_SETUP_LINK = re.compile(r"^\s+(http://\S+/dashboard/setup/\S+)\s*$", re.MULTILINE)
PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def board(private_network: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SalonServer]:
    """A server of this module's own, so that its first-owner link is still unused."""
    base = tmp_path_factory.mktemp("dashboard")
    server = SalonServer.on(log_dir=base / "logs", data_dir=base / "data", extra_args=ALLOW_LOCAL)
    with server:
        yield server


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


async def shot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    await page.screenshot(path=str(path), full_page=True)
    return path


def cli_owner(board: SalonServer, email: str) -> None:
    made = board.cli(
        "users", "create", email, "--role", "owner", "--password-stdin", input_text=PASSWORD
    )
    assert made.returncode == 0, made.stderr


async def sign_in(
    person: Person, board: SalonServer, email: str, screenshot: str | None = None
) -> None:
    await person.page.goto(f"{board.base_url}/dashboard/sign-in")
    if screenshot is not None:
        await shot(person.page, screenshot)
    await person.page.get_by_label("E-mail").fill(email)
    await person.page.get_by_label("Password").fill(PASSWORD)
    await person.testid("sign-in").click()
    await expect(person.page.get_by_role("heading", name="Meetings", level=1)).to_be_visible()


async def api_key(board: SalonServer) -> str:
    made = board.cli("keys", "create", "--name", "browser", "--json")
    assert made.returncode == 0, made.stderr
    key: str = json.loads(made.stdout)["key"]
    return key


async def create_meeting(board: SalonServer, key: str) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=board.base_url, timeout=10) as client:
        made = await client.post(
            "/v1/meetings",
            headers={"Authorization": f"Bearer {key}"},
            json={"endDate": "2099-01-01T00:00:00Z", "fields": ["hostRoomUrl"]},
        )
    assert made.status_code == 201, made.text
    meeting: dict[str, str] = made.json()
    return meeting


async def reload_until(page: Page, rows: Locator, count: int) -> None:
    """The delivery log is drawn by the server: reload until it shows `count` such rows (the
    dispatcher records an attempt just after the receiver has answered)."""
    deadline = time.monotonic() + UI_TIMEOUT_MS / 1000
    while await rows.count() < count:
        assert time.monotonic() < deadline, f"fewer than {count} rows in the delivery log"
        await page.reload()
    await expect(rows).to_have_count(count)


async def test_first_owner_then_api_keys(board: SalonServer, crowd: Crowd) -> None:
    found = _SETUP_LINK.search(board.stdout)
    assert found, board.stdout
    ada = await crowd.person("Ada")
    page = ada.page
    await page.goto(found.group(1))
    await shot(page, "dashboard-setup.png")
    await page.get_by_label("E-mail").fill("ada@example.com")
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_label("Password, again").fill(PASSWORD)
    await ada.testid("link-submit").click()
    await expect(page.get_by_role("heading", name="Meetings", level=1)).to_be_visible()
    await shot(page, "dashboard-meetings-empty.png")
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("link", name="Skip to content")).to_be_focused()

    # The link worked once.
    late = await crowd.person("Late")
    await late.page.goto(found.group(1))
    await expect(
        late.page.get_by_text("this link has been used already", exact=False)
    ).to_be_visible()

    await page.get_by_role("link", name="API keys").click()
    await ada.testid("key-new-name").fill("Production back end")
    await ada.testid("key-generate").click()
    key = await ada.testid("new-key-value").input_value()
    assert re.fullmatch(r"salon_[a-z0-9]{12}_[A-Za-z0-9_-]{43}", key), key
    await shot(page, "dashboard-keys.png")
    async with httpx.AsyncClient(base_url=board.base_url, timeout=10) as client:
        hello = await client.get("/v1/hello", headers={"Authorization": f"Bearer {key}"})
        assert hello.status_code == 200, hello.text

        key_id = key.split("_")[1]
        row = page.locator(f'[data-testid="key-row"][data-key-id="{key_id}"]')
        # By keyboard alone: Enter in the name field renames; the delete confirmation opens with
        # Enter and its button is the next Tab stop.
        await row.get_by_test_id("key-name").fill("Renamed key")
        await row.get_by_test_id("key-name").press("Enter")
        await expect(page.get_by_text("The key was renamed.")).to_be_visible()
        await expect(row.get_by_test_id("key-name")).to_have_value("Renamed key")
        await expect(row.get_by_test_id("key-last-used")).not_to_have_text("never")

        await row.get_by_test_id("key-delete").focus()
        await page.keyboard.press("Enter")
        await page.keyboard.press("Tab")
        await expect(row.get_by_test_id("key-delete-confirm")).to_be_focused()
        await page.keyboard.press("Enter")
        await expect(page.get_by_text("The key was deleted")).to_be_visible()
        await expect(row).to_have_count(0)
        gone = await client.get("/v1/hello", headers={"Authorization": f"Bearer {key}"})
        assert gone.status_code == 401


async def test_an_allowed_domain_reaches_the_room_header(board: SalonServer, crowd: Crowd) -> None:
    cli_owner(board, "dom@example.com")
    dom = await crowd.person("Dom")
    await sign_in(dom, board, "dom@example.com", "dashboard-sign-in.png")
    page = dom.page
    await page.get_by_role("link", name="Allowed domains").click()
    preview = dom.testid("csp-preview")
    await expect(preview).to_have_text("Content-Security-Policy: frame-ancestors 'self'")
    await dom.testid("domain-origin").fill("app.example.com")
    await expect(preview).to_have_class(re.compile("invalid-preview"))
    await dom.testid("domain-add").click()
    await expect(page.locator("#f-origin-error")).to_contain_text(
        "An allowed domain reads https://host"
    )
    await dom.testid("domain-origin").fill("https://App.Example.com")
    await expect(preview).to_have_text(
        "Content-Security-Policy: frame-ancestors 'self' https://app.example.com"
    )
    await dom.testid("domain-add").click()
    await expect(dom.testid("domain-row")).to_have_text(re.compile("https://app.example.com"))
    await shot(page, "dashboard-domains.png")

    meeting = await create_meeting(board, await api_key(board))
    async with httpx.AsyncClient(timeout=10) as client:
        room = await client.get(meeting["roomUrl"])
    assert room.status_code == 200
    policy = room.headers["content-security-policy"]
    assert policy.split(";")[0] == "frame-ancestors 'self' https://app.example.com", policy


async def test_a_webhook_test_event_reaches_the_receiver(
    board: SalonServer, crowd: Crowd, receiver: Receiver
) -> None:
    cli_owner(board, "wes@example.com")
    wes = await crowd.person("Wes")
    await sign_in(wes, board, "wes@example.com")
    page = wes.page
    await page.get_by_role("link", name="Webhooks").click()
    await shot(page, "dashboard-webhooks-empty.png")
    await wes.testid("webhook-url").fill(receiver.plan("/test-hook", [200]))
    await wes.testid("webhook-save").click()
    await expect(page.get_by_text("Webhook created.")).to_be_visible()
    await wes.testid("webhook-reveal").click()
    secret = await wes.testid("webhook-secret").input_value()
    assert secret.startswith("whsec_")

    await wes.testid("webhook-test").click()
    await until(lambda: receiver.count("/test-hook") == 1, within_s=15)
    event = opened(receiver.at("/test-hook")[0], secret)
    assert event["type"] == "salon.webhook.test"
    assert event["data"]["test"] is True

    row = wes.testid("delivery-row").first
    await reload_until(
        page, page.locator('[data-testid="delivery-row"][data-status="delivered"]'), 1
    )
    await expect(row.get_by_test_id("delivery-http")).to_have_text("200")
    await row.get_by_test_id("delivery-replay").click()
    await expect(page.get_by_text("The event is queued again")).to_be_visible()
    await until(lambda: receiver.count("/test-hook") == 2, within_s=15)
    assert json.loads(receiver.at("/test-hook")[1].body)["id"] == event["id"]
    delivered = page.locator('[data-testid="delivery-row"][data-status="delivered"]')
    await reload_until(page, delivered, 2)
    await shot(page, "dashboard-webhook.png")


async def test_live_rooms_and_an_invited_member(
    board: SalonServer, crowd: Crowd, receiver: Receiver
) -> None:
    cli_owner(board, "liv@example.com")
    hook = board.cli(
        "webhooks",
        "create",
        "--url",
        receiver.plan("/joins", [200]),
        "--events",
        "room.client.joined",
        "--json",
        *ALLOW_LOCAL,
    )
    assert hook.returncode == 0, hook.stderr
    secret = json.loads(hook.stdout)["secret"]
    owner = await crowd.person("Liv")
    await sign_in(owner, board, "liv@example.com")
    page = owner.page

    await page.get_by_role("link", name="Members").click()
    await owner.testid("invite-email").fill("max@example.com")
    await owner.testid("invite-create").click()
    link = await owner.testid("invite-link").input_value()
    await shot(page, "dashboard-members.png")

    member = await crowd.person("Max")
    await member.page.goto(link)
    await expect(member.page.get_by_text("as member")).to_be_visible()
    await member.page.get_by_label("Password", exact=True).fill(PASSWORD)
    await member.page.get_by_label("Password, again").fill(PASSWORD)
    await member.testid("link-submit").click()
    await expect(member.page.get_by_role("heading", name="Meetings", level=1)).to_be_visible()
    await member.page.goto(f"{board.base_url}/dashboard/keys")
    await expect(member.page.get_by_text("Owners only")).to_be_visible()

    await page.get_by_role("link", name="Live rooms").click()
    await expect(page.get_by_text("Nobody is in a room right now")).to_be_visible()
    await shot(page, "dashboard-live-empty.png")

    meeting = await create_meeting(board, await api_key(board))
    await join(member, meeting["roomUrl"], "Max")  # the plain room URL: the account makes him host
    state = await member.state()
    assert state["me"]["role"] == "member"
    assert [f["role"] for f in member.frames_received("joined")] == ["member"]
    await expect(member.testid("lock")).to_be_visible()  # host controls

    # The owner's page, open since before the join, shows him without a reload.
    person = page.get_by_test_id("live-participant")
    await expect(person).to_have_attribute("data-role", "member")
    await expect(person).to_contain_text("Max")
    await expect(page.get_by_test_id("live-room")).to_have_attribute(
        "data-room-name", meeting["roomName"]
    )
    await shot(page, "dashboard-live.png")

    await until(lambda: receiver.count("/joins") == 1, within_s=15)
    joined = opened(receiver.at("/joins")[0], secret)
    assert joined["type"] == "room.client.joined"
    assert joined["data"]["roleName"] == "member"
    assert joined["data"]["displayName"] == "Max"

    await page.get_by_role("link", name="Meetings").click()
    await expect(page.get_by_test_id("meeting-row")).to_have_count(2)
    await shot(page, "dashboard-meetings.png")
    await page.set_viewport_size(PHONE)
    await shot(page, "dashboard-meetings-phone.png")
    overflow = await page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than a 390px phone"


def recorded_video(board: SalonServer, recording_id: str) -> str:
    """A 2-second WebM in the server's data folder, and its row as the composition job leaves
    one (ready, kept by Salon); its path under the data folder."""
    assert board.data_dir is not None
    folder = board.data_dir / "recordings" / recording_id
    folder.mkdir(parents=True)
    video = folder / "played-2026-03-01T12:00:00.000Z.webm"
    made = subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=duration=2:size=320x240:rate=25",
         "-c:v", "libvpx", "-b:v", "200k", str(video)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    probed = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
         str(video)],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert abs(float(probed.stdout) - 2.0) < 0.2, probed.stdout + probed.stderr
    with sqlite3.connect(board.data_dir / "salon.db", timeout=10) as db:
        [(org_id,)] = db.execute("SELECT id FROM orgs WHERE is_default").fetchall()
        db.execute(
            "INSERT INTO recordings (id, org_id, meeting_id, room_name, room_session_id, status,"
            " started_ms, ended_ms, file_format, filename, size_bytes, storage, location, raw_dir,"
            " tracks, destination, error) VALUES (?, ?, 1, '/played', NULL, 'ready', ?, ?,"
            " 'webm', ?, ?, 'local', ?, ?, '[]', '{}', NULL)",
            (recording_id, org_id, 1_772_366_400_000, 1_772_366_402_000, video.name,
             video.stat().st_size, str(video.relative_to(board.data_dir)), str(folder)),
        )  # fmt: skip
    return str(video.relative_to(board.data_dir))


async def test_a_recording_plays_and_is_deleted(board: SalonServer, crowd: Crowd) -> None:
    recording_id = "00000000-0000-4000-8000-00000000b10b"
    recorded_video(board, recording_id)
    cli_owner(board, "rec@example.com")
    rec = await crowd.person("Rec")
    refused: list[str] = []
    rec.page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    await sign_in(rec, board, "rec@example.com")
    page = rec.page
    await page.get_by_role("link", name="Recordings").click()
    row = page.locator(f'[data-testid="recording-row"][data-recording-id="{recording_id}"]')
    await expect(row).to_have_attribute("data-state", "ready")
    await expect(row).to_contain_text("/played")
    await row.get_by_test_id("recording-play").click()
    video = row.get_by_test_id("recording-video")
    await expect(video).to_be_visible()
    await video.evaluate("(v) => { v.muted = true; return v.play(); }")
    await page.wait_for_function(
        "(v) => v.currentTime > 0.5 && v.videoWidth === 320", arg=await video.element_handle()
    )
    assert refused == []
    await shot(page, "dashboard-recordings.png")

    await row.get_by_test_id("recording-delete").click()
    await row.get_by_test_id("recording-delete-confirm").click()
    await expect(page.get_by_text("Recording deleted")).to_be_visible()
    await expect(row).to_have_count(0)
    gone = await page.request.get(f"{board.base_url}/dashboard/recordings/{recording_id}/file")
    assert gone.status == 404
