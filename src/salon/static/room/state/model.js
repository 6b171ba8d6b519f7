/**
 * The room state's shape and the pure pieces its reducers share: the initial state, how the
 * server's participants, rooms and knocks read, and the transitions to a notice or new devices.
 * No DOM, no I/O.
 */

/**
 * @typedef {{id: string, displayName: string | null, role: string, audio: boolean, video: boolean,
 *   screen: boolean, externalId: string | null, metadata: string | null, reconnecting: boolean,
 *   joinedAt: number}} Participant
 * @typedef {{name: string, mode: string, locked: boolean, spotlight: string | null,
 *   capacity: number, breakout: import('../breakout.js').Breakout | null,
 *   timerStartedAt: number | null}} Room
 * @typedef {{id: string, role: string, displayName: string | null, audio: boolean, video: boolean,
 *   screen: boolean}} Me
 * @typedef {{id: string, displayName: string | null, at: number, held: boolean,
 *   message: string | null}} KnockRequest
 * @typedef {{id: string, from: string, displayName: string | null, text: string, at: number,
 *   mine: boolean, broadcast: boolean}} ChatMessage
 * @typedef {'left' | 'removed' | 'ended' | 'full' | 'rejected' | 'deleted' | 'error'} NoticeKind
 * @typedef {{kind: NoticeKind, reason: string | null, message: string | null,
 *   capacity: number | null}} Notice
 * @typedef {'precall' | 'connecting' | 'locked' | 'room' | 'notice'} Phase
 * @typedef {'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed'} Connection
 * @typedef {{status: 'idle' | 'knocking' | 'held', message: string | null}} MyKnock
 * @typedef {{phase: Phase, connection: Connection, me: Me | null, participants: Participant[],
 *   room: Room | null, knock: MyKnock, knocks: KnockRequest[], knocksTotal: number,
 *   chat: ChatMessage[],
 *   unread: number, panel: Panel | null, notice: Notice | null,
 *   lastError: {code: string, message: string, about: string | null} | null,
 *   local: {audio: boolean, video: boolean, screen: boolean},
 *   recording: {kind: string, cloud: boolean, local: boolean},
 *   streaming: {offered: boolean, live: boolean},
 *   transcription: {offered: boolean, on: boolean, shown: boolean}}} RoomState
 * @typedef {'chat' | 'people' | 'breakout'} Panel
 * @typedef {{type: string, [field: string]: any}} RoomEvent
 * @typedef {(state: RoomState, event: RoomEvent) => RoomState} Reducer
 */

import { readBreakout } from "../breakout.js";
import { CLOSE } from "../protocol.js";

/** Chat kept in memory; older lines drop off so a long meeting stays light. */
export const CHAT_HISTORY_LIMIT = 500;

/** @returns {RoomState} */
export function initialState() {
  return {
    phase: "precall",
    connection: "idle",
    me: null,
    participants: [],
    room: null,
    knock: { status: "idle", message: null },
    knocks: [],
    knocksTotal: 0,
    chat: [],
    unread: 0,
    panel: null,
    notice: null,
    lastError: null,
    local: { audio: false, video: false, screen: false },
    // What hosts may record (none, local, cloud), and whether the cloud or this browser records.
    recording: { kind: "none", cloud: false, local: false },
    // Whether this room's hosts may go live (`joined.streaming`), and whether it is live now.
    streaming: { offered: false, live: false },
    // Whether hosts may start live transcription, whether it runs, and whether this page shows captions.
    transcription: { offered: false, on: false, shown: true },
  };
}

/** @type {Record<number, [NoticeKind, string | null]>} */
const NOTICE_FOR_CLOSE = {
  [CLOSE.LEFT]: ["left", null],
  [CLOSE.REMOVED]: ["removed", "kicked"],
  [CLOSE.ENDED]: ["ended", "meeting-ended"],
  [CLOSE.DELETED]: ["deleted", "meeting-deleted"],
  [CLOSE.FULL]: ["full", null],
  [CLOSE.REJECTED]: ["rejected", null],
  [CLOSE.REPLACED]: ["removed", "replaced"],
  [CLOSE.PROTOCOL]: ["error", "protocol"],
  [CLOSE.NO_SFU]: ["error", "no-sfu"],
};

/**
 * The notice for a socket that closed for good without a message saying why.
 * @param {number} code @returns {Notice}
 */
export function noticeForClose(code) {
  const [kind, reason] = NOTICE_FOR_CLOSE[code] ?? ["error", "connection"];
  return { kind, reason, message: null, capacity: null };
}

/** @param {any} p @returns {Participant} */
export function participant(p) {
  return {
    id: String(p.id),
    displayName: typeof p.displayName === "string" ? p.displayName : null,
    role: typeof p.role === "string" ? p.role : "visitor",
    audio: Boolean(p.audio),
    video: Boolean(p.video),
    screen: Boolean(p.screen),
    externalId: p.externalId ?? null,
    metadata: p.metadata ?? null,
    reconnecting: Boolean(p.reconnecting),
    joinedAt: typeof p.joinedAt === "number" ? p.joinedAt : 0,
  };
}

/** @param {any} k @returns {KnockRequest} */
function knockRequest(k) {
  return { id: String(k.id), displayName: k.displayName ?? null, at: k.at ?? 0, held: false, message: null };
}

/**
 * The waiting list as the server sent it (the first knockers, and how many wait in all); a
 * knocker this page put on hold stays shown as held.
 * @param {RoomState} state @param {any[]} knocks @param {number} total
 */
export function waitingList(state, knocks, total) {
  const before = new Map(state.knocks.map((k) => [k.id, k]));
  const listed = knocks.map((k) => {
    const request = knockRequest(k);
    const was = before.get(request.id);
    return was ? { ...request, held: was.held, message: was.message } : request;
  });
  return { knocks: listed, knocksTotal: Math.max(total, listed.length) };
}

/** @param {any} r @param {Room | null} previous @returns {Room} */
export function room(r, previous) {
  return {
    name: r.name ?? previous?.name ?? "",
    mode: r.mode ?? previous?.mode ?? "normal",
    locked: Boolean(r.locked ?? previous?.locked),
    spotlight: r.spotlight === undefined ? (previous?.spotlight ?? null) : r.spotlight,
    capacity: r.capacity ?? previous?.capacity ?? 4,
    breakout: r.breakout === undefined ? (previous?.breakout ?? null) : readBreakout(r.breakout),
    timerStartedAt: r.timerStartedAt === undefined ? (previous?.timerStartedAt ?? null) : typeof r.timerStartedAt === "number" ? r.timerStartedAt : null,
  };
}

/** @param {RoomState} state @param {Notice} notice @returns {RoomState} */
export function toNotice(state, notice) {
  if (state.phase === "notice") return state; // the first reason wins (a message before its close)
  return { ...state, phase: "notice", connection: "closed", notice, knocks: [], knocksTotal: 0 };
}

/** @param {RoomState} state @param {Partial<RoomState['local']>} media @returns {RoomState} */
export function withLocal(state, media) {
  const local = { ...state.local, ...media };
  return { ...state, local, me: state.me ? { ...state.me, ...local } : null };
}
