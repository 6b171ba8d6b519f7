// The embed seam's origin rule: commands only from allowed origins.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { COMMANDS, originAllowed } from "../../src/salon/static/room/embed.js";

describe("originAllowed", () => {
  const entries = ["https://app.example.com", "https://*.corp.example", "http://localhost:3000"];
  const self = "https://meet.salon.test";
  it("allows the room page's own origin and exact entries", () => {
    assert.ok(originAllowed(self, [], self));
    assert.ok(originAllowed("https://app.example.com", entries, self));
    assert.ok(originAllowed("http://localhost:3000", entries, self));
  });
  it("allows subdomains of a wildcard entry, not the bare domain or another scheme", () => {
    assert.ok(originAllowed("https://a.corp.example", entries, self));
    assert.ok(originAllowed("https://a.b.corp.example", entries, self));
    assert.ok(!originAllowed("https://corp.example", entries, self));
    assert.ok(!originAllowed("http://a.corp.example", entries, self));
    assert.ok(!originAllowed("https://evilcorp.example", entries, self));
  });
  it("refuses everything else", () => {
    assert.ok(!originAllowed("https://app.example.com.evil", entries, self));
    assert.ok(!originAllowed("http://localhost:3001", entries, self));
    assert.ok(!originAllowed("null", entries, self));
  });
  it("knows Whereby's embed commands", () => {
    assert.ok(COMMANDS.includes("toggle_camera") && COMMANDS.includes("end_meeting"));
  });
});
