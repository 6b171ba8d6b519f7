// Strings: keys, placeholders, plurals, fallback to English, personality=off.
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";

import en from "../../src/salon/static/room/i18n/en.js";
import { bcp47, browserLanguage, formatTime, language, loadLanguage, t, useCatalog } from "../../src/salon/static/room/i18n.js";

afterEach(() => useCatalog("en", en));

describe("t", () => {
  it("fills placeholders, and leaves unknown ones visible", () => {
    assert.equal(t("toast.joined", { name: "Ada" }), "Ada joined");
    assert.equal(t("toast.joined"), "{name} joined");
  });

  it("never interprets the values it fills in", () => {
    assert.equal(t("toast.joined", { name: "<img src=x onerror=alert(1)> {name}" }), "<img src=x onerror=alert(1)> {name} joined");
  });

  it("picks plural forms", () => {
    assert.equal(t("toolbar.unread", { count: 1 }), "1 unread message");
    assert.equal(t("toolbar.unread", { count: 3 }), "3 unread messages");
  });

  it("returns the key for a missing string", () => {
    const warn = console.warn;
    console.warn = () => {};
    try {
      assert.equal(t("no.such.key"), "no.such.key");
    } finally {
      console.warn = warn;
    }
  });

  it("falls back to English key by key", () => {
    useCatalog("fr", { "toolbar.leave": "Quitter" });
    assert.equal(t("toolbar.leave"), "Quitter");
    assert.equal(t("toolbar.chat"), "Chat");
  });

  it("prefers neutral wording with personality=off", () => {
    assert.equal(t("notice.left.title"), "Have a good one!");
    useCatalog("en", en, { personality: false });
    assert.equal(t("notice.left.title"), "You've left the meeting");
    assert.equal(t("notice.removed.title"), "You were removed");
  });
});

describe("catalogs", () => {
  it("loads English, and falls back to it for a language without a catalog", async () => {
    const warn = console.warn;
    console.warn = () => {};
    try {
      assert.equal(await loadLanguage("sv"), "en");
      assert.equal(language(), "en");
    } finally {
      console.warn = warn;
    }
    assert.equal(await loadLanguage(null), "en");
  });

  it("English has only strings or plural objects with an `other` form", () => {
    for (const [key, value] of Object.entries(en)) {
      if (typeof value === "string") continue;
      assert.equal(typeof value.other, "string", key);
    }
  });

  it("every t() key used by the room page exists in English", async () => {
    const { readdir, readFile } = await import("node:fs/promises");
    const path = await import("node:path");
    const root = new URL("../../src/salon/static/room/", import.meta.url).pathname;
    const files = (await readdir(root, { recursive: true })).filter((f) => f.endsWith(".js") && !f.startsWith("i18n"));
    const missing = [];
    for (const file of files) {
      const source = await readFile(path.join(root, file), "utf8");
      for (const match of source.matchAll(/\bt\("([\w.]+)"/g)) if (!(match[1] in en)) missing.push(`${file}: ${match[1]}`);
    }
    assert.deepEqual(missing, []);
  });

  it("maps room URL codes to BCP 47 and formats times", () => {
    assert.equal(bcp47("jp"), "ja");
    assert.equal(bcp47("zh-hant"), "zh-Hant");
    assert.equal(bcp47("fr"), "fr");
    assert.match(formatTime(Date.UTC(2024, 0, 1, 13, 5)), /\d{1,2}:05/);
  });
});

describe("browserLanguage", () => {
  const shipped = ["en", "fr", "de", "nb", "pt", "es", "jp"];

  it("takes the first preferred language Salon ships, by its base tag", () => {
    assert.equal(browserLanguage(["cs-CZ", "de-AT", "fr"], shipped), "de");
    assert.equal(browserLanguage(["pt-BR"], shipped), "pt");
  });

  it("maps Japanese to the room URL's jp, and Norwegian to Bokmål", () => {
    assert.equal(browserLanguage(["ja-JP"], shipped), "jp");
    assert.equal(browserLanguage(["nn-NO"], shipped), "nb");
    assert.equal(browserLanguage(["no"], shipped), "nb");
  });

  it("is null when none is shipped, so English stands", () => {
    assert.equal(browserLanguage(["cs", "pl-PL"], shipped), null);
    assert.equal(browserLanguage([], shipped), null);
  });
});
