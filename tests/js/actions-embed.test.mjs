// Embed commands (docs/embedding.md, Events and commands) and the new toolbar actions, as actions.js carries them out.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";

import { createActions } from "../../src/salon/static/room/actions.js";
import { parseParams } from "../../src/salon/static/room/params.js";
import { createStore } from "../../src/salon/static/room/state.js";
import { createUiStore, initialUi } from "../../src/salon/static/room/ui.js";

let warnings = [];
const originalWarn = console.warn;
beforeEach(() => {
  warnings = [];
  console.warn = (message) => warnings.push(String(message));
});
afterEach(() => {
  console.warn = originalWarn;
});

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

function setup(query = "", { role = "host", phase = "room" } = {}) {
  const params = parseParams(query);
  const calls = [];
  const record = (name) => (...args) => {
    calls.push([name, ...args]);
    return true;
  };
  const store = createStore();
  if (phase === "room") {
    store.dispatch({ type: "joined", participantId: "me", role, room: { name: "/r", mode: "normal", locked: false, spotlight: null, capacity: 4 }, participants: [] });
  }
  const ui = createUiStore(initialUi(params));
  const media = { audioOn: true, videoOn: true, setAudio: record("setAudio"), setVideo: record("setVideo"), setLowData: record("setLowData") };
  const emitted = [];
  const actions = createActions({
    store, ui, params, media,
    signaling: { send: record("send") },
    session: { join: record("join"), leave: record("leave"), knock: record("knock"), cancelKnock: record("cancelKnock") },
    embed: { emit: (type, payload) => emitted.push([type, payload]) },
    pip: { supported: false, open: false, toggle: record("pip") },
    view: { tiles: () => ({ tiles: [], stageKey: null }), videoFor: () => null },
    startDevices: record("startDevices"), shareUrl: "https://meet.example/r",
    notify: record("notify"), announce: record("announce"), rememberName: record("rememberName"),
  });
  return { actions, calls, emitted, store, ui };
}

describe("embed commands", () => {
  it("toggle_camera and toggle_microphone set with true/false and flip with undefined", async () => {
    const { actions, calls } = setup();
    actions.runCommand("toggle_camera", [false]);
    actions.runCommand("toggle_camera", [undefined]);
    actions.runCommand("toggle_microphone", [true]);
    actions.runCommand("toggle_microphone", []);
    await tick();
    assert.deepEqual(calls, [["setVideo", false], ["setVideo", false], ["setAudio", true], ["setAudio", false]]);
  });

  it("cameraAccess=off keeps the camera off, whoever asks", async () => {
    const { actions, calls } = setup("cameraAccess=off");
    actions.runCommand("toggle_camera", [true]);
    actions.run("toggle-camera");
    await tick();
    assert.deepEqual(calls, []);
  });

  it("toggle_chat opens and closes the chat, telling the page once per change", async () => {
    const { actions, emitted, store } = setup();
    actions.runCommand("toggle_chat", [true]);
    actions.runCommand("toggle_chat", [true]);
    assert.equal(store.getState().panel, "chat");
    actions.runCommand("toggle_people", [undefined]);
    assert.equal(store.getState().panel, "people");
    await tick();
    assert.deepEqual(emitted, [["chat_toggle", { open: true }], ["chat_toggle", { open: false }], ["people_toggle", { open: true }]]);
  });

  it("leave_room, end_meeting, knock and cancel_knock reach the session and the server", async () => {
    const { actions, calls } = setup();
    for (const command of ["leave_room", "end_meeting", "knock", "cancel_knock"]) actions.runCommand(command, []);
    await tick();
    assert.deepEqual(calls, [["leave"], ["send", "end-meeting", undefined], ["knock"], ["cancelKnock"]]);
  });

  it("open_settings opens the settings in the room only", async () => {
    const room = setup();
    room.actions.runCommand("open_settings", ["media"]);
    assert.equal(room.ui.getState().settingsOpen, true);
    const before = setup("", { phase: "precall" });
    before.actions.runCommand("open_settings", []);
    assert.equal(before.ui.getState().settingsOpen, false);
  });

  it("toggle_breakout opens and closes a host's breakout panel, with the URL's groups", async () => {
    const { actions, emitted, store, ui } = setup("groups=Orange,Banana,Coconut");
    actions.runCommand("toggle_breakout", [true]);
    assert.equal(store.getState().panel, "breakout");
    assert.deepEqual(ui.getState().breakoutDraft, { groups: ["Orange", "Banana", "Coconut"], assignments: {}, allowChoose: false });
    actions.runCommand("toggle_breakout", [undefined]);
    assert.equal(store.getState().panel, null);
    await tick();
    assert.deepEqual(emitted, []); // Whereby has no breakout event
  });

  it("toggle_breakout does nothing for a visitor, or with breakout=off", async () => {
    for (const [query, role] of [["", "visitor"], ["breakout=off", "host"]]) {
      const { actions, store } = setup(query, { role });
      actions.runCommand("toggle_breakout", [true]);
      await tick();
      assert.equal(store.getState().panel, null, `${query} ${role}`);
    }
    assert.match(warnings.join("\n"), /breakout/);
  });
});

