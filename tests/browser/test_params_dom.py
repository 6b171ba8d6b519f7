"""Every room URL parameter, one browser context each, shown in the DOM: a control present or
absent, a muted start, the language's strings, the self view floated, the name prefilled and the
pre-call review skipped, the device constraints asked for, the ids carried, and an invalid value
ignored with a console warning.

One participant alone in a fresh meeting is enough for all of these (the embedding tests show
the events with two); the host's link is used so that the host-only controls show too.
"""

import asyncio
import json
import time
from typing import Any
from urllib.parse import quote

import pytest
from playwright.async_api import expect

from browser.harness import (
    TONE_TRACK_JS,
    UI_TIMEOUT_MS,
    Crowd,
    Meetings,
    Person,
    assert_mesh_flows,
    join,
    open_precall,
    precall_join,
    tile,
    wait_in_room,
    wait_tiles_play,
)
from browser.https_pages import APP_HOST, EVIL_HOST, HostPages

CONTROLS = {
    "header": '#salon-room [data-part="header"]',
    "logo": '[data-testid="logo"]',
    "toolbar": "salon-toolbar",
    "participant-count": '[data-testid="participant-count"]',
    "meeting-timer": '[data-testid="meeting-timer"]',
    "toggle-mic": '[data-testid="toggle-mic"]',
    "toggle-camera": '[data-testid="toggle-camera"]',
    "toggle-screenshare": '[data-testid="toggle-screenshare"]',
    "toggle-chat": '[data-testid="toggle-chat"]',
    "toggle-people": '[data-testid="toggle-people"]',
    "toggle-pip": '[data-testid="toggle-pip"]',
    "toggle-more": '[data-testid="toggle-more"]',
    "toggle-settings": '[data-testid="toggle-settings"]',
    "lock": '[data-testid="lock"]',
    "end-meeting": '[data-testid="end-meeting"]',
    "leave": '[data-testid="leave"]',
    "self-view": '[data-testid="self-view"]',
}
"""What the room shows around the tiles, by name: the host sees all but the last two by default."""
OFF_BY_DEFAULT = frozenset({"meeting-timer", "self-view"})
IN_TOOLBAR = frozenset(
    name for name in CONTROLS if name not in {"header", "logo", "self-view", "meeting-timer"}
)
MINIMAL_HIDES = frozenset(
    {"header", "logo", "toggle-screenshare", "toggle-chat", "toggle-pip", "toggle-more",
     "toggle-settings", "leave"}
)  # fmt: skip
"""`minimal` keeps camera, microphone, people (and the host's lock and end) and the count."""

VISIBLE_JS = """
(controls) => Object.fromEntries(Object.entries(controls).map(([name, selector]) => {
  const found = document.querySelector(selector);
  return [name, !!found && found.checkVisibility()];
}))
"""

CATALOG_JS = """
async ([lang, keys]) => {
  const catalog = (await import(`/_salon/static/room/i18n/${lang}.js`)).default;
  return keys.map(key => catalog[key] ?? null);
}
"""

TRACKS_JS = """
() => {
  const media = window.salonRoom.media;
  const audio = media.track('audio'), video = media.track('video');
  const one = t => t && { enabled: t.enabled, readyState: t.readyState,
                          settings: t.getSettings(), constraints: t.getConstraints() };
  const videoTracks = media.camera.getVideoTracks().length;
  return { audio: one(audio), video: one(video), videoTracks };
}
"""


SPEAKING_MARK_JS = """
async ([id, withinMs]) => {
  const frame = () => new Promise(done => requestAnimationFrame(done));
  const speaking = () => window.salonRoom.state().ui.speaking === id;
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (speaking()) {
      await frame();
      await frame();  // rendered by now (the view renders in a microtask)
      if (speaking()) {
        return document.querySelector(
          `[data-testid="tile"][data-participant-id="${id}"]`).dataset.speaking;
      }
    }
    await frame();
  }
  return 'I never spoke';
}
"""


TONE_AS_MY_MICROPHONE_JS = f"""
async () => {{
  {TONE_TRACK_JS}
  const media = window.salonRoom.media;
  const own = media.track.bind(media);
  media.track = (slot) => (slot === "audio" ? toneTrack : own(slot));
}}
"""


