// The signaling protocol, browser side: the codec (pure) and the client's join, resume, keep-alive
// and close handling, driven by a fake WebSocket and fake timers. No DOM.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  backoffDelay, CLIENT_TYPES, decode, encode, FINAL_CLOSE_CODES, MAX_FRAME_BYTES, PROTOCOL_VERSION, ProtocolError,
  SignalingClient, signalingUrl,
} from "../../src/salon/static/room/signaling.js";

describe("encode", () => {
  it("writes join with the protocol version first", () => {
    const frame = encode("join", { v: PROTOCOL_VERSION, room: "/r", roomKey: "k", displayName: "Ada", resume: { participantId: "p", token: "t" } });
    assert.deepEqual(JSON.parse(frame), { type: "join", v: 1, room: "/r", roomKey: "k", displayName: "Ada", resume: { participantId: "p", token: "t" } });
  });

  it("leaves undefined optional fields out and ignores fields the type does not have", () => {
    assert.equal(encode("join", { v: 1, room: "/r", roomKey: undefined, role: "host" }), '{"type":"join","v":1,"room":"/r"}');
  });

  it("writes every client message of the protocol", () => {
    const samples = {
      join: { v: 1, room: "/r" }, knock: { displayName: "Ada" }, "cancel-knock": {}, leave: {},
      signal: { to: "p", description: { type: "offer", sdp: "v=0" } }, media: { audio: true, video: false, screen: false },
      chat: { text: "hi" }, "set-name": { displayName: "Bo" }, lock: { locked: true }, admit: { participantId: "k" },
      reject: { participantId: "k", message: "no" }, hold: { participantId: "k", message: "wait" }, remove: { participantId: "p" },
      mute: { participantId: "p" }, "camera-off": { participantId: "p" }, spotlight: { participantId: null },
      "end-meeting": {}, ping: { id: "1" }, "breakout-start": { groups: ["Orange", "Banana"], allowChoose: true },
      "breakout-assign": { participantId: "p", group: 1 }, "breakout-choose": { group: null },
      "breakout-broadcast": { text: "Five minutes left" }, "breakout-end": {}, timer: { running: true },
      "sfu-publish": { description: { type: "offer", sdp: "v=0" }, screenMid: "2", restart: true, publication: 1 },
      "sfu-answer": { description: { type: "answer", sdp: "v=0" }, subscription: 5 },
      "sfu-candidate": { target: "subscriber", candidate: null }, "sfu-subscribe": {},
      "sfu-quality": { participantId: "p", substream: 0 }, "start-recording": {}, "stop-recording": {},
      "start-streaming": {}, "stop-streaming": {}, "start-live-transcription": {}, "stop-live-transcription": {},
      stats: { packetLossSend: 0.5, packetLossRecv: 0, bitrateSend: 812000, bitrateRecv: 640000, audio: true, video: false, screen: false },
      "sfu-view": { videos: [{ participantId: "p", kind: "camera", substream: 1 }], pinned: ["q"] },
    };
    assert.deepEqual(Object.keys(samples).sort(), [...CLIENT_TYPES].sort());
    for (const [type, fields] of Object.entries(samples)) assert.deepEqual(JSON.parse(encode(type, fields)), { type, ...fields });
  });

  it("sends trickled candidates and the end of candidates", () => {
    const candidate = { candidate: "candidate:1 1 udp 1 1.2.3.4 5 typ host", sdpMid: "0", sdpMLineIndex: 0 };
    assert.deepEqual(JSON.parse(encode("signal", { to: "p", candidate })), { type: "signal", to: "p", candidate });
    assert.deepEqual(JSON.parse(encode("signal", { to: "p", candidate: null })), { type: "signal", to: "p", candidate: null });
  });

  const refused = [
    ["unknown type", "dance", {}],
    ["a loss over 100 %", "stats", { packetLossSend: 101, packetLossRecv: 0, bitrateSend: 1, bitrateRecv: 1 }],
    ["join without room", "join", { v: 1 }],
    ["a name of control characters", "set-name", { displayName: "a\u0000b" }],
    ["an empty name", "knock", { displayName: "   " }],
    ["a name of 101 characters", "set-name", { displayName: "x".repeat(101) }],
    ["empty chat", "chat", { text: "" }],
    ["chat over 4000 characters", "chat", { text: "x".repeat(4001) }],
    ["a lock that is not a boolean", "lock", { locked: "yes" }],
    ["hold without a message", "hold", { participantId: "k" }],
    ["signal with neither description nor candidate", "signal", { to: "p" }],
    ["a breakout with no group", "breakout-start", { groups: [] }],
    ["a group index out of range", "breakout-assign", { participantId: "p", group: 20 }],
    ["a group index that is not an integer", "breakout-choose", { group: "1" }],
    ["a timer that is not a boolean", "timer", { running: 1 }],
    ["signal with both", "signal", { to: "p", description: { type: "offer", sdp: "" }, candidate: null }],
    ["a bad externalId", "join", { v: 1, room: "/r", externalId: "no spaces" }],
    ["an SFU candidate for no connection", "sfu-candidate", { target: "both", candidate: null }],
    ["a simulcast layer that does not exist", "sfu-quality", { participantId: "p", substream: 3 }],
    ["a view of a microphone", "sfu-view", { videos: [{ participantId: "p", kind: "mic", substream: 0 }] }],
  ];
  for (const [what, type, fields] of refused) {
    it(`refuses ${what}`, () => assert.throws(() => encode(type, fields), ProtocolError));
  }

  it("counts characters as code points, like the server", () => {
    assert.doesNotThrow(() => encode("chat", { text: "😀".repeat(4000) }));
    assert.doesNotThrow(() => encode("set-name", { displayName: "😀".repeat(100) }));
  });

  it("refuses a frame over the size limit", () => {
    assert.throws(() => encode("signal", { to: "p", description: { type: "offer", sdp: "x".repeat(MAX_FRAME_BYTES) } }), /frame over/);
  });
});

