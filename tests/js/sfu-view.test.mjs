// The group-room media's `sfu-view`: debounced, sent only when it changes, sent again after the
// SFU starts over.
import assert from "node:assert/strict";
import { describe, it, mock } from "node:test";

import { SfuMedia, VIEW_DEBOUNCE_MS } from "../../src/salon/static/room/media/sfu.js";

const video = (participantId, substream = 0) => ({ participantId, kind: "camera", substream });

function media() {
  const sent = [];
  const sfu = new SfuMedia({ send: (type, fields) => { sent.push({ type, ...fields }); return true; }, RTCPeerConnection: /** @type {any} */ (class {}) });
  sfu.active = true;
  return { sfu, views: () => sent.filter((m) => m.type === "sfu-view") };
}

describe("SfuMedia.setView", () => {
  it("sends the last view once it has settled, and nothing when it has not changed", () => {
    mock.timers.enable({ apis: ["setTimeout"] });
    try {
      const { sfu, views } = media();
      sfu.setView([video("a")], []);
      sfu.setView([video("a"), video("b", 1)], ["b"]);
      mock.timers.tick(VIEW_DEBOUNCE_MS - 1);
      assert.deepEqual(views(), []);
      mock.timers.tick(1);
      assert.deepEqual(views(), [{ type: "sfu-view", videos: [video("a"), video("b", 1)], pinned: ["b"] }]);
      sfu.setView([video("a"), video("b", 1)], ["b"]);
      mock.timers.tick(VIEW_DEBOUNCE_MS);
      assert.equal(views().length, 1);
      sfu.setView([video("c")], []);
      mock.timers.tick(VIEW_DEBOUNCE_MS);
      assert.deepEqual(views()[1].videos, [video("c")]);
    } finally {
      mock.timers.reset();
    }
  });
});