async def speaking_mark(person: Person) -> str:
    """My tile's data-speaking while the room knows that I speak.

    The level meter is given a steady tone in place of the fake microphone: in long runs of the
    shared Chromium the fake microphone's beep was sometimes never heard (the two tests that read
    it failed together, and passed alone), which is the test rig, not the room."""
    await person.page.evaluate(TONE_AS_MY_MICROPHONE_JS)
    mark: str = await person.page.evaluate(SPEAKING_MARK_JS, [person.pid, UI_TIMEOUT_MS])
    return mark


async def last_sent(person: Person, kind: str) -> dict[str, Any]:
    """The last signaling frame of this type the page sent (waiting for Playwright to report it)."""
    deadline = time.monotonic() + UI_TIMEOUT_MS / 1000
    while not person.frames_sent(kind):
        assert time.monotonic() < deadline, f"{person.name} sent no {kind}"
        await asyncio.sleep(0.05)  # the pause between polls, not a synchronisation
    return person.frames_sent(kind)[-1]


def console_of(person: Person) -> list[tuple[str, str]]:
    """(type, text) of every console message the page writes from now on."""
    messages: list[tuple[str, str]] = []
    person.page.on("console", lambda message: messages.append((message.type, message.text)))
    return messages


async def in_room(person: Person) -> None:
    """Wait until the room shows, with my own tile in it."""
    await wait_in_room(person)
    await expect(tile(person, person.pid)).to_be_attached()


async def tracks(person: Person) -> dict[str, Any]:
    found: dict[str, Any] = await person.page.evaluate(TRACKS_JS)
    return found


async def catalog(person: Person, lang: str, *keys: str) -> list[str]:
    """The strings of these keys in the room's own catalog for `lang`."""
    found: list[str] = await person.page.evaluate(CATALOG_JS, [lang, list(keys)])
    assert all(found), f"{lang} catalog lacks one of {keys}: {found}"
    return found


# --- controls present or absent ------------------------------------------------------------------


NONE: frozenset[str] = frozenset()
CONTROL_CASES = [
    ("", NONE, NONE),
    ("chat=off", {"toggle-chat"}, NONE),
    ("chat=false", {"toggle-chat"}, NONE),
    ("people=off", {"toggle-people"}, NONE),
    ("leaveButton=off", {"leave"}, NONE),
    ("screenshare=off", {"toggle-screenshare"}, NONE),
    ("settingsButton=off", {"toggle-settings"}, NONE),
    ("pipButton=off", {"toggle-pip"}, NONE),
    ("moreButton=off", {"toggle-more"}, NONE),
    ("locking=off", {"lock"}, NONE),
    ("participantCount=off", {"participant-count"}, NONE),
    ("logo=off", {"logo"}, NONE),
    ("topToolbar=off", {"header", "logo"}, NONE),
    ("bottomToolbar=off", IN_TOOLBAR, NONE),
    ("minimal", MINIMAL_HIDES, NONE),
    ("embed", MINIMAL_HIDES, NONE),
    ("minimal=true", MINIMAL_HIDES, NONE),
    ("minimal&chat=on", MINIMAL_HIDES - {"toggle-chat"}, NONE),
    ("floatSelf", NONE, {"self-view"}),
    ("timer", NONE, {"meeting-timer"}),
]
"""(query, the controls it hides, the controls it shows that are hidden by default)"""


