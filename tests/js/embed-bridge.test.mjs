// The room page's side of embedding (docs/embedding.md, Events and commands): events only to the embedding origin,
// commands only from the parent window on an allowed origin.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";

import { COMMANDS, createEmbedBridge, eventTargets } from "../../src/salon/static/room/embed.js";

const SELF = "https://meet.salon.test";
const ALLOWED = ["https://app.example.com", "https://*.corp.example", "http://localhost:3000"];

let warnings = [];
const originalWarn = console.warn;
beforeEach(() => {
  warnings = [];
  console.warn = (message) => warnings.push(String(message));
});
afterEach(() => {
  console.warn = originalWarn;
});

/** A fake pair of windows: the parent records what it is sent, the frame can be sent messages. */
function windows({ ancestor = null, native = null } = {}) {
  const sent = [];
  const parent = { postMessage: (message, target) => sent.push({ message, target }) };
  const listeners = [];
  const self = {
    location: { origin: SELF, ancestorOrigins: ancestor ? [ancestor] : undefined },
    addEventListener: (type, fn) => type === "message" && listeners.push(fn),
    ReactNativeWebView: native ?? undefined,
  };
  const deliver = (event) => listeners.forEach((fn) => fn(event));
  return { parent, self, sent, deliver };
}

describe("eventTargets", () => {
  it("is the parent's origin when the browser reports it and it is allowed", () => {
    assert.deepEqual(eventTargets({ ancestor: "https://app.example.com", referrer: "", allowed: ALLOWED, self: SELF }), ["https://app.example.com"]);
    assert.deepEqual(eventTargets({ ancestor: "https://x.corp.example", referrer: "", allowed: ALLOWED, self: SELF }), ["https://x.corp.example"]);
  });

  it("is nothing when the reported parent is not allowed, or opaque", () => {
    assert.deepEqual(eventTargets({ ancestor: "https://evil.example", referrer: "", allowed: ALLOWED, self: SELF }), []);
    assert.deepEqual(eventTargets({ ancestor: "null", referrer: "", allowed: ALLOWED, self: SELF }), []);
  });

  it("falls back to the referrer's origin, then to every exact allowed origin, never *", () => {
    assert.deepEqual(eventTargets({ ancestor: null, referrer: "http://localhost:3000/page?x=1", allowed: ALLOWED, self: SELF }), ["http://localhost:3000"]);
    const all = eventTargets({ ancestor: null, referrer: "", allowed: ALLOWED, self: SELF });
    assert.deepEqual(all, [SELF, "https://app.example.com", "http://localhost:3000"]);
    assert.ok(!all.includes("*"));
    assert.deepEqual(eventTargets({ ancestor: null, referrer: "", allowed: [], self: SELF }), [SELF]);
  });
});

describe("createEmbedBridge", () => {
  it("posts {type, payload} to the embedding origin only", () => {
    const w = windows({ ancestor: "https://app.example.com" });
    const bridge = createEmbedBridge({ enabled: true, parent: w.parent, self: w.self, allowed: ALLOWED });
    bridge.emit("participant_join", { participant: { metadata: "m", externalId: "e" } });
    bridge.emit("ready");
    assert.deepEqual(w.sent, [
      { message: { type: "participant_join", payload: { participant: { metadata: "m", externalId: "e" } } }, target: "https://app.example.com" },
      { message: { type: "ready", payload: null }, target: "https://app.example.com" },
    ]);
  });

  it("is silent without jsApi, or when not framed", () => {
    const w = windows({ ancestor: "https://app.example.com" });
    createEmbedBridge({ enabled: false, parent: w.parent, self: w.self, allowed: ALLOWED }).emit("ready");
    const alone = windows();
    createEmbedBridge({ enabled: true, parent: alone.self, self: alone.self, allowed: ALLOWED }).emit("ready");
    assert.deepEqual(w.sent, []);
  });

  it("obeys commands from the parent on an allowed origin, and nothing else", () => {
    const w = windows({ ancestor: "https://app.example.com" });
    const bridge = createEmbedBridge({ enabled: true, parent: w.parent, self: w.self, allowed: ALLOWED });
    const got = [];
    bridge.onCommand((command, args) => got.push([command, args]));
    w.deliver({ source: w.parent, origin: "https://app.example.com", data: { command: "toggle_camera", args: [false] } });
    w.deliver({ source: w.parent, origin: "https://a.corp.example", data: { command: "toggle_chat", args: [undefined] } });
    w.deliver({ source: w.parent, origin: "https://evil.example", data: { command: "leave_room", args: [] } });
    w.deliver({ source: {}, origin: "https://app.example.com", data: { command: "end_meeting", args: [] } });
    w.deliver({ source: w.parent, origin: "https://app.example.com", data: { command: "format_disk" } });
    w.deliver({ source: w.parent, origin: "https://app.example.com", data: "not a command" });
    w.deliver({ source: w.parent, origin: "https://app.example.com", data: { command: "knock" } });
    assert.deepEqual(got, [["toggle_camera", [false]], ["toggle_chat", [undefined]], ["knock", []]]);
    assert.equal(warnings.length, 1);
  });

  it("passes the live transcription commands on, and warns of an unknown one", () => {
    const w = windows({ ancestor: "https://app.example.com" });
    const bridge = createEmbedBridge({ enabled: true, parent: w.parent, self: w.self, allowed: ALLOWED });
    const got = [];
    bridge.onCommand((command) => got.push(command));
    w.deliver({ source: w.parent, origin: "https://app.example.com", data: { command: "start_live_transcription", args: [] } });
    w.deliver({ source: w.parent, origin: "https://app.example.com", data: { command: "start_teleport", args: [] } });
    assert.deepEqual(got, ["start_live_transcription"]);
    assert.match(warnings[0], /start_teleport/);
  });

  it("knows every Whereby embed command", () => {
    for (const command of ["toggle_camera", "toggle_microphone", "toggle_screenshare", "toggle_chat", "toggle_people",
      "leave_room", "knock", "cancel_knock", "end_meeting", "toggle_breakout", "open_settings",
      "start_recording", "stop_recording", "start_streaming", "stop_streaming",
      "start_live_transcription", "stop_live_transcription"]) assert.ok(COMMANDS.includes(command), command);
  });

  it("speaks JSON strings to a React Native WebView, and takes its commands", () => {
    const posted = [];
    const w = windows({ native: { postMessage: (json) => posted.push(json) } });
    const bridge = createEmbedBridge({ enabled: true, parent: w.self, self: w.self, allowed: [] });
    bridge.emit("join");
    assert.deepEqual(posted.map((json) => JSON.parse(json)), [{ type: "join", payload: null }]);
    const got = [];
    bridge.onCommand((command, args) => got.push([command, args]));
    w.deliver({ source: w.self, origin: SELF, data: { command: "toggle_microphone", args: [true] } });
    w.deliver({ source: w.self, origin: SELF, data: JSON.stringify({ command: "leave_room" }) });
    assert.deepEqual(got, [["toggle_microphone", [true]], ["leave_room", []]]);
  });
});
