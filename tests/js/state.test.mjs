// The room state reducer: server messages and local events in, room state out.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { CHAT_HISTORY_LIMIT, createStore, initialState, noticeForClose, participantCount, reduce, snapshot } from "../../src/salon/static/room/state.js";

const room = { name: "/r1", mode: "normal", locked: false, spotlight: null, capacity: 4 };
const alice = { id: "a", displayName: "Alice", role: "host", audio: true, video: true, screen: false, externalId: null, metadata: null, reconnecting: false, joinedAt: 1 };
const bob = { ...alice, id: "b", displayName: "Bob", role: "visitor" };
const viewer = { ...alice, id: "v", displayName: "Vic", role: "viewer", audio: false, video: false };

/** @param {...object} events */
function run(...events) {
  return events.reduce(reduce, initialState());
}
const joined = (extra = {}) => ({ type: "joined", v: 1, participantId: "me", resumeToken: "tok", role: "visitor", room, participants: [alice], iceServers: [], media: "mesh", ...extra });

describe("joining", () => {
  it("enters the room with me, the others and the room", () => {
    const s = run({ type: "local/connecting" }, joined({ displayName: "Me" }));
    assert.equal(s.phase, "room");
    assert.equal(s.connection, "open");
    assert.deepEqual({ id: s.me?.id, role: s.me?.role, displayName: s.me?.displayName }, { id: "me", role: "visitor", displayName: "Me" });
    assert.deepEqual(s.participants.map((p) => p.id), ["a"]);
    assert.equal(s.room?.capacity, 4);
  });

  it("shows the connecting phase only from the pre-call", () => {
    assert.equal(run({ type: "local/connecting" }).phase, "connecting");
  });

  it("keeps chat and knocks across a resume, and replaces the roster", () => {
    const s = run(
      joined({ role: "host" }),
      { type: "chat", id: "c1", from: "a", displayName: "Alice", text: "hi", at: 5 },
      { type: "knocks", knocks: [{ id: "k", displayName: "Kim", at: 9 }], total: 1 },
      joined({ role: "host", participants: [alice, bob], resumed: true }),
    );
    assert.equal(s.chat.length, 1);
    assert.equal(s.knocks.length, 1);
    assert.deepEqual(s.participants.map((p) => p.id), ["a", "b"]);
  });
});

describe("participants", () => {
  it("adds, updates and removes", () => {
    let s = run(joined(), { type: "participant-joined", participant: bob });
    assert.deepEqual(s.participants.map((p) => p.id), ["a", "b"]);
    s = reduce(s, { type: "participant-updated", participant: { ...bob, audio: false, reconnecting: true } });
    assert.equal(s.participants[1].audio, false);
    assert.equal(s.participants[1].reconnecting, true);
    s = reduce(s, { type: "participant-left", participantId: "b", reason: "left" });
    assert.deepEqual(s.participants.map((p) => p.id), ["a"]);
  });

  it("never lists me among the others", () => {
    const s = run(joined(), { type: "participant-joined", participant: { ...bob, id: "me" } });
    assert.deepEqual(s.participants.map((p) => p.id), ["a"]);
  });

  it("does not duplicate a participant who joins twice", () => {
    const s = run(joined(), { type: "participant-joined", participant: alice });
    assert.equal(s.participants.length, 1);
  });

  it("clears the spotlight of someone who left", () => {
    const s = run(joined(), { type: "room-updated", room: { ...room, spotlight: "a" } }, { type: "participant-left", participantId: "a", reason: "kicked" });
    assert.equal(s.room?.spotlight, null);
  });

  it("counts everyone, me included, in a normal room", () => {
    const s = run(joined(), { type: "participant-joined", participant: viewer });
    assert.deepEqual(participantCount(s), { count: 3, capacity: 4 });
  });

  it("counts viewers apart in a group room", () => {
    const s = run(joined({ room: { ...room, mode: "group", capacity: 200 } }), { type: "participant-joined", participant: viewer });
    assert.deepEqual(participantCount(s), { count: 2, capacity: 200 });
  });
});