@pytest.mark.parametrize(
    ("query", "hidden", "shown"),
    [pytest.param(*case, id=case[0] or "no-parameters") for case in CONTROL_CASES],
)
async def test_a_parameter_shows_or_hides_its_controls(
    crowd: Crowd,
    meetings: Meetings,
    query: str,
    hidden: set[str] | frozenset[str],
    shown: set[str] | frozenset[str],
) -> None:
    meeting = await meetings.create()
    host = await crowd.person("Hana")
    await join(host, f"{meeting.host_room_url}&{query}")
    await in_room(host)
    visible: dict[str, bool] = await host.page.evaluate(VISIBLE_JS, CONTROLS)
    expected = {
        name: (name not in hidden and name not in OFF_BY_DEFAULT) or name in shown
        for name in CONTROLS
    }
    wrong = {name: visible[name] for name in CONTROLS if visible[name] != expected[name]}
    assert not wrong, f"?{query}: visible where hidden was expected or the reverse: {wrong}"
    minimal = query.split("&")[0] in {"minimal", "embed", "minimal=true"}
    html = host.page.locator("html")
    await expect(html).to_have_attribute("data-minimal", "true" if minimal else "false")
    if "floatSelf" in query:
        self_view = host.testid("self-view")
        await expect(self_view).to_have_attribute("data-floating", "true")
        await expect(self_view.locator(f'[data-participant-id="{host.pid}"]')).to_be_attached()
    if "timer" in query:
        await expect(host.testid("meeting-timer")).to_have_attribute("data-running", "true")


async def test_background_off_lets_the_embedding_page_show_through(
    crowd: Crowd, meetings: Meetings
) -> None:
    meeting = await meetings.create()
    person = await crowd.person("Bea")
    await join(person, f"{meeting.room_url}?background=off")
    await in_room(person)
    await expect(person.page.locator("html")).to_have_attribute("data-background", "off")
    backgrounds = await person.page.evaluate(
        "() => [document.documentElement, document.body, document.getElementById('salon-app')]"
        ".map(e => getComputedStyle(e).backgroundColor)"
    )
    assert set(backgrounds) == {"rgba(0, 0, 0, 0)"}, backgrounds


# --- muted start, camera access, device constraints ----------------------------------------------


@pytest.mark.parametrize(("query", "kind"), [("video=off", "video"), ("audio=off", "audio")])
async def test_video_or_audio_off_starts_muted(
    crowd: Crowd, meetings: Meetings, query: str, kind: str
) -> None:
    meeting = await meetings.create()
    person = await crowd.person("Mo")
    button = {"video": "toggle-camera", "audio": "toggle-mic"}[kind]
    await open_precall(person, f"{meeting.room_url}?{query}")
    await expect(person.testid(f"precall-{button}")).to_have_attribute("aria-pressed", "false")
    await precall_join(person, "Mo")
    await in_room(person)
    local = (await person.state())["local"]
    other = "audio" if kind == "video" else "video"
    assert local[kind] is False, local
    assert local[other] is True, local
    media = await tracks(person)
    if kind == "video":
        assert media["videoTracks"] == 0, media  # the camera was never opened
    else:
        assert media["audio"]["enabled"] is False, media  # the microphone, muted
    await expect(person.testid(button)).to_have_attribute("aria-pressed", "false")
    await expect(tile(person, person.pid)).to_have_attribute(f"data-{kind}", "off")
    assert (await last_sent(person, "media"))[kind] is False
    # And it is a start, not a lock: the button turns it on.
    await person.testid(button).click()
    await expect(tile(person, person.pid)).to_have_attribute(f"data-{kind}", "on")


async def test_camera_access_off_never_opens_the_camera(crowd: Crowd, meetings: Meetings) -> None:
    meeting = await meetings.create()
    person = await crowd.person("Cam")
    await open_precall(person, f"{meeting.room_url}?cameraAccess=off")
    await expect(person.testid("precall-toggle-camera")).to_be_hidden()
    await precall_join(person, "Cam")
    await in_room(person)
    await expect(person.testid("toggle-camera")).to_be_hidden()
    await expect(person.testid("toggle-mic")).to_be_visible()
    media = await tracks(person)
    assert media["videoTracks"] == 0, media
    assert media["audio"]["enabled"] is True, media
    assert (await person.state())["local"]["video"] is False


async def test_without_parameters_the_devices_get_their_defaults(
    crowd: Crowd, meetings: Meetings
) -> None:
    """The other side of lowData, aec, agc and highlightActiveSpeaker."""
    meeting = await meetings.create()
    person = await crowd.person("Dee")
    await join(person, meeting.room_url)
    await in_room(person)
    media = await tracks(person)
    assert media["video"]["settings"]["height"] == 720, media["video"]
    for constraint in ("echoCancellation", "autoGainControl", "noiseSuppression"):
        assert media["audio"]["settings"][constraint] is True, media["audio"]
    # The room notices that I speak (the fake microphone beeps), and does not highlight it.
    assert await speaking_mark(person) == "false"


