"""Firefox participants for the browser tests, beside Chromium's: a FirefoxPerson is a Participant
(harness.py) like a Person, so `join`, `assert_media_flows`, `wait_tiles_play` and the rest take
either. Each one is a user context of its own (cookies, storage) with one window, in the one
Firefox of a test module (bidi.py launches it).

A FirefoxPage offers the part of Playwright's Page the tests use (evaluate, wait_for_function,
goto, locators by test id or CSS); `expect` checks a FirefoxLocator the way Playwright's `expect`
checks a Locator, by polling the page until a deadline. Clicks are real input (a trusted gesture),
as Firefox wants for getDisplayMedia.
"""

import asyncio
import base64
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from browser.bidi import Bidi, BidiError, Firefox
from browser.harness import (
    PEERS_JS,
    POLL_S,
    STATE_JS,
    TRACK_SOCKETS_JS,
    UI_TIMEOUT_MS,
    VIEWPORT,
    Crowd,
    Participant,
)

CALL_JS = """async function (json) {{
  const f = ({expression});
  const value = typeof f === 'function' ? await f(JSON.parse(json)) : await f;
  return JSON.stringify({{ value }});
}}"""
"""Playwright's evaluate: a function is called with the argument, anything else is evaluated; the
argument and the result cross as JSON."""
WAIT_CHUNK_MS = 2_000
"""wait_for_function polls inside the page for at most this long per call, so that a navigation
(which ends the call) only costs one chunk."""

# Checks of one element of a selector (nth `index`), for locators and `expect`.
ELEMENT_JS = """
([selector, index, check, expected]) => {
  const all = document.querySelectorAll(selector);
  const el = all[index];
  const visible = (e) => !!e && e.checkVisibility({ visibilityProperty: true })
    && e.getBoundingClientRect().width > 0 && e.getBoundingClientRect().height > 0;
  const text = (e) => (e ? e.innerText || e.textContent || '' : '').replace(/\\s+/g, ' ').trim();
  switch (check) {
    case 'count': return all.length;
    case 'visible': return visible(el);
    case 'text': return el ? text(el) : null;
    case 'attribute': return el ? el.getAttribute(expected) : null;
    case 'value': return el ? el.value : null;
    case 'enabled': return !!el && !el.disabled;
    case 'actionable': {
      if (!visible(el) || el.disabled) return false;
      el.scrollIntoView({ block: 'center', inline: 'center' });
      const box = el.getBoundingClientRect();
      const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
      return !!hit && (hit === el || el.contains(hit));
    }
    case 'fill': {
      el.focus();
      el.value = expected;
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
      return true;
    }
  }
  throw new Error(`unknown check ${check}`);
}
"""
NODE_JS = "(selector, index) => document.querySelectorAll(selector)[index]"


class FirefoxPage:
    """One browsing context (a window, or a frame in it) of a FirefoxPerson."""

    def __init__(self, firefox: Firefox, context: str) -> None:
        self.firefox = firefox
        self.context = context

    @property
    def bidi(self) -> Bidi:
        return self.firefox.bidi

    async def call(self, declaration: str, *args: dict[str, Any]) -> dict[str, Any]:
        """script.callFunction in this context: the BiDi remote value it returned."""
        answer = await self.bidi.command(
            "script.callFunction",
            {
                "functionDeclaration": declaration,
                "arguments": list(args),
                "target": {"context": self.context},
                "awaitPromise": True,
            },
        )
        if answer["type"] == "exception":
            details = answer["exceptionDetails"]
            raise BidiError(f"in the page: {details.get('text')} ({details.get('stackTrace')})")
        value: dict[str, Any] = answer["result"]
        return value

    async def evaluate(self, expression: str, arg: Any = None) -> Any:
        wrapped = CALL_JS.format(expression=expression.strip())
        result = await self.call(wrapped, {"type": "string", "value": json.dumps(arg)})
        return json.loads(result["value"]).get("value")

    async def wait_for_function(
        self,
        expression: str,
        *,
        arg: Any = None,
        timeout: float | None = None,  # noqa: ASYNC109 (Playwright's signature, in ms)
    ) -> object:
        """Wait until the (possibly async) function returns something truthy; TimeoutError after
        `timeout` ms. A navigation meanwhile ends one poll, not the wait."""
        deadline = time.monotonic() + (UI_TIMEOUT_MS if timeout is None else timeout) / 1000
        poll = f"""async ([arg, ms]) => {{
          const f = ({expression.strip()});
          const end = performance.now() + ms;
          for (;;) {{
            const value = await f(arg);
            if (value) return value;
            if (performance.now() >= end) return null;
            await new Promise((resolve) => setTimeout(resolve, 50));
          }}
        }}"""
        last_error: BidiError | None = None
        while True:
            left_ms = (deadline - time.monotonic()) * 1000
            if left_ms <= 0:
                raise TimeoutError(f"{expression.strip()[:200]} (last error: {last_error})")
            try:
                value = await self.evaluate(poll, [arg, min(left_ms, WAIT_CHUNK_MS)])
            except BidiError as error:
                last_error = error
                await asyncio.sleep(POLL_S)
                continue
            if value:
                found: object = value
                return found

    async def goto(self, url: str) -> object:
        return await self.bidi.command(
            "browsingContext.navigate", {"context": self.context, "url": url, "wait": "complete"}
        )

    async def reload(self) -> object:
        return await self.bidi.command(
            "browsingContext.reload", {"context": self.context, "wait": "complete"}
        )

    async def screenshot(self, *, path: str) -> bytes:
        answer = await self.bidi.command(
            "browsingContext.captureScreenshot", {"context": self.context}
        )
        png = base64.b64decode(answer["data"])
        await asyncio.to_thread(Path(path).write_bytes, png)
        return png

    async def set_viewport_size(self, size: Mapping[str, object]) -> None:
        await self.bidi.command(
            "browsingContext.setViewport", {"context": self.context, "viewport": dict(size)}
        )

    async def frames(self) -> list["FirefoxPage"]:
        """The frames of this page (its iframes), in document order."""
        tree = await self.bidi.command(
            "browsingContext.getTree", {"root": self.context, "maxDepth": 1}
        )
        return [
            FirefoxPage(self.firefox, child["context"])
            for child in tree["contexts"][0]["children"] or []
        ]

    def locator(self, selector: str) -> "FirefoxLocator":
        return FirefoxLocator(self, selector)

    def get_by_test_id(self, name: str) -> "FirefoxLocator":
        return self.locator(f'[data-testid="{name}"]')