describe("room", () => {
  it("takes lock and spotlight from room-updated", () => {
    const s = run(joined(), { type: "room-updated", room: { ...room, locked: true, spotlight: "a" } });
    assert.equal(s.room?.locked, true);
    assert.equal(s.room?.spotlight, "a");
  });
});

describe("knocking", () => {
  it("goes locked → knocking → held, then in", () => {
    let s = run({ type: "local/connecting" }, { type: "room-locked", room: { name: "/r1", locked: true } });
    assert.equal(s.phase, "locked");
    s = reduce(s, { type: "local/knocked" });
    s = reduce(s, { type: "knocking" });
    assert.equal(s.knock.status, "knocking");
    s = reduce(s, { type: "knock-held", message: "5 minutes" });
    assert.deepEqual(s.knock, { status: "held", message: "5 minutes" });
    s = reduce(s, joined({ role: "granted_visitor" }));
    assert.equal(s.phase, "room");
    assert.equal(s.knock.status, "idle");
  });

  it("shows the rejection with the host's message", () => {
    const s = run({ type: "room-locked", room: { locked: true } }, { type: "knock-rejected", message: "Not today" });
    assert.equal(s.phase, "notice");
    assert.deepEqual(s.notice, { kind: "rejected", reason: null, message: "Not today", capacity: null });
  });

  it("keeps the hosts' list of knockers, as the server's coalesced list", () => {
    const kim = { id: "k", displayName: "Kim", at: 9 };
    let s = run(joined({ role: "host" }), { type: "knocks", knocks: [kim], total: 1 });
    assert.deepEqual(s.knocks.map((k) => k.id), ["k"]);
    assert.equal(s.knocksTotal, 1);
    s = reduce(s, { type: "local/knock-held", id: "k", message: "wait" });
    assert.equal(s.knocks[0].held, true);
    // a later list keeps what this page knew of a knocker still waiting
    s = reduce(s, { type: "knocks", knocks: [kim, { id: "j", displayName: "Jo", at: 10 }], total: 2 });
    assert.deepEqual(s.knocks.map((k) => [k.id, k.held]), [["k", true], ["j", false]]);
    s = reduce(s, { type: "knocks", knocks: [], total: 0 });
    assert.deepEqual([s.knocks, s.knocksTotal], [[], 0]);
  });

  it("counts the knockers the list leaves out", () => {
    const listed = Array.from({ length: 100 }, (_, n) => ({ id: `k${n}`, displayName: null, at: n }));
    const s = run(joined({ role: "host" }), { type: "knocks", knocks: listed, total: 250 });
    assert.equal(s.knocks.length, 100);
    assert.equal(s.knocksTotal, 250);
  });

  it("takes the knocks already waiting from joined (hosts)", () => {
    const s = run(joined({ role: "host", knocks: [{ id: "k", displayName: "Kim", at: 3 }] }));
    assert.deepEqual(s.knocks, [{ id: "k", displayName: "Kim", at: 3, held: false, message: null }]);
  });

  it("cancels my knock", () => {
    const s = run({ type: "room-locked", room: {} }, { type: "local/knocked" }, { type: "local/knock-cancelled" });
    assert.equal(s.knock.status, "idle");
  });
});

describe("chat", () => {
  it("keeps messages once, marks mine, counts unread while the panel is closed", () => {
    let s = run(joined());
    const line = { type: "chat", id: "c1", from: "a", displayName: "Alice", text: "<b>hi</b>", at: 1 };
    s = reduce(reduce(s, line), line);
    assert.equal(s.chat.length, 1);
    assert.equal(s.chat[0].text, "<b>hi</b>");
    assert.equal(s.unread, 1);
    s = reduce(s, { type: "chat", id: "c2", from: "me", displayName: "Me", text: "yo", at: 2 });
    assert.equal(s.chat[1].mine, true);
    assert.equal(s.unread, 1);
    s = reduce(s, { type: "local/panel", panel: "chat" });
    assert.equal(s.unread, 0);
    s = reduce(s, { type: "local/panel", panel: "chat" });
    assert.equal(s.panel, null);
  });

  it("opens, closes and switches panels", () => {
    let s = run({ type: "local/panel", panel: "people", open: true });
    assert.equal(s.panel, "people");
    s = reduce(s, { type: "local/panel", panel: "people", open: true });
    assert.equal(s.panel, "people");
    s = reduce(s, { type: "local/panel", panel: "chat" });
    assert.equal(s.panel, "chat");
    s = reduce(s, { type: "local/panel", panel: "people", open: false });
    assert.equal(s.panel, "chat");
    s = reduce(s, { type: "local/panel", panel: "chat", open: false });
    assert.equal(s.panel, null);
  });

  it("drops the oldest lines past the limit", () => {
    let s = run(joined());
    for (let i = 0; i < CHAT_HISTORY_LIMIT + 5; i += 1) s = reduce(s, { type: "chat", id: `c${i}`, from: "a", text: "x", at: i });
    assert.equal(s.chat.length, CHAT_HISTORY_LIMIT);
    assert.equal(s.chat[0].id, "c5");
  });
});

