// The room theme as design tokens (theme.js): colours, backgrounds, `background=off`.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { backgroundValue, PALETTES, themeTokens } from "../../src/salon/static/room/theme.js";

const EMPTY = { colors: {}, logo: null, roomBackground: null, knockPageBackground: null };

describe("themeTokens", () => {
  it("sets nothing for Salon's own look", () => {
    assert.deepEqual(themeTokens(EMPTY, true), {});
  });

  it("maps primary, secondary and focus onto the accent, soft accent and focus tokens", () => {
    const tokens = themeTokens({ ...EMPTY, colors: { primary: "#ff0066", secondary: "#00aa88", focus: "#123456" } }, true);
    assert.equal(tokens["--salon-accent"], "#ff0066");
    assert.equal(tokens["--salon-accent-hover"], "color-mix(in srgb, #ff0066 85%, black)");
    assert.equal(tokens["--salon-accent-soft"], "#00aa88");
    assert.equal(tokens["--salon-focus"], "#123456");
  });

  it("draws backgrounds unless the embedding page asked for none", () => {
    const theme = { ...EMPTY, roomBackground: { image: "/_salon/theme/r/room-background?v=1", palette: null, theme: null },
      knockPageBackground: { image: null, palette: "burgund", theme: "default" } };
    const tokens = themeTokens(theme, true);
    assert.equal(tokens["--salon-room-background"], 'url("/_salon/theme/r/room-background?v=1") center / cover no-repeat');
    assert.equal(tokens["--salon-knock-background"], PALETTES.burgund);
    assert.deepEqual(themeTokens(theme, false), {});
  });
});

describe("backgroundValue", () => {
  it("layers the image over the pattern over the palette", () => {
    const value = backgroundValue({ image: "/i.png", palette: "grey", theme: "rocks" });
    assert.ok(value.startsWith('url("/i.png") center / cover no-repeat, radial-gradient('));
    assert.ok(value.endsWith(`, ${PALETTES.grey}`));
  });

  it("is null for the default palette and theme", () => {
    assert.equal(backgroundValue({ image: null, palette: "default", theme: "default" }), null);
    assert.equal(backgroundValue(null), null);
  });
});
