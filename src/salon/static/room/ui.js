/**
 * What this page shows that the room does not know about: the floating self view, the meeting
 * clock of `timer=on` (the room's own clock, started by a host, is room state), a host's breakout
 * plan before it starts, the settings dialog, Picture-in-Picture, who is speaking, low-data mode, the speaker
 * output and full screen. A pure reducer on a store of its own (store.js, as the room state's), so the
 * room state (state.js) stays the server's picture. No DOM, unit-tested in Node.
 *
 *   intent ─► actions.js ─► ui store ─► view.js
 */

/**
 * @typedef {{floatSelf: boolean, timerStartedAt: number | null, settingsOpen: boolean,
 *   pip: boolean, speaking: string | null, lastSpeaker: string | null, lowData: boolean,
 *   sinkId: string | null, fullscreen: boolean, language: string,
 *   breakoutDraft: import('./breakout.js').Draft | null}} UiState
 * @typedef {{type: string, [field: string]: any}} UiEvent
 */

import { reduceDraft } from "./breakout.js";
import { createStore, lookup } from "./store.js";

/**
 * @param {{floatSelf: boolean, lowData: boolean}} params @param {string} [language]
 * @returns {UiState}
 */
export function initialUi(params, language = "en") {
  return {
    floatSelf: params.floatSelf,
    timerStartedAt: null,
    settingsOpen: false,
    pip: false,
    speaking: null,
    lastSpeaker: null,
    lowData: params.lowData,
    sinkId: null,
    fullscreen: false,
    language,
    breakoutDraft: null,
  };
}

/** @typedef {(state: UiState, event: UiEvent) => UiState} UiReducer */

/** One reducer per event type. `on` true or false sets a switch; without it the switch flips. */
/** @type {Record<string, UiReducer>} */
const UI_REDUCERS = {
  "ui/float-self": (state, event) => ({ ...state, floatSelf: event.on ?? !state.floatSelf }),
  "ui/timer": (state, event) => ({ ...state, timerStartedAt: event.startedAt ?? null }),
  "ui/settings": (state, event) => ({ ...state, settingsOpen: event.on ?? !state.settingsOpen }),
  "ui/pip": (state, event) => (state.pip === event.on ? state : { ...state, pip: Boolean(event.on) }),
  "ui/speaking": (state, event) => {
    const speaking = event.speaking ?? null;
    const lastSpeaker = event.lastSpeaker ?? state.lastSpeaker;
    return speaking === state.speaking && lastSpeaker === state.lastSpeaker ? state : { ...state, speaking, lastSpeaker };
  },
  "ui/low-data": (state, event) => ({ ...state, lowData: event.on ?? !state.lowData }),
  "ui/sink": (state, event) => ({ ...state, sinkId: event.sinkId || null }),
  "ui/fullscreen": (state, event) => (state.fullscreen === event.on ? state : { ...state, fullscreen: Boolean(event.on) }),
  "ui/language": (state, event) => ({ ...state, language: event.language }),
  "ui/breakout-draft": (state, event) => ({ ...state, breakoutDraft: event.draft ?? null }),
  "ui/breakout": (state, event) => {
    if (!state.breakoutDraft) return state;
    const draft = reduceDraft(state.breakoutDraft, event.op);
    return draft === state.breakoutDraft ? state : { ...state, breakoutDraft: draft };
  },
};

/** @type {UiReducer} */
export function reduceUi(state, event) {
  const reducer = lookup(UI_REDUCERS, event.type);
  return reducer ? reducer(state, event) : state;
}

/**
 * The UI store: the store of store.js over `reduceUi`, like the room's (state.js).
 * @param {UiState} initial
 * @returns {import('./store.js').Store<UiState, UiEvent>}
 */
export function createUiStore(initial) {
  return createStore(reduceUi, initial);
}

/**
 * When the meeting clock of `timer=on` starts: when the first person still in the room joined
 * (the server's `joinedAt`), or now. Never in the future (clocks differ a little). Pure.
 * @param {{joinedAt: number}[]} participants @param {number} now
 */
export function clockStart(participants, now) {
  const times = participants.map((p) => p.joinedAt).filter((at) => Number.isFinite(at) && at > 0);
  return Math.min(now, ...times);
}

/** "4:05", "1:02:09": a duration as the meeting clock shows it. Pure. @param {number} ms */
export function formatDuration(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, "0");
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}` : `${minutes}:${seconds}`;
}
