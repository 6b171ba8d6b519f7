// Breakout groups, pure: who shares my space, the host's plan (rename, add, remove, assign,
// shuffle) and the messages that start it; the room state carrying the session and the clock.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  assignMessages, DEFAULT_GROUP_COUNT, GROUP_NAME_MAX, groupOf, groupsProblem, initialDraft, initialNames, inMySpace,
  readBreakout, reduceDraft, sameSpace, shuffle, startMessages,
} from "../../src/salon/static/room/breakout.js";
import { MAX_GROUPS, parseParams } from "../../src/salon/static/room/params.js";
import { reduce, initialState } from "../../src/salon/static/room/state.js";

/** A seeded generator, so a shuffle is repeatable in a test. */
function seeded(seed) {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

const session = { groups: ["Orange", "Banana"], assignments: { a: 0, b: 1, c: 0 }, allowChoose: false };
const people = ["a", "b", "c", "d"].map((id) => ({ id }));

describe("spaces", () => {
  it("a group index, or null for the main room and outside a session", () => {
    assert.equal(groupOf(session, "a"), 0);
    assert.equal(groupOf(session, "d"), null);
    assert.equal(groupOf(null, "a"), null);
  });

  it("people share a space in the same group, or both in the main room", () => {
    assert.equal(sameSpace(session, "a", "c"), true);
    assert.equal(sameSpace(session, "a", "b"), false);
    assert.equal(sameSpace(session, "d", "x"), true);
    assert.equal(sameSpace(null, "a", "b"), true);
  });

  it("inMySpace keeps the others of my group (everyone outside a session)", () => {
    assert.deepEqual(inMySpace(session, "a", people).map((p) => p.id), ["a", "c"]);
    assert.deepEqual(inMySpace(session, "b", people).map((p) => p.id), ["b"]);
    assert.deepEqual(inMySpace(session, "d", people).map((p) => p.id), ["d"]);
    assert.deepEqual(inMySpace(null, "a", people), people);
  });

  it("readBreakout keeps valid assignments only", () => {
    assert.equal(readBreakout(null), null);
    assert.equal(readBreakout({ groups: "x" }), null);
    assert.deepEqual(readBreakout({ groups: ["A"], assignments: { a: 0, b: 3, c: "0", d: -1 }, allowChoose: 1 }), {
      groups: ["A"], assignments: { a: 0 }, allowChoose: true,
    });
  });
});

describe("the room state", () => {
  const joined = {
    type: "joined", participantId: "me", role: "host", participants: [],
    room: { name: "/r", mode: "normal", locked: false, spotlight: null, capacity: 4, breakout: null, timerStartedAt: null },
  };

  it("carries the session and the clock from room-updated, and keeps them when a field is absent", () => {
    let s = reduce(initialState(), joined);
    assert.equal(s.room.breakout, null);
    s = reduce(s, { type: "room-updated", room: { breakout: session, timerStartedAt: 1234 } });
    assert.deepEqual(s.room.breakout, session);
    assert.equal(s.room.timerStartedAt, 1234);
    s = reduce(s, { type: "room-updated", room: { locked: true } });
    assert.deepEqual(s.room.breakout, session);
    s = reduce(s, { type: "room-updated", room: { breakout: null, timerStartedAt: null } });
    assert.equal(s.room.breakout, null);
    assert.equal(s.room.timerStartedAt, null);
  });

  it("marks a host's broadcast in the chat", () => {
    let s = reduce(initialState(), joined);
    s = reduce(s, { type: "chat", id: "1", from: "h", text: "Five minutes", at: 1, broadcast: true });
    s = reduce(s, { type: "chat", id: "2", from: "h", text: "hi", at: 2 });
    assert.deepEqual(s.chat.map((m) => m.broadcast), [true, false]);
  });
});

describe("the host's plan", () => {
  it("starts from the URL's groups, else numbered ones, cut to the server's limits", () => {
    assert.deepEqual(initialNames(["Orange", "Banana"], (n) => `Group ${n}`), ["Orange", "Banana"]);
    assert.deepEqual(initialNames(null, (n) => `Group ${n}`), Array.from({ length: DEFAULT_GROUP_COUNT }, (_, i) => `Group ${i + 1}`));
    assert.equal(initialNames(["x".repeat(100)], String)[0].length, GROUP_NAME_MAX);
  });

  it("renames, adds up to the limit and removes, renumbering assignments", () => {
    let d = initialDraft(["A", "B", "C"]);
    d = reduceDraft(d, { type: "assign", participantId: "a", group: 0 });
    d = reduceDraft(d, { type: "assign", participantId: "b", group: 1 });
    d = reduceDraft(d, { type: "assign", participantId: "c", group: 2 });
    d = reduceDraft(d, { type: "rename", group: 2, name: "Coconut" });
    d = reduceDraft(d, { type: "remove", group: 1 });
    assert.deepEqual(d, { groups: ["A", "Coconut"], assignments: { a: 0, c: 1 }, allowChoose: false });
    assert.equal(reduceDraft(initialDraft(["only"]), { type: "remove", group: 0 }).groups.length, 1);
    let full = initialDraft(Array.from({ length: MAX_GROUPS }, (_, i) => `g${i}`));
    full = reduceDraft(full, { type: "add", name: "one too many" });
    assert.equal(full.groups.length, MAX_GROUPS);
  });

  it("assigns to a group or back to the main room; a bad index means the main room", () => {
    let d = initialDraft(["A", "B"]);
    d = reduceDraft(d, { type: "assign", participantId: "a", group: 1 });
    assert.deepEqual(d.assignments, { a: 1 });
    d = reduceDraft(d, { type: "assign", participantId: "a", group: null });
    assert.deepEqual(d.assignments, {});
    d = reduceDraft(d, { type: "assign", participantId: "a", group: 7 });
    assert.deepEqual(d.assignments, {});
  });

  it("says why names cannot start a session", () => {
    assert.equal(groupsProblem(["A", "B"]), null);
    assert.equal(groupsProblem(["A", " "]), "empty");
    assert.equal(groupsProblem(["A", " A "]), "duplicate");
    assert.equal(groupsProblem(["x".repeat(GROUP_NAME_MAX + 1)]), "tooLong");
    assert.equal(groupsProblem([]), "count");
    assert.equal(groupsProblem(Array.from({ length: MAX_GROUPS + 1 }, (_, i) => `g${i}`)), "count");
  });

  it("starts with breakout-start (trimmed names), then the placed people still here", () => {
    const d = { groups: [" A ", "B"], assignments: { a: 0, gone: 1, b: 1 }, allowChoose: true };
    assert.deepEqual(startMessages(d, ["a", "b", "c"]), [
      ["breakout-start", { groups: ["A", "B"], allowChoose: true }],
      ["breakout-assign", { participantId: "a", group: 0 }],
      ["breakout-assign", { participantId: "b", group: 1 }],
    ]);
    assert.deepEqual(assignMessages({ x: 1 }), [["breakout-assign", { participantId: "x", group: 1 }]]);
  });
});

describe("shuffle", () => {
  const ids = Array.from({ length: 11 }, (_, i) => `p${i}`);

  it("places everyone, with group sizes differing by at most one", () => {
    for (let seed = 1; seed < 30; seed += 1) {
      const out = shuffle(ids, 3, seeded(seed));
      assert.deepEqual(Object.keys(out).sort(), [...ids].sort());
      const sizes = [0, 1, 2].map((g) => Object.values(out).filter((x) => x === g).length);
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `${seed}: ${sizes}`);
    }
  });

  it("is random: different seeds give different groupings", () => {
    const seen = new Set(Array.from({ length: 10 }, (_, seed) => JSON.stringify(shuffle(ids, 3, seeded(seed + 1)))));
    assert.ok(seen.size > 1);
  });

  it("no groups, no places; more groups than people leaves some empty", () => {
    assert.deepEqual(shuffle(ids, 0), {});
    const out = shuffle(["a", "b"], 5, seeded(3));
    assert.equal(new Set(Object.values(out)).size, 2);
  });

  it("through the plan: everyone listed gets a group", () => {
    const d = reduceDraft(initialDraft(["A", "B"]), { type: "shuffle", participantIds: ["a", "b", "c"], random: seeded(9) });
    assert.deepEqual(Object.keys(d.assignments).sort(), ["a", "b", "c"]);
  });
});

describe("the breakout parameter", () => {
  it("is on for hosts by default, off with breakout=off, and needed with minimal", () => {
    assert.equal(parseParams("").breakout, true);
    assert.equal(parseParams("breakout=off").breakout, false);
    assert.equal(parseParams("minimal").breakout, false);
    assert.equal(parseParams("minimal&breakout").breakout, true);
    assert.equal(parseParams("minimal&breakout=on").moreButton, false);
  });
});
