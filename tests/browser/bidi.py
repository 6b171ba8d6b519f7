"""Debian's Firefox ESR driven over WebDriver BiDi: the browser is launched with its remote agent on
a free port, and one WebSocket carries the commands and the events, with no driver in between.

Why this driver: the tests are asynchronous Python, as Playwright's are for Chromium, and a BiDi
socket is exactly that, with the `websockets` client the suite already has and nothing downloaded
at run time. It gives what the Chromium harness relies on: isolated user contexts (each participant
its own cookies) in one browser process, scripts installed before any page script runs (the socket
tracker), console output and uncaught errors as events, trusted clicks (getDisplayMedia needs a
real user gesture in Firefox), and viewports set per page. Selenium would run the same protocol
through geckodriver on threads; puppeteer-core would need Node beside the Python suite; Playwright's
own Firefox is a patched build that cannot be installed here.
"""

import asyncio
import functools
import json
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

FIREFOX = "/usr/bin/firefox-esr"
FIREFOX_PREFS: dict[str, bool | int | str] = {
    # Fake camera and microphone (a test pattern and a tone) and the fake screen, without prompts.
    "media.navigator.streams.fake": True,
    "media.navigator.permission.disabled": True,
    # Without these two Firefox gathers only the default route's address for ICE, and a namespace
    # with only `lo` has none.
    "permissions.default.camera": 1,
    "permissions.default.microphone": 1,
    "media.peerconnection.ice.loopback": True,
    "media.peerconnection.ice.obfuscate_host_addresses": False,
    # Every participant has a window of its own; none of them counts as hidden, so timers, video
    # and requestAnimationFrame are not throttled the way a background tab's are.
    "dom.min_background_timeout_value": 4,
    "dom.timeout.enable_budget_timer_throttling": False,
    "widget.windows.window_occlusion_tracking.enabled": False,
    # The pages of other sites (https_pages.py) have names under example.test: all this machine.
    "network.dns.forceResolve": "127.0.0.1",
}
EVENTS = [
    "log.entryAdded",
    "script.message",
    "browsingContext.contextCreated",
    "browsingContext.userPromptOpened",
]
START_WITHIN_S = 60.0
CLOSE_WITHIN_S = 15.0
LISTENING = re.compile(r"WebDriver BiDi listening on (ws://\S+)")

Handler = Callable[[dict[str, Any]], None]
Route = Callable[[str, dict[str, Any]], None]
"""Hears the events (name, parameters) of one window and of the frames in it."""


class BidiError(Exception):
    """A command the browser answered with an error (its `error` code and message)."""


