/**
 * The room state as this page sees it: a pure reducer over the store of store.js.
 *
 *   signaling message ─┐
 *   local event ───────┴─► reduce(state, event) ─► new state ─► subscribers (the view)
 *
 * Events are either server messages, exactly as decoded by signaling.js (`type` is the protocol's
 * type; state/server.js), or local events whose type starts with `local/` (state/local.js). The
 * shape and the shared pieces are in state/model.js. No DOM, no I/O: unit-tested in Node.
 */

/**
 * @typedef {import('./state/model.js').Participant} Participant
 * @typedef {import('./state/model.js').Room} Room
 * @typedef {import('./state/model.js').Me} Me
 * @typedef {import('./state/model.js').KnockRequest} KnockRequest
 * @typedef {import('./state/model.js').ChatMessage} ChatMessage
 * @typedef {import('./state/model.js').NoticeKind} NoticeKind
 * @typedef {import('./state/model.js').Notice} Notice
 * @typedef {import('./state/model.js').Phase} Phase
 * @typedef {import('./state/model.js').Connection} Connection
 * @typedef {import('./state/model.js').MyKnock} MyKnock
 * @typedef {import('./state/model.js').RoomState} RoomState
 * @typedef {import('./state/model.js').Panel} Panel
 * @typedef {import('./state/model.js').RoomEvent} RoomEvent
 * @typedef {import('./store.js').Store<RoomState, RoomEvent>} RoomStore
 */

import { initialState } from "./state/model.js";
import { LOCAL_REDUCERS } from "./state/local.js";
import { SERVER_REDUCERS } from "./state/server.js";
import { createStore as createAnyStore, lookup } from "./store.js";

export { CHAT_HISTORY_LIMIT, initialState, noticeForClose } from "./state/model.js";

/**
 * @param {RoomState} state
 * @param {RoomEvent} event
 * @returns {RoomState}
 */
export function reduce(state, event) {
  const reducer = lookup(SERVER_REDUCERS, event.type) ?? lookup(LOCAL_REDUCERS, event.type);
  return reducer ? reducer(state, event) : state; // unknown messages: later protocol versions may add some
}

// ---- selectors -------------------------------------------------------------------------------

/** @param {{role: string}} p */
export const isViewer = (p) => p.role === "viewer";

/** Roles with host privileges: a host key, or an account of the organization signed in to its
 * dashboard in the same browser (docs/whereby-compatibility.md, "Roles in a room"). */
export const HOST_ROLES = new Set(["host", "owner", "member"]);

/** @param {string | undefined} role */
export const hasHostRole = (role) => HOST_ROLES.has(role ?? "");

/** @param {RoomState} state */
export const isHost = (state) => hasHostRole(state.me?.role);

/**
 * The counter "n/capacity", me included, counted as the server counts places: everyone in a
 * normal room; in a group room the participants, with viewers counted apart.
 * @param {RoomState} state @returns {{count: number, capacity: number}}
 */
export function participantCount(state) {
  const counts = state.room?.mode === "group" ? (/** @type {{role: string}} */ p) => !isViewer(p) : () => true;
  const others = state.participants.filter(counts).length;
  const me = state.me && counts(state.me) ? 1 : 0;
  return { count: others + me, capacity: state.room?.capacity ?? 0 };
}

/**
 * A JSON-safe copy for tests and the embed bridge.
 * @param {RoomState} state
 */
export function snapshot(state) {
  return JSON.parse(JSON.stringify({ ...state, count: participantCount(state) }));
}

/**
 * The room's store (store.js) over `reduce`.
 * @param {(state: RoomState, event: RoomEvent) => RoomState} [reducer]
 * @param {RoomState} [initial]
 * @returns {RoomStore}
 */
export function createStore(reducer = reduce, initial = initialState()) {
  return createAnyStore(reducer, initial);
}