async def test_low_data_asks_the_camera_for_less(crowd: Crowd, meetings: Meetings) -> None:
    meeting = await meetings.create()
    person = await crowd.person("Lo")
    await join(person, f"{meeting.room_url}?lowData")
    await in_room(person)
    settings = (await tracks(person))["video"]["settings"]
    assert settings["height"] <= 360, settings
    assert settings["frameRate"] <= 15, settings
    await person.testid("toggle-settings").click()
    await expect(person.testid("settings-low-data")).to_be_checked()


@pytest.mark.parametrize(
    ("query", "off"), [("aec=off", "echoCancellation"), ("agc=off", "autoGainControl")]
)
async def test_aec_and_agc_off_reach_get_user_media(
    crowd: Crowd, meetings: Meetings, query: str, off: str
) -> None:
    meeting = await meetings.create()
    person = await crowd.person("Al")
    await join(person, f"{meeting.room_url}?{query}")
    await in_room(person)
    audio = (await tracks(person))["audio"]
    other = "autoGainControl" if off == "echoCancellation" else "echoCancellation"
    for asked in ("constraints", "settings"):
        assert audio[asked][off] is False, audio
        assert audio[asked][other] is True, audio


async def test_highlight_active_speaker_marks_who_speaks(crowd: Crowd, meetings: Meetings) -> None:
    meeting = await meetings.create()
    person = await crowd.person("Hi")
    await join(person, f"{meeting.room_url}?highlightActiveSpeaker")
    await in_room(person)
    assert await speaking_mark(person) == "true"


# --- languages and wording -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "locale", "lang", "html_lang"),
    [
        ("lang=fr", None, "fr", "fr"),
        ("lang=jp", None, "jp", "ja"),
        ("", "de-DE", "de", "de"),  # no lang: the browser's language
        ("lang=fr", "de-DE", "fr", "fr"),  # lang wins over the browser's
    ],
)
async def test_lang_picks_the_catalog(
    crowd: Crowd, meetings: Meetings, query: str, locale: str | None, lang: str, html_lang: str
) -> None:
    meeting = await meetings.create()
    person = await crowd.person("Lu", locale=locale)
    await open_precall(person, f"{meeting.room_url}?{query}")
    await expect(person.page.locator("html")).to_have_attribute("lang", html_lang)
    title, join_label, alone, leave = await catalog(
        person, lang, "precall.title", "precall.join", "grid.alone", "toolbar.leave"
    )
    english = await catalog(person, "en", "precall.title", "precall.join", "grid.alone")
    assert [title, join_label, alone] != english
    await expect(person.page.locator('salon-precall [data-part="title"]')).to_have_text(title)
    await expect(person.testid("precall-join")).to_have_text(join_label)
    await precall_join(person, "Lu")
    await in_room(person)
    await expect(person.page.locator('salon-grid [data-part="invite-text"]')).to_have_text(alone)
    await expect(person.testid("leave")).to_have_accessible_name(leave)


@pytest.mark.parametrize(
    ("query", "lang"), [("personality=off", "en"), ("lang=jp&personality=off", "jp")]
)
async def test_personality_off_uses_the_neutral_wording(
    crowd: Crowd, meetings: Meetings, query: str, lang: str
) -> None:
    meeting = await meetings.create()
    person = await crowd.person("Ne")
    await join(person, f"{meeting.room_url}?{query}")
    await in_room(person)
    cheery, neutral = await catalog(person, lang, "grid.alone", "grid.alone.neutral")
    assert cheery != neutral
    await expect(person.page.locator('salon-grid [data-part="invite-text"]')).to_have_text(neutral)


@pytest.mark.parametrize(("query", "picker"), [("", True), ("localization=off", False)])
async def test_localization_off_removes_the_language_picker(
    crowd: Crowd, meetings: Meetings, query: str, picker: bool
) -> None:
    meeting = await meetings.create()
    person = await crowd.person("Lo")
    await join(person, f"{meeting.room_url}?{query}")
    await in_room(person)
    await person.testid("toggle-settings").click()
    await expect(person.testid("settings-dialog")).to_be_visible()
    language = person.testid("settings-language")
    await (expect(language).to_be_visible() if picker else expect(language).to_be_hidden())


