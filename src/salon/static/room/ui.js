/**
 * What this page shows that the room does not know about: the floating self view, the meeting
 * clock of `timer=on` (the room's own clock, started by a host, is room state), a host's breakout
 * plan before it starts, the settings dialog, Picture-in-Picture, who is speaking, low-data mode, the speaker
 * output and full screen. A pure reducer and a store of its own, so the room state (state.js)
 * stays the server's picture. No DOM, unit-tested in Node.
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

/**
 * `on` true or false sets a switch; without it the switch flips.
 * @param {UiState} state @param {UiEvent} event @returns {UiState}
 */
export function reduceUi(state, event) {
  switch (event.type) {
    case "ui/float-self":
      return { ...state, floatSelf: event.on ?? !state.floatSelf };
    case "ui/timer":
      return { ...state, timerStartedAt: event.startedAt ?? null };
    case "ui/settings":
      return { ...state, settingsOpen: event.on ?? !state.settingsOpen };
    case "ui/pip":
      return state.pip === event.on ? state : { ...state, pip: Boolean(event.on) };
    case "ui/speaking": {
      const speaking = event.speaking ?? null;
      const lastSpeaker = event.lastSpeaker ?? state.lastSpeaker;
      return speaking === state.speaking && lastSpeaker === state.lastSpeaker ? state : { ...state, speaking, lastSpeaker };
    }
    case "ui/low-data":
      return { ...state, lowData: event.on ?? !state.lowData };
    case "ui/sink":
      return { ...state, sinkId: event.sinkId || null };
    case "ui/fullscreen":
      return state.fullscreen === event.on ? state : { ...state, fullscreen: Boolean(event.on) };
    case "ui/language":
      return { ...state, language: event.language };
    case "ui/breakout-draft":
      return { ...state, breakoutDraft: event.draft ?? null };
    case "ui/breakout": {
      if (!state.breakoutDraft) return state;
      const draft = reduceDraft(state.breakoutDraft, event.op);
      return draft === state.breakoutDraft ? state : { ...state, breakoutDraft: draft };
    }
    default:
      return state;
  }
}

/**
 * The UI store: like state.js's, for UiState.
 * @param {UiState} initial
 */
export function createUiStore(initial) {
  let state = initial;
  /** @type {Set<(state: UiState, previous: UiState) => void>} */
  const listeners = new Set();
  return {
    getState: () => state,
    /** @param {UiEvent} event */
    dispatch(event) {
      const previous = state;
      state = reduceUi(state, event);
      if (state !== previous) for (const listener of listeners) listener(state, previous);
    },
    /** @param {(state: UiState, previous: UiState) => void} listener */
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
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
