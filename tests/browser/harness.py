"""What the browser tests share: Chromium's flags, people in rooms, meetings over HTTP, and media
proven with `getStats()`.

Each person is one browser context (its own cookies, its own fake camera and microphone) with one
page, all in the one Chromium of the session; a Participant is what the helpers need of a person
in any browser (firefox.py makes Firefox ones). Everything that happens on a page, console output,
uncaught errors, dialogs and signaling frames, goes to a log that the conftest prints when a test
fails. Nothing here sleeps to synchronise: every wait is on a condition with a deadline, and the
only pauses are those between two polls of a condition.
"""

import asyncio
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx
from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Dialog,
    Error,
    Locator,
    Page,
    ViewportSize,
    WebSocket,
)
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin

CHROMIUM = "/usr/bin/chromium"
TEST_DOMAIN = "example.test"
"""Host names of the pages of other sites (reserved for testing, RFC 2606), all 127.0.0.1."""
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    # Camera, microphone and screen without a prompt: getUserMedia gets the fake camera (a moving
    # test pattern, 20 fps) and microphone (a beep), getDisplayMedia the headless screen. Checked
    # here: these two flags alone make getDisplayMedia succeed headless, no
    # --auto-select-desktop-capture-source needed.
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # A namespace with only `lo`: without this ICE gathers no candidate and hangs.
    "--allow-loopback-in-peer-connection",
    # The embedding tests' pages of other sites (https_pages.py): every name under TEST_DOMAIN is
    # this machine, served over HTTPS with a certificate made at test time. The other tests use
    # http://127.0.0.1 only, which neither flag touches.
    f"--host-resolver-rules=MAP *.{TEST_DOMAIN} 127.0.0.1",
    "--ignore-certificate-errors",
]
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "docs" / "screenshots"

UI_TIMEOUT_MS = 15_000
"""How long the page may take to show what a test waits for (Playwright's waits and expect)."""
MEDIA_WITHIN_S = 25.0
"""How long media may take to start, or to grow, on 2 busy cores."""
POLL_S = 0.25
"""The pause between two polls of a condition (getStats cannot be awaited inside wait_for_function,
which does not wait for a promise), never a synchronisation by itself."""
MIN_FRAMES = 5
"""Growth between two samples that counts as flowing: a quarter of a second of the fake camera."""
MIN_PACKETS = 5
"""Audio packets (20 ms each) that count as flowing."""
LOG_LINE_CHARS = 400
SIGNAL_PATH = "/_salon/signal"

# A WebSocket wrapper installed before any script of the page runs: the tests can see and drop the
# page's sockets without knowing how the room UI keeps them. `emit`, when given, hears every frame
# (Firefox's pages report theirs through it; Playwright shows Chromium's itself).
TRACK_SOCKETS_JS = """
(emit) => {
  const Native = window.WebSocket;
  const sockets = [];
  class TrackedWebSocket extends Native {
    constructor(...args) {
      super(...args);
      this.closeCode = null;
      this.addEventListener('close', event => {
        this.closeCode = event.code;
        if (emit) emit(['closed', this.url]);
      });
      if (emit) {
        emit(['open', this.url]);
        this.addEventListener('message', event => emit(['←', String(event.data)]));
      }
      sockets.push(this);
    }
    send(data) {
      if (emit) emit(['→', String(data)]);
      return super.send(data);
    }
  }
  window.WebSocket = TrackedWebSocket;
  Object.defineProperty(window, '__salonTestSockets', { value: sockets });
}
"""

STATE_JS = """
() => {
  const room = window.salonRoom;
  if (!room || typeof room.state !== 'function') return null;
  const s = room.state() || {};
  const list = v => v == null ? [] : v instanceof Map ? [...v.values()]
    : Array.isArray(v) ? v : typeof v === 'object' ? Object.values(v) : [];
  return JSON.parse(JSON.stringify({
    ...s, me: s.me ?? null, participants: list(s.participants), room: s.room ?? null,
    knocks: list(s.knocks), chat: list(s.chat),
  }));
}
"""

