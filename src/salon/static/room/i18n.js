/**
 * Every user-visible string goes through `t(key, params)`.
 *
 * A catalog is one module `i18n/<lang>.js` whose default export maps keys to strings. Adding a
 * language is adding that one file: `loadLanguage` imports it by name and falls back to English
 * (key by key, too) when a file or a key is missing. Keys are stable; `{name}` placeholders are
 * filled from params; a value may be `{one, other, …}` (chosen with Intl.PluralRules on
 * `params.count`). With `personality=off` a key `<key>.neutral` is preferred when present.
 *
 * Filled-in strings may contain user text (a name): assign them with textContent, never as HTML.
 */

import en from "./i18n/en.js";

/** @typedef {string | Record<string, string>} Entry */
/** @typedef {Record<string, Entry>} Catalog */

/** Room URL `lang` codes that differ from BCP 47. */
const BCP47 = /** @type {Record<string, string>} */ ({ jp: "ja", "zh-hant": "zh-Hant" });

let current = { lang: "en", catalog: /** @type {Catalog} */ (en), personality: true };
/** @type {Set<string>} */
const warned = new Set();

/** The BCP 47 tag of a room URL language code. @param {string} lang */
export function bcp47(lang) {
  return BCP47[lang] ?? lang;
}

/**
 * Use a catalog directly (tests, or a catalog already imported).
 * @param {string} lang @param {Catalog} catalog @param {{personality?: boolean}} [options]
 */
export function useCatalog(lang, catalog, { personality = true } = {}) {
  current = { lang, catalog, personality };
}

/**
 * Load `i18n/<lang>.js`, falling back to English. Returns the language in use.
 * @param {string | null} lang @param {{personality?: boolean}} [options]
 * @returns {Promise<string>}
 */
export async function loadLanguage(lang, { personality = true } = {}) {
  const wanted = lang ?? "en";
  if (wanted === "en") {
    useCatalog("en", en, { personality });
    return "en";
  }
  try {
    const module = await import(`./i18n/${wanted}.js`);
    useCatalog(wanted, module.default, { personality });
    return wanted;
  } catch {
    console.warn(`salon: no "${wanted}" translation yet; using English`);
    useCatalog("en", en, { personality });
    return "en";
  }
}

/**
 * The first of the browser's preferred languages (`navigator.languages`) that Salon ships, as a
 * room URL code, or null: the room's language when the URL has no `lang`. Pure.
 * @param {readonly string[]} preferred BCP 47 tags, most wanted first @param {readonly string[]} shipped
 * @returns {string | null}
 */
export function browserLanguage(preferred, shipped) {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split("-")[0];
    // Room URLs say `jp` for Japanese; Norwegian (`no`, `nn`) reads Bokmål best.
    const code = base === "ja" ? "jp" : base === "no" || base === "nn" ? "nb" : base;
    if (shipped.includes(code)) return code;
  }
  return null;
}

/** The language in use (room URL code). */
export function language() {
  return current.lang;
}

/** @param {string} key @returns {Entry | undefined} */
function lookup(key) {
  const { catalog, personality } = current;
  if (!personality) {
    const neutral = catalog[`${key}.neutral`] ?? /** @type {Catalog} */ (en)[`${key}.neutral`];
    if (neutral !== undefined) return neutral;
  }
  return catalog[key] ?? /** @type {Catalog} */ (en)[key];
}

/**
 * @param {string} key
 * @param {Record<string, string | number | null | undefined>} [params]
 * @returns {string}
 */
export function t(key, params = {}) {
  let entry = lookup(key);
  if (entry === undefined) {
    if (!warned.has(key)) {
      warned.add(key);
      console.warn(`salon: missing string ${key}`);
    }
    return key;
  }
  if (typeof entry === "object") {
    const category = new Intl.PluralRules(bcp47(current.lang)).select(Number(params.count ?? 0));
    entry = entry[category] ?? entry.other ?? "";
  }
  return entry.replace(/\{(\w+)\}/g, (whole, name) => (params[name] === undefined || params[name] === null ? whole : String(params[name])));
}

/** A time of day in the page's language, e.g. "14:05". @param {number} epochMs */
export function formatTime(epochMs) {
  return new Intl.DateTimeFormat(bcp47(current.lang), { hour: "2-digit", minute: "2-digit" }).format(new Date(epochMs));
}