# --- the way in: name, pre-call review, permission step -------------------------------------------


async def test_display_name_is_prefilled(crowd: Crowd, meetings: Meetings) -> None:
    meeting = await meetings.create()
    person = await crowd.person("Ada")
    await open_precall(person, f"{meeting.room_url}?displayName={quote('Ada Lovelace')}")
    await expect(person.testid("precall-name")).to_be_hidden()
    await expect(person.page.locator('salon-precall [data-part="as"]')).to_contain_text(
        "Ada Lovelace"
    )
    await precall_join(person, None)
    await in_room(person)
    assert (await person.state())["me"]["displayName"] == "Ada Lovelace"
    await expect(tile(person, person.pid)).to_contain_text("Ada Lovelace")


async def test_precall_review_off_with_a_name_goes_straight_in(
    crowd: Crowd, meetings: Meetings
) -> None:
    meeting = await meetings.create()
    person = await crowd.person("Sam")
    await person.page.goto(f"{meeting.room_url}?displayName=Sam&precallReview=off")
    await in_room(person)  # nobody clicked anything
    assert (await person.state())["me"]["displayName"] == "Sam"
    assert (await tracks(person))["video"]["readyState"] == "live"


async def test_precall_review_off_without_a_name_asks_only_for_the_name(
    crowd: Crowd, meetings: Meetings
) -> None:
    meeting = await meetings.create()
    person = await crowd.person("Nia")
    await open_precall(person, f"{meeting.room_url}?precallReview=off")
    await expect(person.testid("precall-name")).to_be_visible()
    await expect(person.testid("precall-toggle-camera")).to_be_hidden()
    await expect(person.page.locator("salon-precall video")).to_be_hidden()
    await precall_join(person, "Nia")
    await in_room(person)


@pytest.mark.parametrize(
    ("query", "asks_first"), [("", True), ("skipMediaPermissionPrompt", False)]
)
async def test_skip_media_permission_prompt_goes_straight_to_the_browser_prompt(
    crowd: Crowd, meetings: Meetings, query: str, asks_first: bool
) -> None:
    meeting = await meetings.create()
    person = await crowd.person("Pat")
    # A browser that has not been asked yet: the Permissions API says "prompt" (the fake media
    # UI of these tests grants at once, so it would otherwise say "granted").
    await person.context.add_init_script(
        "(() => { const query = navigator.permissions.query.bind(navigator.permissions);"
        " navigator.permissions.query = async (d) => ['camera', 'microphone'].includes(d.name)"
        " ? { state: 'prompt', name: d.name, onchange: null } : query(d); })();"
    )
    await person.page.goto(f"{meeting.room_url}?{query}")
    await expect(person.testid("precall-join")).to_be_visible()
    allow = person.testid("precall-allow")
    if asks_first:
        await expect(allow).to_be_visible()
        assert (await tracks(person))["audio"] is None, "devices opened before Allow"
        await allow.click()
    else:
        await expect(allow).to_be_hidden()
    await person.wait_until(
        "() => { const t = window.salonRoom.media.track('video');"
        " return !!t && t.readyState === 'live'; }",
        what="the camera open",
    )
    await precall_join(person, "Pat")
    await in_room(person)


# --- self, identity, avatar, spotlight ------------------------------------------------------------


async def test_metadata_and_external_id_are_carried_into_the_join(
    crowd: Crowd, meetings: Meetings
) -> None:
    meeting = await meetings.create()
    person = await crowd.person("Ext")
    metadata = json.dumps({"crm": "contact/4711"})
    await join(person, f"{meeting.room_url}?externalId=crm-42&metadata={quote(metadata)}")
    sent = await last_sent(person, "join")
    assert (sent.get("externalId"), sent.get("metadata")) == ("crm-42", metadata), sent


async def test_auto_spotlight_puts_the_host_on_stage(crowd: Crowd, meetings: Meetings) -> None:
    meeting = await meetings.create()
    host = await crowd.person("Hana")
    await join(host, f"{meeting.host_room_url}&autoSpotlight")
    await host.wait_until(
        "(id) => window.salonRoom.state().room.spotlight === id", host.pid, what="spotlight"
    )
    await expect(tile(host, host.pid)).to_have_attribute("data-spotlight", "true")