INBOUND_JS = """
async (id) => {
  const room = window.salonRoom;
  const pc = room && room.peers && room.peers.get(id);
  if (!pc) return null;
  const report = await pc.getStats();
  const video = [], audio = [];
  report.forEach(s => {
    if (s.type !== 'inbound-rtp') return;
    const one = { id: s.id, mid: s.mid ?? null, packetsReceived: s.packetsReceived ?? 0,
                  framesDecoded: s.framesDecoded ?? 0 };
    (s.kind === 'video' ? video : audio).push(one);
  });
  return { video, audio, connectionState: pc.connectionState,
           iceConnectionState: pc.iceConnectionState,
           detail: `signaling ${pc.signalingState}, ICE gathering ${pc.iceGatheringState}, `
             + `local ${pc.localDescription ? pc.localDescription.type : 'none'}, `
             + `remote ${pc.remoteDescription ? pc.remoteDescription.type : 'none'}, `
             + 'transceivers '
             + pc.getTransceivers().map(t => `${t.mid}:${t.currentDirection}`).join(' ') };
}
"""

PEERS_JS = """
() => {
  const room = window.salonRoom;
  if (!room || !room.peers) return ['no salonRoom.peers'];
  const count = d => d ? (d.sdp.match(/a=candidate:/g) || []).length : 0;
  const kind = d => d ? d.type : 'none';
  return [...room.peers].map(([id, pc]) => `${id}: connection ${pc.connectionState}, `
    + `ICE ${pc.iceConnectionState}, signaling ${pc.signalingState}, `
    + `gathering ${pc.iceGatheringState}, `
    + `local ${kind(pc.localDescription)} (${count(pc.localDescription)} candidates), `
    + `remote ${kind(pc.remoteDescription)} (${count(pc.remoteDescription)} candidates)`);
}
"""


@dataclass
class InboundStats:
    """The inbound RTP streams of one peer connection at one moment."""

    video: dict[str, int]
    """framesDecoded by stream id."""
    audio: dict[str, int]
    """packetsReceived by stream id."""
    connection_state: str
    ice_state: str
    detail: str

    @property
    def frames_decoded(self) -> int:
        return sum(self.video.values())

    @property
    def audio_packets(self) -> int:
        return sum(self.audio.values())

    def __str__(self) -> str:
        return (
            f"video framesDecoded {self.video}, audio packetsReceived {self.audio}, "
            f"connection {self.connection_state}, ICE {self.ice_state} ({self.detail})"
        )


def clip(text: str) -> str:
    """One line of the log: at most LOG_LINE_CHARS, newlines (of stacks) kept readable."""
    text = text.replace("\n", " ⏎ ")
    return text if len(text) <= LOG_LINE_CHARS else text[:LOG_LINE_CHARS] + "…"


class PageScripts(Protocol):
    """What the harness needs of a page, whichever browser shows it: Playwright's Page (Chromium)
    and firefox.FirefoxPage both have it."""

    async def evaluate(self, expression: str, arg: Any = None) -> Any: ...

    async def wait_for_function(
        self,
        expression: str,
        *,
        arg: Any = None,
        timeout: float | None = None,  # noqa: ASYNC109 (Playwright's signature, in ms)
    ) -> object: ...

    async def goto(self, url: str) -> object: ...

    async def screenshot(self, *, path: str) -> bytes: ...


class UiElement(Protocol):
    """An element found by test id: Playwright's Locator, or firefox.FirefoxLocator."""

    async def click(self) -> None: ...

    async def fill(self, value: str) -> None: ...

    async def wait_for(self) -> None: ...


