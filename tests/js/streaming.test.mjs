// Live streaming in the room: the embed commands map to the host's messages, and
// `streaming-status` becomes the indicator and the embedding page's event.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { COMMANDS } from "../../src/salon/static/room/embed.js";
import { STREAMING_COMMANDS, streamingActions, streamingStatus } from "../../src/salon/static/room/streaming.js";

describe("streaming", () => {
  it("obeys startStreaming() and stopStreaming() by sending the host's messages", () => {
    const sent = [];
    const actions = streamingActions({ send: (type) => sent.push(type) });
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
});