describe("breakout groups", () => {
  const withOthers = (query = "") => {
    const room = setup(query);
    for (const id of ["p1", "p2", "p3"]) room.store.dispatch({ type: "participant-joined", participant: { id, role: "visitor" } });
    room.actions.run("toggle-breakout", { on: true });
    return room;
  };
  const running = (room, assignments = {}) =>
    room.store.dispatch({ type: "room-updated", room: { breakout: { groups: ["Group 1", "Group 2"], assignments, allowChoose: false } } });

  it("a plan starts with breakout-start, then one breakout-assign per placed person still here", async () => {
    const room = withOthers();
    room.actions.run("breakout-assign", { participantId: "p1", group: 0 });
    room.actions.run("breakout-assign", { participantId: "p2", group: 1 });
    room.actions.run("breakout-assign", { participantId: "gone", group: 1 });
    room.actions.run("breakout-plan", { op: { type: "allow-choose", on: true } });
    assert.deepEqual(room.calls, []); // planning sends nothing
    room.actions.run("breakout-start");
    await tick();
    assert.deepEqual(room.calls, [
      ["send", "breakout-start", { groups: ["Group 1", "Group 2"], allowChoose: true }],
      ["send", "breakout-assign", { participantId: "p1", group: 0 }],
      ["send", "breakout-assign", { participantId: "p2", group: 1 }],
    ]);
  });

  it("while a session runs, moves, visits, broadcasts and the end go straight to the server", async () => {
    const room = withOthers();
    running(room, { p1: 0 });
    room.actions.run("breakout-start"); // already running: nothing
    room.actions.run("breakout-assign", { participantId: "p3", group: 1 });
    room.actions.run("breakout-visit", { group: 0 });
    room.actions.run("breakout-broadcast", { text: "Five minutes left" });
    room.actions.run("breakout-end");
    await tick();
    assert.deepEqual(room.calls, [
      ["send", "breakout-assign", { participantId: "p3", group: 1 }],
      ["send", "breakout-assign", { participantId: "me", group: 0 }],
      ["send", "breakout-broadcast", { text: "Five minutes left" }],
      ["send", "breakout-end", undefined],
    ]);
  });

  it("a shuffle spreads everyone else over the groups: in the plan, or live", async () => {
    const room = withOthers();
    room.actions.run("breakout-shuffle");
    const planned = room.ui.getState().breakoutDraft.assignments;
    assert.deepEqual(Object.keys(planned).sort(), ["p1", "p2", "p3"]);
    running(room);
    room.actions.run("breakout-shuffle");
    await tick();
    assert.deepEqual(room.calls.map(([, type, fields]) => [type, fields.participantId]).sort(), [
      ["breakout-assign", "p1"], ["breakout-assign", "p2"], ["breakout-assign", "p3"],
    ]);
  });

  it("a participant chooses only when the host allows it", async () => {
    const visitor = setup("", { role: "visitor" });
    visitor.store.dispatch({ type: "room-updated", room: { breakout: { groups: ["A", "B"], assignments: {}, allowChoose: false } } });
    visitor.actions.run("breakout-choose", { group: 1 });
    visitor.actions.run("breakout-assign", { participantId: "me", group: 1 });
    visitor.store.dispatch({ type: "room-updated", room: { breakout: { groups: ["A", "B"], assignments: {}, allowChoose: true } } });
    visitor.actions.run("breakout-choose", { group: 1 });
    await tick();
    assert.deepEqual(visitor.calls, [["send", "breakout-choose", { group: 1 }]]);
  });
});

describe("toolbar and menu actions", () => {
  it("locking=off: no lock, not even from the keyboard shortcut", async () => {
    const { actions, calls } = setup("locking=off");
    actions.run("toggle-lock");
    await tick();
    assert.deepEqual(calls, []);
  });

  it("the room's meeting clock is a host's to start and stop, on the server", async () => {
    const host = setup();
    host.actions.run("toggle-timer");
    host.store.dispatch({ type: "room-updated", room: { timerStartedAt: 1_700_000_000_000 } });
    host.actions.run("toggle-timer");
    const visitor = setup("", { role: "visitor" });
    visitor.actions.run("toggle-timer");
    await tick();
    assert.deepEqual(host.calls, [["send", "timer", { running: true }], ["send", "timer", { running: false }]]);
    assert.deepEqual(visitor.calls, []);
  });

  it("float my video, low-data mode, the speaker and the permission step", async () => {
    const { actions, calls, ui } = setup();
    actions.run("toggle-float-self");
    assert.equal(ui.getState().floatSelf, true);
    actions.run("set-low-data", { on: true });
    actions.run("choose-speaker", { sinkId: "out-2" });
    actions.run("allow-devices");
    await tick();
    assert.equal(ui.getState().lowData, true);
    assert.equal(ui.getState().sinkId, "out-2");
    assert.deepEqual(calls, [["setLowData", true], ["startDevices"]]);
  });

  it("a viewer has no video to float", () => {
    const { actions, ui } = setup("", { role: "viewer" });
    actions.run("toggle-float-self");
    assert.equal(ui.getState().floatSelf, false);
  });
});
