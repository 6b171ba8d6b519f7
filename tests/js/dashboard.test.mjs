import { test } from "node:test";
import assert from "node:assert/strict";

import { looksAllowed, normalizeOrigin, previewHeader } from "../../src/salon/static/dashboard/csp.js";

const NONE = "frame-ancestors 'self'";

test("the preview adds a valid origin, normalised as the server stores it", () => {
  assert.deepEqual(previewHeader(NONE, " HTTPS://App.Example.com/ "), {
    header: "frame-ancestors 'self' https://app.example.com",
    valid: true,
  });
});

test("the preview keeps the header and flags an origin the server would refuse", () => {
  for (const bad of ["app.example.com", "https://example.com/path", "http://example.com", "https://intranet", "https://x.com:99999"]) {
    assert.deepEqual(previewHeader(NONE, bad), { header: NONE, valid: false }, bad);
  }
});

test("the preview accepts every form the CLI accepts", () => {
  for (const good of ["https://*.example.com", "https://app.example.com:8443", "http://localhost:3000", "https://localhost"]) {
    assert.equal(looksAllowed(normalizeOrigin(good)), true, good);
  }
});

test("an origin already allowed is not added twice; an empty field shows the current header", () => {
  const current = `${NONE} https://a.example.com`;
  assert.equal(previewHeader(current, "https://a.example.com").header, current);
  assert.deepEqual(previewHeader(current, "  "), { header: current, valid: true });
});
