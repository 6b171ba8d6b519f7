// Which tiles the grid shows and which one takes the stage.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { initialState, reduce } from "../../src/salon/static/room/state.js";
import { tilesFor } from "../../src/salon/static/room/tiles.js";

const room = { name: "/r", mode: "normal", locked: false, spotlight: null, capacity: 4 };
const p = (id, extra = {}) => ({ id, displayName: id.toUpperCase(), role: "visitor", audio: true, video: true, screen: false, reconnecting: false, ...extra });
const cam = { id: "camera-stream", getVideoTracks: () => [{ kind: "video" }] };
const screen = { id: "screen-stream" };

function state(participants, extra = {}) {
  return reduce(initialState(), { type: "joined", participantId: "me", role: "host", room: { ...room, ...extra }, participants, displayName: "Me" });
}

describe("tilesFor", () => {
  it("gives me and every sender a camera tile, and viewers none", () => {
    const s = state([p("a"), p("v", { role: "viewer" })]);
    const { tiles, stageKey } = tilesFor(s, { camera: cam, screen: null, remote: new Map([["a", { camera: cam }]]) });
    assert.deepEqual(tiles.map((t) => t.key), ["me:camera", "a:camera"]);
    assert.equal(tiles[0].isMe, true);
    assert.equal(tiles[1].name, "A");
    assert.equal(stageKey, null);
  });

  it("shows my camera only while it is on", () => {
    const off = state([]);
    assert.equal(tilesFor(off, { camera: cam, screen: null, remote: new Map() }).tiles[0].stream, null);
    const on = reduce(off, { type: "local/media", media: { audio: true, video: true, screen: false } });
    assert.equal(tilesFor(on, { camera: cam, screen: null, remote: new Map() }).tiles[0].stream, cam);
  });

  it("puts a shared screen on the stage", () => {
    const s = state([p("a", { screen: true })]);
    const { tiles, stageKey } = tilesFor(s, { camera: null, screen: null, remote: new Map([["a", { camera: cam, screen }]]) });
    assert.deepEqual(tiles.map((t) => t.key), ["me:camera", "a:camera", "a:screen"]);
    assert.equal(stageKey, "a:screen");
  });

  it("puts the spotlight on the stage, before any screen", () => {
    const s = state([p("a", { screen: true }), p("b")], { spotlight: "b" });
    const { stageKey, tiles } = tilesFor(s, { camera: null, screen: null, remote: new Map([["a", { screen }]]) });
    assert.equal(stageKey, "b:camera");
    assert.equal(tiles.find((t) => t.key === "b:camera")?.spotlight, true);
  });

  it("shows reconnecting participants as such", () => {
    const s = state([p("a", { reconnecting: true })]);
    assert.equal(tilesFor(s, { camera: null, screen: null, remote: new Map() }).tiles[1].reconnecting, true);
  });

  it("names a participant without a name Guest", () => {
    const s = state([p("a", { displayName: null })]);
    assert.equal(tilesFor(s, { camera: null, screen: null, remote: new Map() }).tiles[1].name, "Guest");
  });
});