class Bidi:
    """One BiDi session: commands matched to their answers by id, events to their handlers."""

    def __init__(self, connection: ClientConnection) -> None:
        self._connection = connection
        self._last_id = 0
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._handlers: dict[str, list[Handler]] = {}
        self._reader = asyncio.get_running_loop().create_task(self._read())

    def on(self, event: str, handler: Handler) -> None:
        self._handlers.setdefault(event, []).append(handler)

    async def command(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        self._last_id += 1
        answer = asyncio.get_running_loop().create_future()
        self._waiting[self._last_id] = answer
        await self._connection.send(
            json.dumps({"id": self._last_id, "method": method, "params": params})
        )
        result: dict[str, Any] = await answer
        return result

    async def _read(self) -> None:
        try:
            async for raw in self._connection:
                message = json.loads(raw)
                waiting = self._waiting.pop(message.get("id", -1), None)
                if waiting is not None and not waiting.done():
                    if message.get("type") == "error":
                        waiting.set_exception(
                            BidiError(f"{message.get('error')}: {message.get('message')}")
                        )
                    else:
                        waiting.set_result(message.get("result", {}))
                elif message.get("type") == "event":
                    for handler in self._handlers.get(message["method"], []):
                        handler(message["params"])
        finally:
            for waiting in self._waiting.values():
                if not waiting.done():
                    waiting.set_exception(BidiError("the BiDi connection closed"))

    async def close(self) -> None:
        self._reader.cancel()
        await self._connection.close()


class Firefox:
    """One Firefox process with a fresh profile and one BiDi session."""

    def __init__(self, process: asyncio.subprocess.Process, bidi: Bidi, profile: Path) -> None:
        self.process = process
        self.bidi = bidi
        self.profile = profile
        self.version = ""
        self.stderr: list[str] = []
        self._parents: dict[str, str | None] = {}
        self._drain: asyncio.Task[None] | None = None
        self._routes: dict[str, Route] = {}
        bidi.on("browsingContext.contextCreated", self._created)
        for event in EVENTS:
            bidi.on(event, functools.partial(self._route, event))

    @classmethod
    async def launch(cls, binary: str = FIREFOX) -> "Firefox":
        profile = Path(tempfile.mkdtemp(prefix="salon-firefox-"))
        (profile / "user.js").write_text(
            "".join(
                f'user_pref("{name}", {json.dumps(value)});\n'
                for name, value in FIREFOX_PREFS.items()
            )
        )
        process = await asyncio.create_subprocess_exec(
            binary, "--headless", "--no-remote", "--profile", str(profile),
            "--remote-debugging-port=0",
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert process.stderr is not None
        seen: list[str] = []
        try:
            async with asyncio.timeout(START_WITHIN_S):
                while (found := LISTENING.search(seen[-1] if seen else "")) is None:
                    line = await process.stderr.readline()
                    if not line:
                        raise BidiError(f"{binary} exited at start: {''.join(seen)}")
                    seen.append(line.decode(errors="replace"))
            connection = await connect(f"{found.group(1)}/session", max_size=None)
        except BaseException:
            process.kill()
            await process.wait()
            shutil.rmtree(profile, ignore_errors=True)
            raise
        firefox = cls(process, Bidi(connection), profile)
        firefox.stderr = seen
        firefox._drain = asyncio.get_running_loop().create_task(firefox._keep_stderr())
        started = await firefox.bidi.command(
            "session.new",
            {"capabilities": {"alwaysMatch": {
                "acceptInsecureCerts": True, "unhandledPromptBehavior": {"default": "ignore"},
            }}},
        )  # fmt: skip
        firefox.version = started["capabilities"]["browserVersion"]
        await firefox.bidi.command("session.subscribe", {"events": EVENTS})
        return firefox

    async def _keep_stderr(self) -> None:
        """Read what Firefox prints, so that a full pipe never stalls it; the last lines are
        kept for a failure's report."""
        assert self.process.stderr is not None
        while line := await self.process.stderr.readline():
            self.stderr = [*self.stderr[-200:], line.decode(errors="replace")]

    def _created(self, params: dict[str, Any]) -> None:
        self._parents[params["context"]] = params.get("parent")

    def route(self, window: str, to: Route | None) -> None:
        """Send the events of this window (a top-level browsing context) and of its frames to
        `to`; None stops them."""
        if to is None:
            self._routes.pop(window, None)
        else:
            self._routes[window] = to

    def _route(self, event: str, params: dict[str, Any]) -> None:
        context = params.get("context") or params.get("source", {}).get("context")
        to = None if context is None else self._routes.get(self.top_of(context))
        if to is not None:
            to(event, params)

    def top_of(self, context: str) -> str:
        """The top-level browsing context (the window) that holds `context`, an iframe's or its
        own."""
        while (parent := self._parents.get(context)) is not None:
            context = parent
        return context

    async def close(self) -> None:
        try:
            async with asyncio.timeout(CLOSE_WITHIN_S):
                await self.bidi.command("browser.close", {})
        except (BidiError, TimeoutError):
            pass
        await self.bidi.close()
        try:
            async with asyncio.timeout(CLOSE_WITHIN_S):
                await self.process.wait()
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
        if self._drain is not None:
            self._drain.cancel()
        shutil.rmtree(self.profile, ignore_errors=True)
