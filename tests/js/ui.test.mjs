// The page's own UI state (ui.js), the active-speaker tracker and Picture-in-Picture's choice.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { HOLD_MS, SpeakerTracker } from "../../src/salon/static/room/media/speakers.js";
import { pipKey } from "../../src/salon/static/room/pip.js";
import { clockStart, createUiStore, formatDuration, initialUi, reduceUi } from "../../src/salon/static/room/ui.js";

describe("ui state", () => {
  const start = initialUi({ floatSelf: true, lowData: false }, "fr");

  it("starts from the URL", () => {
    assert.equal(start.floatSelf, true);
    assert.equal(start.lowData, false);
    assert.equal(start.language, "fr");
    assert.equal(start.timerStartedAt, null);
  });

  it("flips switches, or sets them", () => {
    assert.equal(reduceUi(start, { type: "ui/float-self" }).floatSelf, false);
    assert.equal(reduceUi(start, { type: "ui/float-self", on: true }).floatSelf, true);
    assert.equal(reduceUi(start, { type: "ui/settings" }).settingsOpen, true);
    assert.equal(reduceUi(start, { type: "ui/low-data", on: true }).lowData, true);
    assert.equal(reduceUi(start, { type: "ui/timer", startedAt: 5 }).timerStartedAt, 5);
    assert.equal(reduceUi(reduceUi(start, { type: "ui/timer", startedAt: 5 }), { type: "ui/timer", startedAt: null }).timerStartedAt, null);
    assert.equal(reduceUi(start, { type: "ui/sink", sinkId: "" }).sinkId, null);
  });

  it("keeps the same object when nothing changed, so nothing re-renders", () => {
    assert.equal(reduceUi(start, { type: "ui/pip", on: false }), start);
    assert.equal(reduceUi(start, { type: "ui/speaking", speaking: null }), start);
    assert.equal(reduceUi(start, { type: "nonsense" }), start);
  });

  it("remembers the last speaker through a silence", () => {
    const s1 = reduceUi(start, { type: "ui/speaking", speaking: "a", lastSpeaker: "a" });
    const s2 = reduceUi(s1, { type: "ui/speaking", speaking: null });
    assert.equal(s2.speaking, null);
    assert.equal(s2.lastSpeaker, "a");
  });

  it("tells its subscribers about changes only", () => {
    const store = createUiStore(start);
    const seen = [];
    store.subscribe((state, previous) => seen.push([previous.pip, state.pip]));
    store.dispatch({ type: "ui/pip", on: false });
    store.dispatch({ type: "ui/pip", on: true });
    assert.deepEqual(seen, [[false, true]]);
  });
});

describe("the meeting clock", () => {
  it("starts when the first person still here joined, never in the future", () => {
    assert.equal(clockStart([{ joinedAt: 5000 }, { joinedAt: 3000 }], 10_000), 3000);
    assert.equal(clockStart([{ joinedAt: 50_000 }], 10_000), 10_000);
    assert.equal(clockStart([], 10_000), 10_000);
    assert.equal(clockStart([{ joinedAt: 0 }], 10_000), 10_000);
  });

  it("shows minutes and seconds, and hours when there are some", () => {
    assert.equal(formatDuration(0), "0:00");
    assert.equal(formatDuration(65_400), "1:05");
    assert.equal(formatDuration(3_729_000), "1:02:09");
    assert.equal(formatDuration(-5), "0:00");
  });
});

describe("SpeakerTracker", () => {
  const levels = (o) => new Map(Object.entries(o));

  it("picks the loudest above the speech level, and nobody in silence after a while", () => {
    const tracker = new SpeakerTracker();
    assert.equal(tracker.update(levels({ a: 0.001, b: 0.005 }), 0), null);
    assert.equal(tracker.update(levels({ a: 0.2, b: 0.05 }), 200), "a");
    assert.equal(tracker.update(levels({ a: 0.001, b: 0.001 }), 400), "a"); // a short pause keeps the floor
    assert.equal(tracker.update(levels({ a: 0.001, b: 0.001 }), 400 + HOLD_MS + 1), null);
  });

  it("does not hand the floor over for a little more noise", () => {
    const tracker = new SpeakerTracker();
    tracker.update(levels({ a: 0.2, b: 0.0 }), 0);
    assert.equal(tracker.update(levels({ a: 0.2, b: 0.25 }), 200), "a");
    assert.equal(tracker.update(levels({ a: 0.2, b: 0.4 }), 400), "b");
  });

  it("lets go of someone who left", () => {
    const tracker = new SpeakerTracker();
    tracker.update(levels({ a: 0.2 }), 0);
    assert.equal(tracker.update(levels({ b: 0.001 }), 200), null);
  });
});

describe("pipKey", () => {
  const tile = (participantId, extra = {}) => ({
    key: `${participantId}:${extra.kind ?? "camera"}`, participantId, kind: "camera", name: participantId, isMe: participantId === "me",
    audio: true, video: true, reconnecting: false, spotlight: false, host: false, stream: {}, ...extra,
  });
  const playing = () => true;

  it("shows the other participant who spoke last", () => {
    assert.equal(pipKey([tile("me"), tile("a"), tile("b")], null, "b", playing), "b:camera");
  });

  it("else the stage, else the first other camera, else my own", () => {
    const screen = tile("a", { kind: "screen" });
    assert.equal(pipKey([tile("me"), tile("a"), screen], "a:screen", null, playing), "a:screen");
    assert.equal(pipKey([tile("me"), tile("a"), tile("b")], null, null, playing), "a:camera");
    assert.equal(pipKey([tile("me")], null, null, playing), "me:camera");
  });

  it("skips tiles with no picture", () => {
    assert.equal(pipKey([tile("me"), tile("a", { video: false }), tile("b")], null, "a", playing), "b:camera");
    assert.equal(pipKey([tile("me"), tile("a", { stream: null })], null, null, playing), "me:camera");
    assert.equal(pipKey([tile("me"), tile("a")], null, null, (key) => key !== "a:camera"), "me:camera");
    assert.equal(pipKey([tile("me", { video: false })], null, null, playing), null);
  });
});