@dataclass(repr=False, kw_only=True)
class Participant:
    """One participant in one browser: what every test can do with them, in Chromium or in
    Firefox. Person (Chromium, Playwright) and firefox.FirefoxPerson add how."""

    name: str
    page: PageScripts
    log: Callable[[str], None]
    id: str | None = None
    dialogs: list[str] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)
    """Every signaling frame the page sent, parsed, in order."""
    received: list[dict[str, Any]] = field(default_factory=list)
    """Every signaling frame the page received, parsed, in order."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, id={self.id!r})"

    def testid(self, name: str) -> UiElement:
        raise NotImplementedError

    @property
    def pid(self) -> str:
        assert self.id is not None, f"{self.name} has not joined"
        return self.id

    async def state(self) -> dict[str, Any]:
        """`window.salonRoom.state()`, with participants, knocks and chat as lists."""
        value = await self.page.evaluate(STATE_JS)
        assert value is not None, f"{self.name}: window.salonRoom.state is missing"
        result: dict[str, Any] = value
        return result

    async def wait_until(self, predicate_js: str, arg: Any = None, what: str = "") -> None:
        """Wait until a (synchronous) predicate over the page is true."""
        try:
            await self.page.wait_for_function(predicate_js, arg=arg, timeout=UI_TIMEOUT_MS)
        except (Error, TimeoutError) as error:
            state = await self.page.evaluate(STATE_JS)
            raise AssertionError(
                f"{self.name}: {what or predicate_js} within {UI_TIMEOUT_MS} ms; "
                f"salonRoom.state() = {json.dumps(state)[:3000]}"
            ) from error

    async def wait_for_participant(self, participant_id: str, condition_js: str = "true") -> None:
        """Wait until state().participants has `participant_id` and `condition_js` holds on it
        (as `p`)."""
        await self.wait_until(
            f"""
            (id) => {{
              const s = window.salonRoom && window.salonRoom.state();
              if (!s || !s.participants) return false;
              const ps = s.participants instanceof Map ? [...s.participants.values()]
                : Array.isArray(s.participants) ? s.participants : Object.values(s.participants);
              const p = ps.find(one => one && one.id === id);
              return !!p && ({condition_js});
            }}
            """,
            participant_id,
            what=f"participant {participant_id} with {condition_js}",
        )

    async def wait_without_participant(self, participant_id: str) -> None:
        await self.wait_until(
            """
            (id) => {
              const s = window.salonRoom && window.salonRoom.state();
              if (!s || !s.participants) return false;
              const ps = s.participants instanceof Map ? [...s.participants.values()]
                : Array.isArray(s.participants) ? s.participants : Object.values(s.participants);
              return !ps.some(one => one && one.id === id);
            }
            """,
            participant_id,
            what=f"participant {participant_id} gone",
        )

    async def sockets(self) -> list[dict[str, Any]]:
        """The page's WebSockets so far: url, readyState (0 connecting … 3 closed), and the code
        it closed with (None while open)."""
        found: list[dict[str, Any]] = await self.page.evaluate(
            "() => window.__salonTestSockets.map("
            "ws => ({url: ws.url, readyState: ws.readyState, closeCode: ws.closeCode}))"
        )
        return found

    async def wait_closed_with(self, code: int) -> None:
        """Wait until the page's last socket has closed with this close code."""
        await self.wait_until(
            "(code) => { const all = window.__salonTestSockets;"
            " return all.length > 0 && all[all.length - 1].closeCode === code; }",
            code,
            what=f"the socket closed with {code}",
        )

    def frames_sent(self, kind: str) -> list[dict[str, Any]]:
        return [frame for frame in self.sent if frame.get("type") == kind]

    def frames_received(self, kind: str) -> list[dict[str, Any]]:
        return [frame for frame in self.received if frame.get("type") == kind]

    async def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / name
        await self.page.screenshot(path=str(path))
        return path


@dataclass(repr=False, kw_only=True)
class Person(Participant):
    """One participant in Chromium: a browser context with one page."""

    context: BrowserContext
    page: Page

    def testid(self, name: str) -> Locator:
        return self.page.get_by_test_id(name)


