// Live streaming in the room: the embed commands map to the host's messages, `streaming-status`
// becomes the indicator and the embedding page's event, and the Go live button (hosts of a meeting
// that may go live) follows the server's status and sends the host's messages.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { COMMANDS } from "../../src/salon/static/room/embed.js";
import { initialState, reduce } from "../../src/salon/static/room/state.js";
import { STREAMING_COMMANDS, liveButton, streamingActions, streamingStatus } from "../../src/salon/static/room/streaming.js";

/** @param {string} role @param {boolean} streaming */
const joinedAs = (role, streaming) =>
  reduce(initialState(), { type: "joined", participantId: "me", role, room: { name: "/r" }, participants: [], streaming });

describe("streaming", () => {
  it("obeys startStreaming() and stopStreaming() by sending the host's messages", () => {
    const sent = [];
    const actions = streamingActions({ send: (type) => sent.push(type), state: initialState });
    for (const [command, action] of Object.entries(STREAMING_COMMANDS)) {
      assert.ok(COMMANDS.includes(command), command);
      actions[action]();
    }
    assert.deepEqual(sent, ["start-streaming", "stop-streaming"]);
  });

  it("turns streaming-status into the indicator and streaming_status_change", () => {
    assert.deepEqual(streamingStatus({ streaming: true }), { indicator: "on", event: { status: "started" } });
    assert.deepEqual(streamingStatus({ streaming: false }), { indicator: "off", event: { status: "stopped" } });
  });

  it("shows Go live to hosts of a meeting that may go live, pressed while the server says live", () => {
    assert.equal(liveButton(joinedAs("host", true)).show, true);
    assert.equal(liveButton(joinedAs("visitor", true)).show, false);
    assert.equal(liveButton(joinedAs("host", false)).show, false);
    let s = joinedAs("host", true);
    assert.deepEqual(liveButton(s), { show: true, on: false, label: "Go live", title: "Stream the meeting live" });
    s = reduce(s, { type: "streaming-status", streaming: true, startedAt: 1 });
    assert.deepEqual(liveButton(s), { show: true, on: true, label: "Stop live", title: "Stop streaming the meeting live" });
    s = reduce(s, { type: "streaming-status", streaming: false, startedAt: null });
    assert.equal(liveButton(s).on, false);
  });

  it("sends start-streaming or stop-streaming as the status stands, and nothing for a visitor", () => {
    const sent = [];
    let s = joinedAs("host", true);
    const actions = streamingActions({ send: (type) => sent.push(type), state: () => s });
    actions["toggle-streaming"]();
    assert.deepEqual(sent, ["start-streaming"]); // the click alone changes nothing on the page
    actions["toggle-streaming"]();
    s = reduce(s, { type: "streaming-status", streaming: true, startedAt: 1 });
    actions["toggle-streaming"]();
    assert.deepEqual(sent, ["start-streaming", "start-streaming", "stop-streaming"]);
    s = joinedAs("visitor", true);
    actions["toggle-streaming"]();
    assert.equal(sent.length, 3);
  });
});
