/**
 * The room state as this page sees it: a pure reducer plus a tiny store.
 *
 *   signaling message ─┐
 *   local event ───────┴─► reduce(state, event) ─► new state ─► subscribers (the view)
 *
 * Events are either server messages, exactly as decoded by signaling.js (`type` is the protocol's
 * type), or local events whose type starts with `local/`. No DOM, no I/O: unit-tested in Node.
 */

/**
 * @typedef {{id: string, displayName: string | null, role: string, audio: boolean, video: boolean,
 *   screen: boolean, externalId: string | null, metadata: string | null, reconnecting: boolean,
 *   joinedAt: number}} Participant
 * @typedef {{name: string, mode: string, locked: boolean, spotlight: string | null,
 *   capacity: number, breakout: import('./breakout.js').Breakout | null,
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
 *   local: {audio: boolean, video: boolean, screen: boolean}}} RoomState
 * @typedef {'chat' | 'people' | 'breakout'} Panel
 * @typedef {{type: string, [field: string]: any}} RoomEvent
 */

import { readBreakout } from "./breakout.js";

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
  };
}

/** @type {Record<string, NoticeKind>} */
const NOTICE_FOR_REASON = {
  kicked: "removed",
  replaced: "removed",
  "meeting-ended": "ended",
  "meeting-deleted": "deleted",
  "meeting-over": "deleted",
};