class Crowd:
    """The people of one test; closes their contexts at the end."""

    def __init__(self, browser: Browser, log: list[str]) -> None:
        self.browser = browser
        self.lines = log
        self.people: list[Person] = []
        self.started = time.monotonic()

    def log(self, line: str) -> None:
        self.lines.append(f"{time.monotonic() - self.started:7.2f}s {clip(line)}")

    async def person(self, name: str, *, locale: str | None = None) -> Person:
        """A new participant; `locale` sets the browser's language (navigator.languages)."""
        context = await self.browser.new_context(viewport=VIEWPORT, locale=locale)
        context.set_default_timeout(UI_TIMEOUT_MS)
        await context.add_init_script(f"({TRACK_SOCKETS_JS.strip()})(null)")
        page = await context.new_page()
        person = Person(name=name, context=context, page=page, log=self.log)
        self._watch(person)
        self.people.append(person)
        return person

    def _watch(self, person: Person) -> None:
        page, tag = person.page, f"[{person.name}]"

        def on_console(message: ConsoleMessage) -> None:
            self.log(f"{tag} console.{message.type}: {message.text}")

        async def on_dialog(dialog: Dialog) -> None:
            person.dialogs.append(f"{dialog.type}: {dialog.message}")
            self.log(f"{tag} DIALOG {dialog.type}: {dialog.message}")
            await dialog.dismiss()

        def on_socket(socket: WebSocket) -> None:
            self.log(f"{tag} websocket open {socket.url}")

            def sent(payload: str | bytes) -> None:
                self.record_frame(person, "→", payload, person.sent)

            def received(payload: str | bytes) -> None:
                self.record_frame(person, "←", payload, person.received)

            socket.on("framesent", sent)
            socket.on("framereceived", received)
            socket.on("close", lambda _: self.log(f"{tag} websocket closed {socket.url}"))

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.log(f"{tag} PAGE ERROR: {error.stack or error}"))
        page.on("crash", lambda _: self.log(f"{tag} PAGE CRASHED"))
        page.on("dialog", on_dialog)
        page.on("websocket", on_socket)
        page.on(
            "requestfailed",
            lambda request: self.log(f"{tag} request failed {request.url}: {request.failure}"),
        )
        page.on(
            "response",
            lambda response: (
                self.log(f"{tag} HTTP {response.status} {response.url}")
                if response.status >= 400
                else None
            ),
        )

    def record_frame(
        self, person: Participant, arrow: str, payload: str | bytes, into: list[dict[str, Any]]
    ) -> None:
        """Log a signaling frame of the person's page and keep it, parsed, in `into`."""
        text = payload if isinstance(payload, str) else payload.decode(errors="replace")
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            into.append(parsed)
        self.log(f"[{person.name}] ws {arrow} {text}")

    async def dump(self, into: Path) -> None:
        """Screenshots and room state of every page into the folder `into`, for a failed test."""
        for index, person in enumerate(self.people):
            stem = f"{index}-{person.name}"
            try:
                await person.page.screenshot(path=str(into / f"{stem}.png"), timeout=5_000)
                state = await person.page.evaluate(STATE_JS)
                (into / f"{stem}.state.json").write_text(json.dumps(state, indent=2))
                body = await person.page.evaluate("() => document.body.innerText")
                self.log(f"[{person.name}] page text at the end: {body!r}")
                for peer in await person.page.evaluate(PEERS_JS):
                    self.log(f"[{person.name}] peer connection at the end: {peer}")
            except Error as error:
                self.log(f"[{person.name}] no dump: {error}")
        self.log(f"screenshots and states of the pages: {into}")

    async def close(self) -> None:
        for person in self.people:
            try:
                await person.context.close()
            except Error as error:
                self.log(f"[{person.name}] context close: {error}")


# --- meetings over HTTP -------------------------------------------------------------------------

FUTURE = "2099-01-01T00:00:00Z"


