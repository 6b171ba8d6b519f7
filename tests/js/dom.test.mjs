// The escaping helper: user text never becomes markup.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { escapeHTML, html, SafeHTML, trusted } from "../../src/salon/static/room/dom.js";

describe("html``", () => {
  it("escapes every interpolated value", () => {
    const name = `<img src=x onerror=alert(1)> & "quotes" 'too'`;
    assert.equal(html`<b>${name}</b>`.value, "<b>&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot; &#39;too&#39;</b>");
  });

  it("nests html`` and trusted constants without escaping them again", () => {
    const inner = html`<i>${"<x>"}</i>`;
    assert.equal(html`<p>${inner}${trusted("<svg></svg>")}</p>`.value, "<p><i>&lt;x&gt;</i><svg></svg></p>");
  });

  it("renders arrays, and nothing for null, undefined and false", () => {
    assert.equal(html`${["<a>", html`<b></b>`]}|${null}${undefined}${false}|${0}`.value, "&lt;a&gt;<b></b>||0");
  });

  it("returns SafeHTML, which plain strings are not", () => {
    assert.ok(html`x` instanceof SafeHTML);
    assert.equal(escapeHTML("<>"), "&lt;&gt;");
  });
});