describe("decode", () => {
  it("reads server messages and keeps unknown fields and types", () => {
    assert.deepEqual(decode('{"type":"chat","id":"1","from":"a","displayName":"A","text":"hi","at":1,"extra":true}').extra, true);
    assert.equal(decode('{"type":"from-a-later-version"}').type, "from-a-later-version");
  });

  for (const [what, frame] of [["not JSON", "{"], ["not an object", "[1]"], ["no type", "{}"], ["a type that is not a string", '{"type":1}'], ["joined without its fields", '{"type":"joined","v":1}']]) {
    it(`refuses ${what}`, () => assert.throws(() => decode(frame), ProtocolError));
  }
});

describe("helpers", () => {
  it("builds the socket URL from the page", () => {
    assert.equal(signalingUrl({ protocol: "https:", host: "meet.example" }), "wss://meet.example/_salon/signal");
    assert.equal(signalingUrl({ protocol: "http:", host: "127.0.0.1:8000" }), "ws://127.0.0.1:8000/_salon/signal");
  });

  it("backs off exponentially with jitter, up to a ceiling", () => {
    assert.equal(backoffDelay(1, { random: () => 0 }), 250);
    assert.equal(backoffDelay(1, { random: () => 1 }), 500);
    assert.equal(backoffDelay(3, { random: () => 1 }), 2000);
    assert.equal(backoffDelay(30, { random: () => 1 }), 10_000);
  });

  it("treats the close codes of an ending as final", () => {
    for (const code of [4000, 4001, 4002, 4003, 4004, 4005]) assert.ok(FINAL_CLOSE_CODES.has(code));
    for (const code of [1000, 1001, 1006, 1011, 4008, 4029]) assert.ok(!FINAL_CLOSE_CODES.has(code));
  });
});

// ---- the client, with a fake socket and fake timers ------------------------------------------

class FakeSocket {
  static all = [];
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    FakeSocket.all.push(this);
  }
  send(frame) {
    this.sent.push(JSON.parse(frame));
  }
  close() {
    this.readyState = 3;
  }
  // test side
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(message) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  drop(code = 1006, reason = "") {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

function fakeTimers() {
  let now = 0;
  let next = 1;
  const pending = new Map();
  return {
    now: () => now,
    setTimeout: (fn, ms) => (pending.set(next, { fn, at: now + ms }), next++),
    clearTimeout: (id) => pending.delete(id),
    setInterval: (fn, ms) => (pending.set(next, { fn, at: now + ms, every: ms }), next++),
    clearInterval: (id) => pending.delete(id),
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...pending.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        const [id, timer] = due;
        now = timer.at;
        if (timer.every) timer.at += timer.every;
        else pending.delete(id);
        timer.fn();
      }
      now = end;
    },
  };
}

const JOINED = { type: "joined", v: 1, participantId: "me", resumeToken: "tok1", role: "host", room: { name: "/r" }, participants: [], iceServers: [], media: "mesh" };

function client() {
  FakeSocket.all = [];
  const timers = fakeTimers();
  const c = new SignalingClient({ url: "ws://x/_salon/signal", WebSocket: /** @type {any} */ (FakeSocket), timers, now: timers.now, random: () => 1 });
  const events = [];
  for (const type of ["state", "joined", "closed", "reconnecting", "chat", "protocol-error"]) {
    c.addEventListener(type, (e) => events.push([type, /** @type {CustomEvent} */ (e).detail]));
  }
  return { c, timers, events, socket: (i = -1) => FakeSocket.all.at(i) };
}