@dataclass(frozen=True)
class Meeting:
    meeting_id: str
    room_name: str
    room_url: str
    host_room_url: str
    viewer_room_url: str


class Meetings:
    """`POST /v1/meetings` and `DELETE /v1/meetings/{id}` with the server's first API key."""

    def __init__(self, base_url: str, key: str) -> None:
        self.base_url = base_url
        self.headers = {"Authorization": f"Bearer {key}"}

    async def create(self, *, locked: bool = False, mode: str = "normal") -> Meeting:
        body = {
            "endDate": FUTURE,
            "isLocked": locked,
            "roomMode": mode,
            "fields": ["hostRoomUrl", "viewerRoomUrl"],
        }
        async with httpx.AsyncClient(base_url=self.base_url, timeout=10) as client:
            response = await client.post("/v1/meetings", headers=self.headers, json=body)
        assert response.status_code == 201, response.text
        made = response.json()
        return Meeting(
            meeting_id=made["meetingId"],
            room_name=made["roomName"],
            room_url=made["roomUrl"],
            host_room_url=made["hostRoomUrl"],
            viewer_room_url=made["viewerRoomUrl"],
        )

    async def delete(self, meeting: Meeting) -> None:
        async with httpx.AsyncClient(base_url=self.base_url, timeout=10) as client:
            response = await client.delete(
                f"/v1/meetings/{meeting.meeting_id}", headers=self.headers
            )
        assert response.status_code == 204, response.text


# --- joining ------------------------------------------------------------------------------------


async def open_precall(person: Participant, url: str) -> None:
    """Open a room URL and wait for the pre-call review (its join button)."""
    await person.page.goto(url)
    await person.testid("precall-join").wait_for()


async def wait_for_preview(person: Participant) -> None:
    """Wait until a video element on the page shows frames (the camera preview)."""
    await person.wait_until(
        "() => [...document.querySelectorAll('video')]"
        ".some(v => v.videoWidth > 0 && v.readyState >= 2 && !v.paused)",
        what="a playing video element",
    )


async def precall_join(person: Participant, name: str | None) -> None:
    """Fill the name (unless the URL's displayName did) and press join on the pre-call screen."""
    if name is not None:
        await person.testid("precall-name").fill(name)
    await person.testid("precall-join").click()


async def join(person: Participant, url: str, name: str | None = None) -> str:
    """Go through the pre-call review into the room; the participant id the server gave.

    `name` defaults to the person's name, unless the URL carries `displayName`."""
    if name is None and "displayName=" not in url:
        name = person.name
    await open_precall(person, url)
    await precall_join(person, name)
    await wait_in_room(person)
    return person.pid


async def wait_in_room(person: Participant) -> None:
    await person.wait_until(
        "() => { const r = window.salonRoom; const s = r && r.state && r.state();"
        " return !!(s && s.me && s.me.id); }",
        what="in the room (state().me set)",
    )
    person.id = (await person.state())["me"]["id"]
    person.log(f"[{person.name}] in the room as {person.id}")


# --- media ----------------------------------------------------------------------------------------


async def inbound_stats(page: PageScripts, participant_id: str) -> InboundStats | None:
    """What the page receives from `participant_id`; None while it has no connection to it."""
    raw = await page.evaluate(INBOUND_JS, participant_id)
    if raw is None:
        return None
    return InboundStats(
        video={one["id"]: int(one["framesDecoded"]) for one in raw["video"]},
        audio={one["id"]: int(one["packetsReceived"]) for one in raw["audio"]},
        connection_state=raw["connectionState"],
        ice_state=raw["iceConnectionState"],
        detail=raw["detail"],
    )


