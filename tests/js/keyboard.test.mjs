// Keyboard shortcuts (keyboard.js) and the grid's page turns they ask for (actions/page.js).
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { createActions } from "../../src/salon/static/room/actions.js";
import en from "../../src/salon/static/room/i18n/en.js";
import { useCatalog } from "../../src/salon/static/room/i18n.js";
import { shortcutFor } from "../../src/salon/static/room/keyboard.js";
import { parseParams } from "../../src/salon/static/room/params.js";
import { createStore } from "../../src/salon/static/room/state.js";
import { createUiStore, initialUi } from "../../src/salon/static/room/ui.js";

const key = (k, shiftKey = false) => shortcutFor({ key: k, shiftKey });
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("shortcutFor", () => {
  it("maps the room's keys to their actions", () => {
    assert.equal(key("m"), "toggle-mic");
    assert.equal(key("M"), "toggle-mic");
    assert.equal(key("S", true), "toggle-screenshare");
    assert.equal(key("s"), null);
    assert.equal(key("Escape"), null); // bindShortcuts handles it apart (it closes the panel from a field too)
  });

  it("turns the grid's pages with PageUp/PageDown and [ ]", () => {
    assert.equal(key("PageDown"), "grid-next-page");
    assert.equal(key("]"), "grid-next-page");
    assert.equal(key("PageUp"), "grid-previous-page");
    assert.equal(key("["), "grid-previous-page");
  });

  it("knows no key named after Object.prototype", () => {
    assert.equal(key("constructor"), null);
    assert.equal(key("toString"), null);
  });
});

/** A room of `pages` grid pages, on page `page` (from 0), as the view's turnPage sees it. */
function setup({ page = 0, pages = 3, phase = "room" } = {}) {
  useCatalog("en", en);
  const params = parseParams("");
  const store = createStore();
  if (phase === "room") {
    store.dispatch({ type: "joined", participantId: "me", role: "visitor", room: { name: "/r", mode: "group", locked: false, spotlight: null, capacity: 50 }, participants: [] });
  }
  const announced = [];
  const turns = [];
  const view = {
    tiles: () => ({ tiles: [], stageKey: null }),
    videoFor: () => null,
    turnPage: (delta) => {
      turns.push(delta);
      const next = Math.min(Math.max(0, page + delta), pages - 1);
      const moved = next !== page;
      page = next;
      return { page, pages, moved };
    },
  };
  const record = () => () => true;
  const actions = createActions({
    store, ui: createUiStore(initialUi(params)), params, view,
    media: { audioOn: false, videoOn: false }, signaling: { send: record() },
    session: { join: record(), leave: record(), knock: record(), cancelKnock: record() },
    embed: { emit: () => {} }, pip: { supported: false, open: false, toggle: record() },
    startDevices: record(), shareUrl: "https://meet.example/r", notify: record(),
    announce: (text) => announced.push(text), rememberName: record(),
  });
  return { actions, announced, turns };
}

describe("grid page turns", () => {
  it("turn the page; the page bar's live text says it, so the announcer stays quiet", async () => {
    const { actions, announced, turns } = setup({ page: 0, pages: 3 });
    actions.run("grid-next-page");
    actions.run("grid-previous-page");
    await tick();
    assert.deepEqual(turns, [1, -1]);
    assert.deepEqual(announced, []);
  });

  it("at the last or the first page, announce the page the user is on", async () => {
    const last = setup({ page: 2, pages: 3 });
    last.actions.run("grid-next-page");
    const first = setup({ page: 0, pages: 3 });
    first.actions.run("grid-previous-page");
    await tick();
    assert.deepEqual(last.announced, ["Page 3 of 3"]);
    assert.deepEqual(first.announced, ["Page 1 of 3"]);
  });

  it("say nothing with a single page, and do nothing outside the room", async () => {
    const single = setup({ pages: 1 });
    single.actions.run("grid-next-page");
    const outside = setup({ phase: "precall" });
    outside.actions.run("grid-next-page");
    await tick();
    assert.deepEqual(single.announced, []);
    assert.deepEqual(outside.turns, []);
  });
});
