/**
 * Breakout groups as this page sees them: who shares my space (for the mesh and the grid), and
 * the host's plan before a session starts (groups, who goes where, shuffle). Pure: no DOM, no
 * I/O, unit-tested in Node.
 *
 *   room.breakout {groups, assignments, allowChoose} ─► groupOf / inMySpace ─► mesh, grid, banner
 *   host's draft ─► reduceDraft(draft, op) ─► startMessages(draft, present) ─► breakout-start + -assign
 *
 * A participant with no group is in the main room; outside a session everyone shares the room.
 */

import { MAX_GROUPS } from "./params.js";

/** The server's limit on a group name (rooms/breakout.py). */
export const GROUP_NAME_MAX = 40;
/** How many groups a new plan starts with when the URL names none. */
export const DEFAULT_GROUP_COUNT = 2;

/**
 * @typedef {{groups: string[], assignments: Record<string, number>, allowChoose: boolean}} Breakout
 * @typedef {{groups: string[], assignments: Record<string, number>, allowChoose: boolean}} Draft
 * @typedef {{type: string, [field: string]: any}} DraftOp
 */

/**
 * The session as the server sent it, or null when none runs (or the value is not one).
 * @param {any} value @returns {Breakout | null}
 */
export function readBreakout(value) {
  if (!value || typeof value !== "object" || !Array.isArray(value.groups)) return null;
  /** @type {Record<string, number>} */
  const assignments = {};
  for (const [id, group] of Object.entries(value.assignments ?? {})) {
    if (Number.isInteger(group) && group >= 0 && group < value.groups.length) assignments[id] = /** @type {number} */ (group);
  }
  return { groups: value.groups.map(String), assignments, allowChoose: Boolean(value.allowChoose) };
}

/** A participant's group index, or null (the main room, or no session). @param {Breakout | null} breakout @param {string | null | undefined} id */
export function groupOf(breakout, id) {
  if (!breakout || !id) return null;
  return breakout.assignments[id] ?? null;
}

/** Do two participants share a space (a group, or the main room)? @param {Breakout | null} breakout @param {string} a @param {string} b */
export function sameSpace(breakout, a, b) {
  return groupOf(breakout, a) === groupOf(breakout, b);
}

/**
 * The others who share my space: the people my page connects to and shows.
 * @template {{id: string}} P
 * @param {Breakout | null} breakout @param {string | null | undefined} myId @param {P[]} participants
 * @returns {P[]}
 */
export function inMySpace(breakout, myId, participants) {
  if (!breakout || !myId) return participants;
  return participants.filter((p) => sameSpace(breakout, myId, p.id));
}

/** Group names from `groups=`, else numbered ones. @param {string[] | null} names @param {(n: number) => string} numbered */
export function initialNames(names, numbered) {
  if (names && names.length > 0) return names.slice(0, MAX_GROUPS).map((name) => [...name].slice(0, GROUP_NAME_MAX).join(""));
  return Array.from({ length: DEFAULT_GROUP_COUNT }, (_, i) => numbered(i + 1));
}

/** @param {string[]} groups @returns {Draft} */
export function initialDraft(groups) {
  return { groups: [...groups], assignments: {}, allowChoose: false };
}

/**
 * Why these names cannot start a session, or null: `empty`, `tooLong`, `duplicate`, `count`.
 * The server checks the same (rooms/breakout.py); asking first gives a message, not an error.
 * @param {string[]} names @returns {'empty' | 'tooLong' | 'duplicate' | 'count' | null}
 */
export function groupsProblem(names) {
  const cleaned = names.map((name) => name.trim());
  if (cleaned.length < 1 || cleaned.length > MAX_GROUPS) return "count";
  if (cleaned.some((name) => name === "")) return "empty";
  if (cleaned.some((name) => [...name].length > GROUP_NAME_MAX)) return "tooLong";
  if (new Set(cleaned).size !== cleaned.length) return "duplicate";
  return null;
}

/**
 * Spread people over `count` groups as evenly as possible, in a random order: sizes differ by at
 * most one. `random` returns [0, 1) like Math.random.
 * @param {string[]} ids @param {number} count @param {() => number} [random]
 * @returns {Record<string, number>}
 */
export function shuffle(ids, count, random = Math.random) {
  /** @type {Record<string, number>} */
  const out = {};
  if (count < 1) return out;
  const order = [...ids];
  for (let i = order.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  // Which groups get the one extra person is random too, so group 1 is not always the largest.
  const offset = Math.floor(random() * count);
  order.forEach((id, index) => (out[id] = (index + offset) % count));
  return out;
}

/**
 * The host's plan: rename, add and remove groups, place people, shuffle, let them choose.
 * Removing a group sends its people back to the main room and renumbers the groups after it.
 * @param {Draft} draft @param {DraftOp} op @returns {Draft}
 */
export function reduceDraft(draft, op) {
  switch (op.type) {
    case "rename":
      return { ...draft, groups: draft.groups.map((name, i) => (i === op.group ? String(op.name) : name)) };
    case "add":
      if (draft.groups.length >= MAX_GROUPS) return draft;
      return { ...draft, groups: [...draft.groups, String(op.name)] };
    case "remove": {
      if (draft.groups.length <= 1 || op.group < 0 || op.group >= draft.groups.length) return draft;
      /** @type {Record<string, number>} */
      const assignments = {};
      for (const [id, group] of Object.entries(draft.assignments)) {
        if (group < op.group) assignments[id] = group;
        else if (group > op.group) assignments[id] = group - 1;
      }
      return { ...draft, groups: draft.groups.filter((_, i) => i !== op.group), assignments };
    }
    case "assign": {
      const { [op.participantId]: _, ...rest } = draft.assignments;
      const valid = Number.isInteger(op.group) && op.group >= 0 && op.group < draft.groups.length;
      return { ...draft, assignments: valid ? { ...rest, [op.participantId]: op.group } : rest };
    }
    case "shuffle":
      return { ...draft, assignments: shuffle(op.participantIds, draft.groups.length, op.random) };
    case "allow-choose":
      return { ...draft, allowChoose: Boolean(op.on) };
    default:
      return draft;
  }
}

/**
 * The messages that start a planned session: `breakout-start`, then one `breakout-assign` per
 * person still here who has a group (the server starts everyone in the main room).
 * @param {Draft} draft @param {string[]} present
 * @returns {[string, Record<string, unknown>][]}
 */
export function startMessages(draft, present) {
  /** @type {[string, Record<string, unknown>][]} */
  const messages = [["breakout-start", { groups: draft.groups.map((name) => name.trim()), allowChoose: draft.allowChoose }]];
  const here = new Set(present);
  for (const [participantId, group] of Object.entries(draft.assignments)) {
    if (here.has(participantId)) messages.push(["breakout-assign", { participantId, group }]);
  }
  return messages;
}

/**
 * The `breakout-assign` messages that make a running session match a shuffle.
 * @param {Record<string, number>} assignments @returns {[string, Record<string, unknown>][]}
 */
export function assignMessages(assignments) {
  return Object.entries(assignments).map(([participantId, group]) => ["breakout-assign", { participantId, group }]);
}