async def assert_media_flows(
    receiver: Participant,
    sender: Participant,
    *,
    video_streams: int = 1,
    audio: bool = True,
    within_s: float = MEDIA_WITHIN_S,
) -> InboundStats:
    """`receiver` decodes `sender`'s video and receives its audio: between a first sample and a
    later one, framesDecoded grows on `video_streams` inbound video streams and packetsReceived
    grows on the audio, each by a clear margin, within `within_s`."""
    deadline = time.monotonic() + within_s
    first: InboundStats | None = None
    last: InboundStats | None = None
    while True:
        last = await inbound_stats(receiver.page, sender.pid)
        if first is None:
            first = last
        elif last is not None:
            grown_video = sum(
                1
                for stream, frames in last.video.items()
                if frames - first.video.get(stream, 0) >= MIN_FRAMES
            )
            grown_audio = last.audio_packets - first.audio_packets >= MIN_PACKETS
            if grown_video >= video_streams and (grown_audio or not audio):
                receiver.log(f"[{receiver.name}] media from {sender.name} flows: {first} → {last}")
                return last
        if time.monotonic() > deadline:
            state = await receiver.page.evaluate(STATE_JS)
            raise AssertionError(
                f"{receiver.name} does not get {sender.name}'s media within {within_s} s "
                f"(wanted {video_streams} video stream(s) decoding"
                f"{' and audio' if audio else ''}):\n first sample: {first}\n last sample: "
                f"{last}\n receiver state: {json.dumps(state)[:3000]}"
            )
        await asyncio.sleep(POLL_S)


async def assert_mesh_flows(people: Sequence[Participant]) -> None:
    """Everyone decodes everyone else's video and receives their audio."""
    await asyncio.gather(
        *(
            assert_media_flows(receiver, sender)
            for receiver in people
            for sender in people
            if receiver is not sender
        )
    )


SENDING_JS = """
(kind) => {
  const out = [];
  for (const [peer, pc] of window.salonRoom.peers) {
    for (const t of pc.getTransceivers()) {
      if (t.stopped || t.receiver.track.kind !== kind) continue;
      const track = t.sender.track;
      const direction = t.currentDirection || t.direction;
      out.push({ peer, direction, live: !!track && track.enabled && track.readyState === 'live'
        && (direction === 'sendrecv' || direction === 'sendonly') });
    }
  }
  return out;
}
"""


async def wait_sending(person: Participant, kind: str, *, on: bool) -> None:
    """Wait until the person sends `kind` to every peer (on), or to none (off)."""
    predicate = f"""
    ([kind, on]) => {{
      const all = ({SENDING_JS.strip()})(kind);
      return all.length > 0 && all.every(one => one.live === on);
    }}
    """
    await person.wait_until(
        predicate, [kind, on], what=f"sending {kind} {'on' if on else 'off'} to every peer"
    )


def notice_selector(kind: str) -> str:
    return f'[data-testid="notice"][data-kind="{kind}"]'


def participant_selector(testid: str, participant_id: str) -> str:
    return f'[data-testid="{testid}"][data-participant-id="{participant_id}"]'


def tile_selector(participant_id: str, kind: str = "camera") -> str:
    return f'{participant_selector("tile", participant_id)}[data-kind="{kind}"]'


def notice(person: Person, kind: str) -> Locator:
    return person.page.locator(notice_selector(kind))


def by_participant(person: Person, testid: str, participant_id: str) -> Locator:
    """The element with this data-testid for this participant (person, knock)."""
    return person.page.locator(participant_selector(testid, participant_id))


def tile(person: Person, participant_id: str, kind: str = "camera") -> Locator:
    """A participant's tile: their camera's, or the screen they share."""
    return person.page.locator(tile_selector(participant_id, kind))


TILES_PLAY_JS = """
([ids, kind]) => ids.every(id => {
  const video = document.querySelector(
    `[data-testid="tile"][data-participant-id="${id}"][data-kind="${kind}"] video`);
  return !!video && video.videoWidth > 0 && video.readyState >= 2 && !video.paused;
})
"""


async def wait_tiles_play(person: Participant, ids: list[str], kind: str = "camera") -> None:
    """Wait until the tiles of these participants play their video on the person's page."""
    await person.wait_until(TILES_PLAY_JS, [ids, kind], what=f"{kind} tiles of {ids} play")