class FirefoxLocator:
    """The `index`th element matching a CSS selector, looked up anew at each use (as Playwright's
    locators are); actions wait until the element can take them."""

    def __init__(self, page: FirefoxPage, selector: str, index: int = 0) -> None:
        self.page = page
        self.selector = selector
        self.index = index

    def __repr__(self) -> str:
        return f"FirefoxLocator({self.selector!r}, nth={self.index})"

    def nth(self, index: int) -> "FirefoxLocator":
        return FirefoxLocator(self.page, self.selector, index)

    def locator(self, selector: str) -> "FirefoxLocator":
        return FirefoxLocator(self.page, f"{self.selector} {selector}")

    async def check(self, check: str, expected: Any = None) -> Any:
        return await self.page.evaluate(ELEMENT_JS, [self.selector, self.index, check, expected])

    async def wait(self, check: str, what: str) -> None:
        predicate = f"(args) => ({ELEMENT_JS.strip()})(args)"
        try:
            await self.page.wait_for_function(
                predicate, arg=[self.selector, self.index, check, None]
            )
        except TimeoutError as error:
            raise AssertionError(f"{self} {what} within {UI_TIMEOUT_MS} ms") from error

    async def wait_for(self) -> None:
        await self.wait("visible", "visible")

    async def click(self) -> None:
        """A real mouse click in the middle of the element, once it is visible, enabled and not
        covered."""
        await self.wait("actionable", "visible, enabled and not covered")
        node = await self.page.call(
            f"function () {{ return ({NODE_JS})(...arguments); }}",
            {"type": "string", "value": self.selector},
            {"type": "number", "value": self.index},
        )
        origin = {"type": "element", "element": {"sharedId": node["sharedId"]}}
        mouse = [
            {"type": "pointerMove", "x": 0, "y": 0, "origin": origin},
            {"type": "pointerDown", "button": 0},
            {"type": "pointerUp", "button": 0},
        ]
        await self.page.bidi.command(
            "input.performActions",
            {
                "context": self.page.context,
                "actions": [{"type": "pointer", "id": "mouse", "actions": mouse}],
            },
        )

    async def fill(self, value: str) -> None:
        await self.wait("enabled", "enabled")
        await self.check("fill", value)

    async def select_option(self, value: str) -> None:
        await self.fill(value)

    async def count(self) -> int:
        found: int = await self.check("count")
        return found

    async def text(self) -> str | None:
        found: str | None = await self.check("text")
        return found

    async def get_attribute(self, name: str) -> str | None:
        found: str | None = await self.check("attribute", name)
        return found

    async def is_visible(self) -> bool:
        return bool(await self.check("visible"))