AVATAR = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">'
    '<circle cx="32" cy="32" r="30" fill="#f59e0b"/></svg>'
)


@pytest.mark.parametrize(("host", "shown"), [(APP_HOST, True), (EVIL_HOST, False)])
async def test_avatar_url_from_an_allowed_domain_shows_on_my_tile(
    crowd: Crowd, meetings: Meetings, host_pages: HostPages, host: str, shown: bool
) -> None:
    host_pages.put("/avatar.svg", AVATAR, "image/svg+xml")
    avatar = host_pages.url(host, "/avatar.svg")
    meeting = await meetings.create()
    person = await crowd.person("Av")
    console = console_of(person)
    await join(person, f"{meeting.room_url}?video=off&avatarUrl={quote(avatar)}")
    await in_room(person)
    image = tile(person, person.pid).locator('[data-part="avatar-img"]')
    if shown:
        await expect(image).to_be_visible()
        await expect(image).to_have_attribute("src", avatar)
        await person.wait_until(
            '(id) => { const img = document.querySelector(`[data-testid="tile"]'
            '[data-participant-id="${id}"] [data-part="avatar-img"]`);'
            " return !!img && img.complete && img.naturalWidth === 64; }",
            person.pid,
            what="the avatar image loaded",
        )
    else:
        await expect(image).to_be_hidden()
        assert any("avatarUrl" in text for kind, text in console if kind == "warning"), console


# --- invalid values ------------------------------------------------------------------------------


async def test_invalid_values_are_ignored_with_a_warning(crowd: Crowd, meetings: Meetings) -> None:
    meeting = await meetings.create()
    person = await crowd.person("Ivy")
    console = console_of(person)
    bad = "chat=maybe&lang=xx&video=nope&frobnicate=1&displayName=a%3Cb&externalId=no%20spaces"
    await open_precall(person, f"{meeting.room_url}?{bad}")
    warnings = [text for kind, text in console if kind == "warning"]
    for name in ("chat", "lang", "video", "frobnicate", "displayName", "externalId"):
        assert any(f"ignoring URL parameter {name}=" in text for text in warnings), (name, warnings)
    errors = [text for kind, text in console if kind == "error"]
    assert any("externalId" in text for text in errors), errors  # as the developer guide asks
    # Every default stands: English, the camera on, the name asked for, and the room works.
    await expect(person.page.locator("html")).to_have_attribute("lang", "en")
    await expect(person.testid("precall-name")).to_be_visible()
    await precall_join(person, "Ivy")
    await in_room(person)
    await expect(person.testid("toggle-chat")).to_be_visible()
    assert (await person.state())["local"]["video"] is True
    assert "externalId" not in await last_sent(person, "join")


# --- screenshots ----------------------------------------------------------------------------------


async def test_a_minimal_room_and_a_japanese_room_with_two_people(
    crowd: Crowd, meetings: Meetings
) -> None:
    """Each of the two sees the room its own way, with both videos playing.

    Screenshots: minimal.png (`?minimal`), japanese.png (`?lang=jp`)."""
    meeting = await meetings.create()
    host = await crowd.person("Hana")
    await join(host, f"{meeting.host_room_url}&minimal", "Hana")
    guest = await crowd.person("Kenji")
    await join(guest, f"{meeting.room_url}?lang=jp", "山田 健二")
    await assert_mesh_flows([host, guest])
    for person in (host, guest):
        await wait_tiles_play(person, [host.pid, guest.pid])
    await expect(host.testid("toggle-chat")).to_be_hidden()
    leave_jp = (await catalog(guest, "jp", "toolbar.leave"))[0]
    await expect(guest.testid("leave")).to_have_accessible_name(leave_jp)
    for person in (host, guest):  # "… joined" toasts: not what the pictures are about
        await person.page.evaluate(
            "() => document.querySelectorAll('#salon-toasts button').forEach(b => b.click())"
        )
    await host.screenshot("minimal.png")
    await guest.screenshot("japanese.png")