# --- a raw signaling client ---------------------------------------------------------------------


class RawClient:
    """A signaling WebSocket with no page behind it: what a hostile client can send."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.frames: list[dict[str, Any]] = []

    @classmethod
    async def connect(cls, base_url: str) -> "RawClient":
        url = base_url.replace("http://", "ws://", 1) + SIGNAL_PATH
        # The room page's own origin, as a browser would send it: what is tested is the role.
        return cls(await connect(url, origin=Origin(base_url)))

    async def send(self, message: dict[str, Any]) -> None:
        await self.connection.send(json.dumps(message))

    async def next(self, kind: str, within_s: float = UI_TIMEOUT_MS / 1000) -> dict[str, Any]:
        """The next frame of this type; frames of other types are kept in `frames`."""
        async with asyncio.timeout(within_s):
            while True:
                frame = json.loads(await self.connection.recv())
                self.frames.append(frame)
                if frame.get("type") == kind:
                    found: dict[str, Any] = frame
                    return found

    async def close(self) -> None:
        await self.connection.close()


# --- media that stops -----------------------------------------------------------------------------

STILL_FOR_S = 1.5
"""A stream counts as stopped once its counter has not moved for this long: 30 frames of the fake
camera, or several beeps of the fake microphone."""
SILENCE_ENERGY = 1e-6
"""The totalAudioEnergy a muted microphone may still add in STILL_FOR_S: what it sends decodes to
about 1e-9 a second, while the fake microphone's beeps add about 0.2 a second."""

TONE_TRACK_JS = """
  const context = new AudioContext();
  const tone = context.createOscillator();
  const out = context.createMediaStreamDestination();
  tone.connect(out);
  tone.start();
  await context.resume();
  const toneTrack = out.stream.getAudioTracks()[0];
"""
"""Statements for an async page function: a steady tone as `toneTrack`, louder and more regular
than the fake microphone's beep, for tests that need someone to keep speaking."""

HEARD_JS = """
async (id) => {
  const pc = window.salonRoom && window.salonRoom.peers && window.salonRoom.peers.get(id);
  if (!pc) return null;
  const report = await pc.getStats();
  let frames = 0, energy = 0, packets = 0;
  report.forEach(s => {
    if (s.type !== 'inbound-rtp') return;
    if (s.kind === 'video') frames += s.framesDecoded ?? 0;
    else { energy += s.totalAudioEnergy ?? 0; packets += s.packetsReceived ?? 0; }
  });
  return { video: frames, audio: energy, packets };
}
"""


async def assert_media_stops(
    receiver: Participant, sender: Participant, kind: str, *, within_s: float = MEDIA_WITHIN_S
) -> None:
    """`receiver` stops getting `sender`'s `kind` ("video" or "audio"): no new frame decoded, or
    no more sound heard (totalAudioEnergy stops growing: a muted microphone goes on sending packets,
    of silence), for STILL_FOR_S in a row, within `within_s`. Prove that it flowed first."""
    allowed_growth = SILENCE_ENERGY if kind == "audio" else 0.0
    deadline = time.monotonic() + within_s
    base: float | None = None
    still_since = time.monotonic()
    samples: list[str] = []
    while True:
        heard = await receiver.page.evaluate(HEARD_JS, sender.pid)
        now = time.monotonic()
        value = None if heard is None else float(heard[kind])
        samples.append(f"{value} (audio packets {None if heard is None else heard['packets']})")
        if value is None or base is None or value - base > allowed_growth:
            base, still_since = value, now
        elif now - still_since >= STILL_FOR_S:
            receiver.log(f"[{receiver.name}] {kind} from {sender.name} stopped: {samples[-3:]}")
            return
        if now > deadline:
            raise AssertionError(
                f"{receiver.name} still gets {sender.name}'s {kind} after {within_s} s: "
                f"samples {samples[-12:]}"
            )
        await asyncio.sleep(POLL_S)
