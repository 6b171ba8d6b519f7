// Quality samples for insights (media/quality.js): totals from getStats() and the sample between two.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { addReport, emptyTotals, sampleBetween } from "../../src/salon/static/room/media/quality.js";

describe("addReport", () => {
  it("sums what was sent, received and lost, and what the far end lost of ours", () => {
    const totals = addReport(emptyTotals(), [
      { type: "outbound-rtp", bytesSent: 1000, packetsSent: 10 },
      { type: "outbound-rtp", bytesSent: 500, packetsSent: 5 },
      { type: "inbound-rtp", bytesReceived: 2000, packetsReceived: 20, packetsLost: 2 },
      { type: "remote-inbound-rtp", packetsLost: 1 },
      { type: "candidate-pair", bytesSent: 99999 },
    ]);
    assert.deepEqual(totals, { bytesSent: 1500, packetsSent: 15, bytesReceived: 2000, packetsReceived: 20, packetsLost: 2, remoteLost: 1 });
  });
});

describe("sampleBetween", () => {
  it("gives loss in percent and bitrate in bits per second", () => {
    const before = { bytesSent: 0, bytesReceived: 0, packetsSent: 0, packetsReceived: 0, packetsLost: 0, remoteLost: 0 };
    const now = { bytesSent: 250_000, bytesReceived: 500_000, packetsSent: 400, packetsReceived: 297, packetsLost: 3, remoteLost: 4 };
    assert.deepEqual(sampleBetween(before, now, 2000), { packetLossSend: 1, packetLossRecv: 1, bitrateSend: 1_000_000, bitrateRecv: 2_000_000 });
  });

  it("treats totals that shrank (a connection closed) as nothing, and no time as no rate", () => {
    const before = { ...emptyTotals(), bytesSent: 5000, packetsSent: 50 };
    assert.deepEqual(sampleBetween(before, emptyTotals(), 2000), { packetLossSend: 0, packetLossRecv: 0, bitrateSend: 0, bitrateRecv: 0 });
    assert.equal(sampleBetween(emptyTotals(), { ...emptyTotals(), bytesSent: 10 }, 0).bitrateSend, 0);
  });
});
