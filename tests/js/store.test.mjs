// The one store (store.js) both states live in, the tables of handlers it reads, and the pure
// part of the session's reactions.
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";

import en from "../../src/salon/static/room/i18n/en.js";
import { useCatalog } from "../../src/salon/static/room/i18n.js";
import { groupChangeText } from "../../src/salon/static/room/session/reactions.js";
import { initialState, reduce } from "../../src/salon/static/room/state.js";
import { createStore, lookup } from "../../src/salon/static/room/store.js";
import { initialUi, reduceUi } from "../../src/salon/static/room/ui.js";

afterEach(() => useCatalog("en", en));

describe("store", () => {
  it("tells its listeners of a new state, with the previous one and the event", () => {
    const store = createStore((n, event) => (event.type === "add" ? n + event.by : n), 1);
    const heard = [];
    const stop = store.subscribe((...args) => heard.push(args));
    store.dispatch({ type: "add", by: 2 });
    assert.equal(store.getState(), 3);
    assert.deepEqual(heard, [[3, 1, { type: "add", by: 2 }]]);
    stop();
    store.dispatch({ type: "add", by: 1 });
    assert.equal(heard.length, 1);
  });

  it("stays quiet when the reducer returns the same state", () => {
    const store = createStore((s) => s, { a: 1 });
    let calls = 0;
    store.subscribe(() => (calls += 1));
    store.dispatch({ type: "anything" });
    assert.equal(calls, 0);
  });
});

describe("lookup", () => {
  it("finds own entries only: no type reaches Object.prototype", () => {
    const table = { chat: 1 };
    assert.equal(lookup(table, "chat"), 1);
    for (const type of ["toString", "constructor", "__proto__", "hasOwnProperty"]) assert.equal(lookup(table, type), undefined);
  });

  it("leaves both states as they are for such types", () => {
    const room = initialState();
    const ui = initialUi({ floatSelf: false, lowData: false });
    for (const type of ["toString", "constructor", "valueOf", "local/unknown", "ui/unknown"]) {
      assert.equal(reduce(room, { type }), room);
      assert.equal(reduceUi(ui, { type }), ui);
    }
  });
});

describe("breakout toasts", () => {
  const session = (assignments, allowChoose = false) => ({ groups: ["Red", "Blue"], assignments, allowChoose });

  it("says when a session starts, moves me, sends me back, and ends", () => {
    assert.equal(groupChangeText(null, session({}), "me"), en["breakout.toast.started"]);
    assert.equal(groupChangeText(null, session({}, true), "me"), en["breakout.toast.startedChoose"]);
    assert.equal(groupChangeText(session({}), session({ me: 1 }), "me"), "You're now in Blue");
    assert.equal(groupChangeText(null, session({ me: 0 }), "me"), "You're now in Red");
    assert.equal(groupChangeText(session({ me: 0 }), session({}), "me"), en["breakout.toast.mainRoom"]);
    assert.equal(groupChangeText(session({ me: 0 }), null, "me"), en["breakout.toast.ended"]);
  });

  it("says nothing when my place did not change", () => {
    assert.equal(groupChangeText(session({ me: 0 }), session({ me: 0, other: 1 }), "me"), null);
    assert.equal(groupChangeText(session({}), session({ other: 1 }), "me"), null);
    assert.equal(groupChangeText(null, null, "me"), null);
  });
});