describe("SignalingClient", () => {
  it("does not touch WebSocket before connect()", () => {
    assert.doesNotThrow(() => new SignalingClient({ url: "ws://x", WebSocket: undefined }));
  });

  it("joins first, then emits typed messages", () => {
    const { c, events, socket } = client();
    c.connect({ room: "/r", displayName: "Ada" });
    assert.equal(c.state, "connecting");
    socket().open();
    assert.deepEqual(socket().sent[0], { type: "join", v: 1, room: "/r", displayName: "Ada" });
    socket().receive(JOINED);
    assert.equal(c.state, "joined");
    assert.equal(c.participantId, "me");
    const joined = events.find(([type]) => type === "joined");
    assert.equal(joined?.[1].resumed, false);
    socket().receive({ type: "chat", id: "1", from: "a", displayName: "A", text: "hi", at: 1 });
    assert.equal(events.filter(([type]) => type === "chat").length, 1);
  });

  it("reports unreadable frames without failing", () => {
    const { c, events, socket } = client();
    c.connect({ room: "/r" });
    socket().open();
    socket().onmessage({ data: "not json" });
    assert.equal(events.at(-1)?.[0], "protocol-error");
  });

  it("reconnects after a drop with resume, and says when it got the same participant back", () => {
    const { c, timers, events, socket } = client();
    c.connect({ room: "/r" });
    socket().open();
    socket().receive(JOINED);
    socket().drop(1006);
    assert.equal(c.state, "reconnecting");
    assert.equal(FakeSocket.all.length, 1);
    timers.advance(500);
    assert.equal(FakeSocket.all.length, 2);
    socket().open();
    assert.deepEqual(socket().sent[0], { type: "join", v: 1, room: "/r", resume: { participantId: "me", token: "tok1" } });
    socket().receive({ ...JOINED, resumeToken: "tok2" });
    assert.equal(events.filter(([type]) => type === "joined").at(-1)?.[1].resumed, true);
    // the next drop resumes with the newest token
    socket().drop(1001);
    timers.advance(500);
    socket().open();
    assert.equal(socket().sent[0].resume.token, "tok2");
  });

  it("joins afresh when the server refuses the resume", () => {
    const { c, timers, socket } = client();
    c.connect({ room: "/r" });
    socket().open();
    socket().receive(JOINED);
    socket().drop();
    timers.advance(500);
    socket().open();
    socket().receive({ type: "error", code: "bad_field", message: "resume expired", about: "join" });
    assert.deepEqual(socket().sent[1], { type: "join", v: 1, room: "/r" });
    socket().receive({ ...JOINED, participantId: "me2" });
    assert.equal(c.participantId, "me2");
  });

  it("keeps chat and media while away and sends them after the next joined", () => {
    const { c, timers, socket } = client();
    c.connect({ room: "/r" });
    socket().open();
    socket().receive(JOINED);
    socket().drop();
    assert.equal(c.send("chat", { text: "still there?" }), true);
    assert.equal(c.send("signal", { to: "p", candidate: null }), false);
    timers.advance(500);
    socket().open();
    assert.equal(socket().sent.length, 1); // only join until joined
    socket().receive(JOINED);
    assert.deepEqual(socket().sent.map((m) => m.type), ["join", "chat"]);
  });

  it("lets a knocker knock before joining", () => {
    const { c, socket } = client();
    c.connect({ room: "/r" });
    socket().open();
    socket().receive({ type: "room-locked", room: { name: "/r", locked: true } });
    assert.equal(c.send("knock", { displayName: "Kim" }), true);
    assert.equal(socket().sent.at(-1).type, "knock");
  });

  it("stops for good on a final close code", () => {
    const { c, timers, events, socket } = client();
    c.connect({ room: "/r" });
    socket().open();
    socket().receive(JOINED);
    socket().drop(4001, "kicked");
    assert.equal(c.state, "closed");
    timers.advance(60_000);
    assert.equal(FakeSocket.all.length, 1);
    assert.deepEqual(events.find(([type]) => type === "closed")?.[1], { code: 4001, reason: "kicked" });
  });

  it("does not reconnect after removed, whatever the close code", () => {
    const { c, timers, socket } = client();
    c.connect({ room: "/r" });
    socket().open();
    socket().receive(JOINED);
    socket().receive({ type: "removed", reason: "meeting-ended" });
    socket().drop(1006);
    timers.advance(60_000);
    assert.equal(c.state, "closed");
    assert.equal(FakeSocket.all.length, 1);
  });

  it("leaves with leave and ends at the server's 4000", () => {
    const { c, events, socket } = client();
    c.connect({ room: "/r" });
    socket().open();
    socket().receive(JOINED);
    c.leave();
    assert.equal(socket().sent.at(-1).type, "leave");
    assert.equal(c.state, "leaving");
    socket().drop(4000);
    assert.deepEqual(events.find(([type]) => type === "closed")?.[1].code, 4000);
  });

  it("pings, and gives up on a silent connection", () => {
    const { c, timers, socket } = client();
    c.connect({ room: "/r" });
    socket().open();
    socket().receive(JOINED);
    timers.advance(15_000);
    assert.equal(socket().sent.at(-1).type, "ping");
    timers.advance(30_000); // nothing heard for 45 s
    assert.equal(c.state, "reconnecting");
  });
});