describe("my media", () => {
  it("follows local changes and a host's mute", () => {
    let s = run({ type: "local/media", media: { audio: true, video: true, screen: false } }, joined());
    assert.equal(s.me?.audio, true);
    s = reduce(s, { type: "muted", by: "a" });
    assert.equal(s.local.audio, false);
    assert.equal(s.me?.audio, false);
    s = reduce(s, { type: "camera-turned-off", by: "a" });
    assert.equal(s.me?.video, false);
  });
});

describe("the end", () => {
  for (const [reason, kind] of [["kicked", "removed"], ["meeting-ended", "ended"], ["meeting-deleted", "deleted"], ["meeting-over", "deleted"], ["replaced", "removed"]]) {
    it(`removed (${reason}) shows ${kind}`, () => {
      const s = run(joined(), { type: "removed", reason });
      assert.equal(s.phase, "notice");
      assert.equal(s.notice?.kind, kind);
      assert.equal(s.notice?.reason, reason);
    });
  }

  it("room-full shows the capacity", () => {
    const s = run({ type: "local/connecting" }, { type: "room-full", capacity: 4 });
    assert.deepEqual(s.notice, { kind: "full", reason: null, message: null, capacity: 4 });
  });

  it("the first reason wins over the close that follows", () => {
    const s = run(joined(), { type: "removed", reason: "meeting-ended" }, { type: "local/closed", code: 4002 });
    assert.equal(s.notice?.kind, "ended");
  });

  it("maps close codes without a message", () => {
    assert.equal(noticeForClose(4001).kind, "removed");
    assert.equal(noticeForClose(4004).kind, "full");
    assert.equal(noticeForClose(4005).kind, "rejected");
    assert.equal(noticeForClose(4003).kind, "deleted");
    assert.equal(noticeForClose(1006).kind, "error");
  });

  it("leaving shows the left screen and ignores later connection changes", () => {
    const s = run(joined(), { type: "local/left" }, { type: "local/connection", status: "reconnecting" });
    assert.equal(s.notice?.kind, "left");
    assert.equal(s.connection, "closed");
  });

  it("no_such_room shows a deleted meeting", () => {
    const s = run({ type: "local/connecting" }, { type: "error", code: "no_such_room", message: "", about: "join" });
    assert.equal(s.notice?.kind, "deleted");
  });

  it("other errors are kept, the room goes on", () => {
    const s = run(joined(), { type: "error", code: "not_allowed", message: "hosts only", about: "lock" });
    assert.equal(s.phase, "room");
    assert.equal(s.lastError?.code, "not_allowed");
  });
});

describe("store", () => {
  it("notifies on change only, and snapshots are JSON", () => {
    const store = createStore();
    const seen = [];
    store.subscribe((state, previous, event) => seen.push(event.type));
    store.dispatch({ type: "unknown-from-a-later-version" });
    store.dispatch(joined());
    assert.deepEqual(seen, ["joined"]);
    const snap = snapshot(store.getState());
    assert.deepEqual(snap.me, { id: "me", role: "visitor", displayName: null, audio: false, video: false, screen: false });
    assert.deepEqual(snap.count, { count: 2, capacity: 4 });
  });
});
