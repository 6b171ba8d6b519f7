/**
 * What this page's own events (`local/…`: joining, the socket's state, devices, knocking, panels)
 * do to the room state: one pure reducer per event type.
 */

import { noticeForClose, toNotice, withLocal } from "./model.js";

/** @typedef {import('./model.js').Reducer} Reducer */

/** @type {Record<string, Reducer>} */
export const LOCAL_REDUCERS = {
  "local/connecting": (state) => ({ ...state, phase: state.phase === "precall" ? "connecting" : state.phase, connection: "connecting" }),
  "local/connection": (state, event) => (state.phase === "notice" ? state : { ...state, connection: event.status }),
  "local/closed": (state, event) => toNotice(state, noticeForClose(event.code)),
  "local/left": (state) => toNotice(state, { kind: "left", reason: null, message: null, capacity: null }),
  "local/media": (state, event) => withLocal(state, event.media),
  "local/knocked": (state) => ({ ...state, knock: { status: "knocking", message: null } }),
  "local/knock-cancelled": (state) => ({ ...state, knock: { status: "idle", message: null } }),
  "local/knock-held": (state, event) => {
    const knocks = state.knocks.map((k) => (k.id === event.id ? { ...k, held: true, message: event.message } : k));
    return { ...state, knocks };
  },
  "local/panel": (state, event) => {
    // `open` true or false sets the panel; without it the panel toggles.
    const open = event.open ?? event.panel !== state.panel;
    const panel = open ? event.panel : state.panel === event.panel ? null : state.panel;
    return { ...state, panel, unread: panel === "chat" ? 0 : state.unread };
  },
  "local/captions": (state, event) => ({ ...state, transcription: { ...state.transcription, shown: event.shown === true } }),
  "local/recording": (state, event) => ({ ...state, recording: { ...state.recording, local: event.on === true } }),
  "local/name": (state, event) => (state.me ? { ...state, me: { ...state.me, displayName: event.displayName } } : state),
};
