/** How people are named on screen. Pure. */

import { t } from "./i18n.js";

/** A participant's name, or "Guest" when they gave none. @param {any} p anything with a `displayName` */
export function nameOf(p) {
  return p?.displayName?.trim() || t("person.guest");
}

/** Up to two initials for an avatar: "Ada Lovelace" → "AL". @param {string} name */
export function initials(name) {
  const words = name.trim().split(/\s+/u).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : words;
  // The first letter or digit of each word ("<img" gives "I"), else its first character.
  return letters.map((w) => (/[\p{L}\p{N}]/u.exec(w)?.[0] ?? [...w][0] ?? "")).join("").toLocaleUpperCase() || "?";
}