/** @type {Record<number, [NoticeKind, string | null]>} */
const NOTICE_FOR_CLOSE = {
  4000: ["left", null],
  4001: ["removed", "kicked"],
  4002: ["ended", "meeting-ended"],
  4003: ["deleted", "meeting-deleted"],
  4004: ["full", null],
  4005: ["rejected", null],
  4009: ["removed", "replaced"],
  4400: ["error", "protocol"],
  4503: ["error", "no-sfu"],
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
function participant(p) {
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
function waitingList(state, knocks, total) {
  const before = new Map(state.knocks.map((k) => [k.id, k]));
  const listed = knocks.map((k) => {
    const request = knockRequest(k);
    const was = before.get(request.id);
    return was ? { ...request, held: was.held, message: was.message } : request;
  });
  return { knocks: listed, knocksTotal: Math.max(total, listed.length) };
}

/** @param {any} r @param {Room | null} previous @returns {Room} */
function room(r, previous) {
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
function toNotice(state, notice) {
  if (state.phase === "notice") return state; // the first reason wins (a message before its close)
  return { ...state, phase: "notice", connection: "closed", notice, knocks: [], knocksTotal: 0 };
}

/**
 * @param {RoomState} state
 * @param {RoomEvent} event
 * @returns {RoomState}
 */
export function reduce(state, event) {
  switch (event.type) {
    // ---- server messages -------------------------------------------------------------------
    case "joined": {
      const resumed = state.me !== null && state.me.id === event.participantId;
      return {
        ...state,
        phase: "room",
        connection: "open",
        me: {
          id: event.participantId,
          role: event.role,
          displayName: event.displayName ?? state.me?.displayName ?? null,
          ...state.local,
        },
        participants: (event.participants ?? []).map(participant),
        room: room(event.room ?? {}, state.room),
        knock: { status: "idle", message: null },
        // Hosts get the knocks already waiting; a resume keeps what this page knew.
        ...(Array.isArray(event.knocks) && (event.knocks.length > 0 || !resumed)
          ? waitingList(state, event.knocks, event.knocks.length)
          : resumed
            ? { knocks: state.knocks, knocksTotal: state.knocksTotal }
            : { knocks: [], knocksTotal: 0 }),
      };
    }
    case "room-locked":
      return { ...state, phase: "locked", connection: "open", room: room(event.room ?? {}, state.room) };
    case "knocking":
      return { ...state, knock: { status: "knocking", message: null } };
    case "knock-held":
      return { ...state, knock: { status: "held", message: event.message ?? null } };
    case "knock-rejected":
      return toNotice(state, { kind: "rejected", reason: null, message: event.message ?? null, capacity: null });
    case "knocks":
      return { ...state, ...waitingList(state, event.knocks, event.total) };
    case "participant-joined": {
      const p = participant(event.participant);
      if (p.id === state.me?.id) return state;
      return { ...state, participants: [...state.participants.filter((x) => x.id !== p.id), p] };
    }
    case "participant-left": {
      const participants = state.participants.filter((x) => x.id !== event.participantId);
      const spotlightGone = state.room?.spotlight === event.participantId;
      return {
        ...state,
        participants,
        room: spotlightGone && state.room ? { ...state.room, spotlight: null } : state.room,
      };
    }
    case "participant-updated": {
      const p = participant(event.participant);
      if (p.id === state.me?.id) {
        return { ...state, me: { ...state.me, displayName: p.displayName, role: p.role } };
      }
      if (!state.participants.some((x) => x.id === p.id)) return state;
      return { ...state, participants: state.participants.map((x) => (x.id === p.id ? p : x)) };
    }
    case "room-updated":
      return { ...state, room: room(event.room ?? {}, state.room) };
    case "chat": {
      /** @type {ChatMessage} */
      const line = {
        id: String(event.id),
        from: String(event.from),
        displayName: event.displayName ?? null,
        text: String(event.text),
        at: Number(event.at) || 0,
        mine: event.from === state.me?.id,
        broadcast: event.broadcast === true,
      };
      if (state.chat.some((x) => x.id === line.id)) return state;
      const chat = [...state.chat, line].slice(-CHAT_HISTORY_LIMIT);
      const unread = state.panel === "chat" || line.mine ? state.unread : state.unread + 1;
      return { ...state, chat, unread };
    }
    case "muted":
      return withLocal(state, { audio: false });
    case "camera-turned-off":
      return withLocal(state, { video: false });
    case "removed": {
      const kind = NOTICE_FOR_REASON[event.reason] ?? "removed";
      return toNotice(state, { kind, reason: event.reason ?? null, message: null, capacity: null });
    }
    case "room-full":
      return toNotice(state, { kind: "full", reason: null, message: null, capacity: event.capacity ?? null });
    case "error": {
      const lastError = { code: event.code, message: event.message ?? "", about: event.about ?? null };
      if (event.code === "no_such_room") {
        return toNotice({ ...state, lastError }, { kind: "deleted", reason: "no-such-room", message: null, capacity: null });
      }
      return { ...state, lastError };
    }

    // ---- local events ----------------------------------------------------------------------
    case "local/connecting":
      return { ...state, phase: state.phase === "precall" ? "connecting" : state.phase, connection: "connecting" };
    case "local/connection":
      if (state.phase === "notice") return state;
      return { ...state, connection: event.status };
    case "local/closed":
      return toNotice(state, noticeForClose(event.code));
    case "local/left":
      return toNotice(state, { kind: "left", reason: null, message: null, capacity: null });
    case "local/media":
      return withLocal(state, event.media);
    case "local/knocked":
      return { ...state, knock: { status: "knocking", message: null } };
    case "local/knock-cancelled":
      return { ...state, knock: { status: "idle", message: null } };
    case "local/knock-held": {
      const knocks = state.knocks.map((k) => (k.id === event.id ? { ...k, held: true, message: event.message } : k));
      return { ...state, knocks };
    }
    case "local/panel": {
      // `open` true or false sets the panel; without it the panel toggles.
      const open = event.open ?? event.panel !== state.panel;
      const panel = open ? event.panel : state.panel === event.panel ? null : state.panel;
      return { ...state, panel, unread: panel === "chat" ? 0 : state.unread };
    }
    case "local/name":
      return state.me ? { ...state, me: { ...state.me, displayName: event.displayName } } : state;
    default:
      return state; // unknown messages: later protocol versions may add some
  }
}

/** @param {RoomState} state @param {Partial<RoomState['local']>} media @returns {RoomState} */
function withLocal(state, media) {
  const local = { ...state.local, ...media };
  return { ...state, local, me: state.me ? { ...state.me, ...local } : null };
}

// ---- selectors -------------------------------------------------------------------------------

/** @param {{role: string}} p */
export const isViewer = (p) => p.role === "viewer";

/** Roles with host privileges: a host key, or an account of the organization signed in to its
 * dashboard in the same browser (contract, Part 1 item 14). */
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
 * @param {(state: RoomState, event: RoomEvent) => RoomState} reducer
 * @param {RoomState} initial
 */
export function createStore(reducer = reduce, initial = initialState()) {
  let state = initial;
  /** @type {Set<(state: RoomState, previous: RoomState, event: RoomEvent) => void>} */
  const listeners = new Set();
  return {
    getState: () => state,
    /** @param {RoomEvent} event */
    dispatch(event) {
      const previous = state;
      state = reducer(state, event);
      if (state !== previous) for (const listener of listeners) listener(state, previous, event);
    },
    /** @param {(state: RoomState, previous: RoomState, event: RoomEvent) => void} listener */
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
