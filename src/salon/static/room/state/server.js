/**
 * What each server message (docs/signaling-protocol.md, as decoded by protocol.js) does to the
 * room state: one pure reducer per message type. The session (session/reactions.js) adds what a
 * message does beyond the state. Unknown types are not here: later protocol versions may add some.
 */

import { CHAT_HISTORY_LIMIT, participant, room, toNotice, waitingList, withLocal } from "./model.js";

/**
 * @typedef {import('./model.js').RoomState} RoomState
 * @typedef {import('./model.js').RoomEvent} RoomEvent
 * @typedef {import('./model.js').Reducer} Reducer
 * @typedef {import('./model.js').ChatMessage} ChatMessage
 * @typedef {import('./model.js').NoticeKind} NoticeKind
 */

/** @type {Record<string, NoticeKind>} */
const NOTICE_FOR_REASON = {
  kicked: "removed",
  replaced: "removed",
  "meeting-ended": "ended",
  "meeting-deleted": "deleted",
  "meeting-over": "deleted",
};

/** @type {Reducer} */
function joined(state, event) {
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
    recording: { ...state.recording, kind: event.recording ?? "none" },
    streaming: { ...state.streaming, offered: event.streaming === true },
    transcription: { ...state.transcription, offered: event.liveTranscription === true },
    knock: { status: "idle", message: null },
    // Hosts get the knocks already waiting; a resume keeps what this page knew.
    ...(Array.isArray(event.knocks) && (event.knocks.length > 0 || !resumed)
      ? waitingList(state, event.knocks, event.knocks.length)
      : resumed
        ? { knocks: state.knocks, knocksTotal: state.knocksTotal }
        : { knocks: [], knocksTotal: 0 }),
  };
}

/** @type {Reducer} */
function participantJoined(state, event) {
  const p = participant(event.participant);
  if (p.id === state.me?.id) return state;
  return { ...state, participants: [...state.participants.filter((x) => x.id !== p.id), p] };
}

/** @type {Reducer} */
function participantLeft(state, event) {
  const participants = state.participants.filter((x) => x.id !== event.participantId);
  const spotlightGone = state.room?.spotlight === event.participantId;
  return {
    ...state,
    participants,
    room: spotlightGone && state.room ? { ...state.room, spotlight: null } : state.room,
  };
}

/** @type {Reducer} */
function participantUpdated(state, event) {
  const p = participant(event.participant);
  if (p.id === state.me?.id) {
    return { ...state, me: { ...state.me, displayName: p.displayName, role: p.role } };
  }
  if (!state.participants.some((x) => x.id === p.id)) return state;
  return { ...state, participants: state.participants.map((x) => (x.id === p.id ? p : x)) };
}

/** @type {Reducer} */
function chat(state, event) {
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
  const lines = [...state.chat, line].slice(-CHAT_HISTORY_LIMIT);
  const unread = state.panel === "chat" || line.mine ? state.unread : state.unread + 1;
  return { ...state, chat: lines, unread };
}

/** @type {Reducer} */
function error(state, event) {
  const lastError = { code: event.code, message: event.message ?? "", about: event.about ?? null };
  if (event.code === "no_such_room") {
    return toNotice({ ...state, lastError }, { kind: "deleted", reason: "no-such-room", message: null, capacity: null });
  }
  return { ...state, lastError };
}

/** @type {Record<string, Reducer>} */
export const SERVER_REDUCERS = {
  joined,
  "room-locked": (state, event) => ({ ...state, phase: "locked", connection: "open", room: room(event.room ?? {}, state.room) }),
  knocking: (state) => ({ ...state, knock: { status: "knocking", message: null } }),
  "knock-held": (state, event) => ({ ...state, knock: { status: "held", message: event.message ?? null } }),
  "knock-rejected": (state, event) => toNotice(state, { kind: "rejected", reason: null, message: event.message ?? null, capacity: null }),
  knocks: (state, event) => ({ ...state, ...waitingList(state, event.knocks, event.total) }),
  "participant-joined": participantJoined,
  "participant-left": participantLeft,
  "participant-updated": participantUpdated,
  "room-updated": (state, event) => ({ ...state, room: room(event.room ?? {}, state.room) }),
  chat,
  "recording-status": (state, event) => ({ ...state, recording: { ...state.recording, cloud: event.recording === true } }),
  "streaming-status": (state, event) => ({ ...state, streaming: { ...state.streaming, live: event.streaming === true } }),
  "transcription-status": (state, event) => ({ ...state, transcription: { ...state.transcription, on: event.transcribing === true && event.captions !== false } }),
  muted: (state) => withLocal(state, { audio: false }),
  "camera-turned-off": (state) => withLocal(state, { video: false }),
  removed: (state, event) =>
    toNotice(state, { kind: NOTICE_FOR_REASON[event.reason] ?? "removed", reason: event.reason ?? null, message: null, capacity: null }),
  "room-full": (state, event) => toNotice(state, { kind: "full", reason: null, message: null, capacity: event.capacity ?? null }),
  error,
};