class Expectation:
    """Playwright's `expect(locator)` for a FirefoxLocator: each check polls until it holds."""

    def __init__(self, locator: FirefoxLocator) -> None:
        self.locator = locator

    async def _until(self, check: str, arg: Any, test: str, what: str) -> None:
        """Wait until `test` (JS over `value`, `wanted`) holds for the check's value."""
        loc = self.locator
        predicate = f"""([selector, index, check, arg, wanted]) => {{
          const value = ({ELEMENT_JS.strip()})([selector, index, check, arg]);
          return {test};
        }}"""
        try:
            await loc.page.wait_for_function(
                predicate, arg=[loc.selector, loc.index, check, arg, what]
            )
        except TimeoutError as error:
            now = await loc.check(check, arg)
            raise AssertionError(f"{loc}: expected {check} {what!r}, found {now!r}") from error

    async def to_be_visible(self) -> None:
        await self._until("visible", None, "value === true", "true")

    async def to_be_hidden(self) -> None:
        await self._until("visible", None, "value === false", "false")

    async def to_have_count(self, count: int) -> None:
        await self._until("count", None, "String(value) === wanted", str(count))

    async def to_have_text(self, text: str) -> None:
        await self._until("text", None, "value === wanted", text)

    async def to_contain_text(self, text: str) -> None:
        await self._until("text", None, "value !== null && value.includes(wanted)", text)

    async def to_have_attribute(self, name: str, value: str) -> None:
        await self._until("attribute", name, "value === wanted", value)

    async def to_be_enabled(self) -> None:
        await self._until("enabled", None, "value === true", "true")


def expect(locator: FirefoxLocator) -> Expectation:
    return Expectation(locator)


@dataclass(repr=False, kw_only=True)
class FirefoxPerson(Participant):
    """One participant in Firefox: a user context with one window."""

    page: FirefoxPage
    user_context: str

    def testid(self, name: str) -> FirefoxLocator:
        return self.page.get_by_test_id(name)


class FirefoxCrowd:
    """The Firefox people of one test, logging into the test's Crowd (so a failure shows both
    browsers' pages, in order); closes their user contexts at the end."""

    def __init__(self, firefox: Firefox, crowd: Crowd) -> None:
        self.firefox = firefox
        self.crowd = crowd
        self.people: list[FirefoxPerson] = []
        self._scripts: list[str] = []
        self._dismissals: set[asyncio.Task[dict[str, Any]]] = set()

    async def person(self, name: str) -> FirefoxPerson:
        bidi = self.firefox.bidi
        user_context = (await bidi.command("browser.createUserContext", {}))["userContext"]
        channel = f"sockets-{user_context}"
        script = await bidi.command(
            "script.addPreloadScript",
            {
                "functionDeclaration": TRACK_SOCKETS_JS.strip(),
                "arguments": [{"type": "channel", "value": {"channel": channel}}],
                "userContexts": [user_context],
            },
        )
        self._scripts.append(script["script"])
        window = await bidi.command(
            "browsingContext.create", {"type": "window", "userContext": user_context}
        )
        page = FirefoxPage(self.firefox, window["context"])
        await page.set_viewport_size(VIEWPORT)
        person = FirefoxPerson(name=name, page=page, log=self.crowd.log, user_context=user_context)
        self.firefox.route(page.context, lambda event, params: self._event(person, event, params))
        self.people.append(person)
        return person

    def _event(self, person: FirefoxPerson, event: str, params: dict[str, Any]) -> None:
        tag = f"[{person.name} (Firefox)]"
        if event == "log.entryAdded":
            if params["type"] == "console":
                self.crowd.log(f"{tag} console.{params['level']}: {params['text']}")
            else:
                self.crowd.log(f"{tag} PAGE ERROR: {params['text']} {params.get('stackTrace')}")
        elif event == "script.message":
            kind, text = (item["value"] for item in params["data"]["value"])
            if kind in ("→", "←"):
                into = person.sent if kind == "→" else person.received
                self.crowd.record_frame(person, kind, text, into)
            else:
                self.crowd.log(f"{tag} websocket {kind} {text}")
        elif event == "browsingContext.userPromptOpened":
            person.dialogs.append(f"{params['type']}: {params['message']}")
            self.crowd.log(f"{tag} DIALOG {params['type']}: {params['message']}")
            dismiss = {"context": params["context"], "accept": False}
            task = asyncio.get_running_loop().create_task(
                self.firefox.bidi.command("browsingContext.handleUserPrompt", dismiss)
            )
            self._dismissals.add(task)
            task.add_done_callback(self._dismissals.discard)

    async def dump(self, into: Path) -> None:
        """Screenshots, room state and peer connections of every page, for a failed test."""
        for index, person in enumerate(self.people):
            stem = f"firefox-{index}-{person.name}"
            try:
                await person.page.screenshot(path=str(into / f"{stem}.png"))
                state = await person.page.evaluate(STATE_JS)
                (into / f"{stem}.state.json").write_text(json.dumps(state, indent=2))
                body = await person.page.evaluate("() => document.body.innerText")
                self.crowd.log(f"[{person.name}] page text at the end: {body!r}")
                for peer in await person.page.evaluate(PEERS_JS):
                    self.crowd.log(f"[{person.name}] peer connection at the end: {peer}")
            except BidiError as error:
                self.crowd.log(f"[{person.name}] no dump: {error}")
        self.crowd.log("Firefox's last output: " + "".join(self.firefox.stderr[-20:]))

    async def close(self) -> None:
        bidi = self.firefox.bidi
        for script in self._scripts:
            await bidi.command("script.removePreloadScript", {"script": script})
        for person in self.people:
            self.firefox.route(person.page.context, None)
            await bidi.command("browser.removeUserContext", {"userContext": person.user_context})
