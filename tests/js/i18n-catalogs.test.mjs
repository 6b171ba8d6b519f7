// Translations against the English reference: exactly English's keys, the same `{placeholders}`,
// the plural forms the language needs, and every neutral (`personality=off`) twin English has.
// Every catalog file in i18n/ is checked, so a language added later is held to the same rules.
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { afterEach, describe, it } from "node:test";

import en from "../../src/salon/static/room/i18n/en.js";
import { bcp47, language, loadLanguage, t, useCatalog } from "../../src/salon/static/room/i18n.js";
import { LANGUAGES } from "../../src/salon/static/room/params.js";

const DIR = new URL("../../src/salon/static/room/i18n/", import.meta.url);
/** Catalogs that must exist (room URL codes: Japanese is `jp`). */
const REQUIRED = ["de", "es", "fr", "jp", "nb", "pt"];
/** Counts t() is realistically asked to pluralise (unread messages, people): integers only. */
const COUNTS = Array.from({ length: 1001 }, (_, n) => n);

const codes = (await readdir(DIR))
  .filter((file) => file.endsWith(".js") && file !== "en.js")
  .map((file) => file.slice(0, -".js".length))
  .sort();
/** @type {Record<string, Record<string, string | Record<string, string>>>} */
const catalogs = Object.fromEntries(
  await Promise.all(codes.map(async (code) => [code, (await import(new URL(`${code}.js`, DIR).href)).default])),
);

/** Placeholder names in a string, sorted and deduplicated. @param {string} text */
function placeholders(text) {
  return [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();
}

/** The forms of an entry (a string is one form named "string"). @param {string | Record<string, string>} entry */
function forms(entry) {
  return typeof entry === "string" ? { string: entry } : entry;
}

/** The plural categories integer counts reach in a language, plus `other` (t()'s fallback). @param {string} code */
function neededCategories(code) {
  const rules = new Intl.PluralRules(bcp47(code));
  return new Set(["other", ...COUNTS.map((n) => rules.select(n))]);
}

/** Keys missing from a catalog, and keys it has that English does not. */
function keyProblems(catalog) {
  const missing = Object.keys(en).filter((key) => !(key in catalog));
  const unknown = Object.keys(catalog).filter((key) => !(key in en));
  return [...missing.map((key) => `missing ${key}`), ...unknown.map((key) => `unknown ${key}`)];
}

/** English `.neutral` twins the catalog lacks (t() would show the English neutral wording). */
function neutralProblems(catalog) {
  return Object.keys(en)
    .filter((key) => key.endsWith(".neutral") && !(key in catalog))
    .map((key) => `missing neutral ${key}`);
}

/** Placeholders that differ from English, and stray braces that t() would leave on screen. */
function placeholderProblems(catalog) {
  const problems = [];
  for (const [key, entry] of Object.entries(catalog)) {
    if (!(key in en)) continue;
    const reference = en[key];
    const wanted = placeholders(typeof reference === "string" ? reference : reference.other);
    for (const [form, text] of Object.entries(forms(entry))) {
      if (typeof text !== "string") continue;
      const got = placeholders(text);
      if (got.join() !== wanted.join()) problems.push(`${key} [${form}]: {${got.join("} {")}} instead of {${wanted.join("} {")}}`);
      if (/[{}]/.test(text.replace(/\{\w+\}/g, ""))) problems.push(`${key} [${form}]: stray brace in ${JSON.stringify(text)}`);
    }
  }
  return problems;
}

/** Entries whose shape differs from English, empty strings, and plural forms the language lacks or misses. */
function formProblems(code, catalog) {
  const problems = [];
  const needed = neededCategories(code);
  const known = new Set(new Intl.PluralRules(bcp47(code)).resolvedOptions().pluralCategories);
  for (const [key, entry] of Object.entries(catalog)) {
    if (!(key in en)) continue;
    const plural = typeof en[key] === "object";
    if (plural !== (typeof entry === "object" && entry !== null)) {
      problems.push(`${key}: ${plural ? "a plural object" : "a string"} in English`);
      continue;
    }
    for (const [form, text] of Object.entries(forms(entry))) {
      if (typeof text !== "string" || text.trim() === "" || text !== text.trim()) problems.push(`${key} [${form}]: empty or padded`);
    }
    if (!plural) continue;
    for (const category of needed) if (!(category in entry)) problems.push(`${key}: no "${category}" form`);
    for (const category of Object.keys(entry)) if (!known.has(category)) problems.push(`${key}: "${category}" is not a plural form of ${bcp47(code)}`);
  }
  return problems;
}

afterEach(() => useCatalog("en", en));

describe("translation catalogs", () => {
  it("exist for every required language, each a room URL code with a locale Intl knows", () => {
    assert.deepEqual(REQUIRED.filter((code) => !codes.includes(code)), []);
    for (const code of codes) {
      assert.ok(LANGUAGES.includes(code), `${code} is not a room URL language`);
      assert.equal(Intl.PluralRules.supportedLocalesOf(bcp47(code)).length, 1, `${code} → ${bcp47(code)}`);
    }
    assert.equal(bcp47("jp"), "ja");
  });

  for (const code of codes) {
    describe(code, () => {
      const catalog = catalogs[code];

      it("has every English key and no other", () => {
        assert.deepEqual(keyProblems(catalog), []);
      });

      it("has every neutral (personality=off) variant English has", () => {
        assert.deepEqual(neutralProblems(catalog), []);
      });

      it("keeps English's placeholders in every string and plural form", () => {
        assert.deepEqual(placeholderProblems(catalog), []);
      });

      it("matches English's entry shapes, with the plural forms its language needs", () => {
        assert.deepEqual(formProblems(code, catalog), []);
      });

      it("loads by its room URL code, and personality=off picks its own neutral wording", async () => {
        assert.equal(await loadLanguage(code), code);
        assert.equal(language(), code);
        const neutral = Object.keys(en).filter((key) => key.endsWith(".neutral"));
        for (const key of neutral) assert.equal(t(key.slice(0, -".neutral".length)), catalog[key.slice(0, -".neutral".length)]);
        await loadLanguage(code, { personality: false });
        for (const key of neutral) assert.equal(t(key.slice(0, -".neutral".length)), catalog[key]);
      });

      it("fills placeholders and picks plural forms through t()", () => {
        useCatalog(code, catalog);
        const sample = t("toast.joined", { name: "Ada" });
        assert.ok(sample.includes("Ada") && !sample.includes("{"), sample);
        for (const count of [1, 2, 5]) {
          const unread = t("toolbar.unread", { count });
          assert.ok(unread.includes(String(count)) && !unread.includes("{"), unread);
        }
      });
    });
  }
});

describe("the catalog checks themselves", () => {
  it("catch a missing key and an unknown one", () => {
    const { "toolbar.leave": _, ...broken } = en;
    assert.deepEqual(keyProblems({ ...broken, "toolbar.leav": "Quitter" }), ["missing toolbar.leave", "unknown toolbar.leav"]);
  });

  it("catch a missing neutral variant", () => {
    const { "chat.empty.neutral": _, ...broken } = en;
    assert.deepEqual(neutralProblems(broken), ["missing neutral chat.empty.neutral"]);
  });

  it("catch a renamed, dropped or extra placeholder, and a broken brace", () => {
    assert.equal(placeholderProblems(en).length, 0);
    assert.deepEqual(placeholderProblems({ "toast.joined": "{nom} est là" }), ["toast.joined [string]: {nom} instead of {name}"]);
    assert.equal(placeholderProblems({ "notice.full.text": "La salle est pleine." }).length, 1);
    assert.equal(placeholderProblems({ "toolbar.leave": "Quitter {name}" }).length, 1);
    assert.equal(placeholderProblems({ "toast.joined": "{name} est là {" }).length, 1);
    assert.equal(placeholderProblems({ "toolbar.unread": { one: "Un message non lu", other: "{count} messages non lus" } }).length, 1);
  });

  it("catch a plural flattened to a string, a missing needed form and a form the language lacks", () => {
    assert.deepEqual(formProblems("fr", { "toolbar.unread": "{count} messages" }), ["toolbar.unread: a plural object in English"]);
    assert.deepEqual(formProblems("de", { "toolbar.unread": { other: "{count} Nachrichten" } }), ['toolbar.unread: no "one" form']);
    assert.deepEqual(formProblems("jp", { "toolbar.unread": { one: "{count}", other: "{count}" } }), ['toolbar.unread: "one" is not a plural form of ja']);
    assert.deepEqual(formProblems("pl", { "toolbar.unread": { one: "{count}", other: "{count}" } }), ['toolbar.unread: no "many" form', 'toolbar.unread: no "few" form']);
    assert.deepEqual(formProblems("fr", { "toolbar.leave": " " }), ["toolbar.leave [string]: empty or padded"]);
  });
});
