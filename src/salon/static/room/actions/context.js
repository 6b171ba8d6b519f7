/**
 * What every group of actions shares: the page's parts (the dependencies of createActions) and a
 * few questions and moves on them: am I in the room, may I switch devices, send a message, open
 * or close a side panel.
 */

import { ProtocolError } from "../signaling.js";

/**
 * @typedef {{store: import('../state.js').RoomStore,
 *   ui: {getState: () => import('../ui.js').UiState, dispatch: (event: {type: string, [field: string]: any}) => void},
 *   signaling: {send: (type: string, fields?: Record<string, unknown>) => boolean},
 *   media: import('../media/local.js').LocalMedia,
 *   session: {join: (name: string | null) => unknown, leave: () => void, knock: () => void, cancelKnock: () => void},
 *   embed: {emit: (type: string, payload?: unknown) => void},
 *   params: import('../params.js').RoomParams,
 *   pip: ReturnType<typeof import('../pip.js').createPip>,
 *   view: {tiles: () => {tiles: import('../components/salon-tile/salon-tile.js').TileModel[], stageKey: string | null},
 *     videoFor: (key: string) => HTMLVideoElement | null,
 *     turnPage: (delta: number) => {page: number, pages: number, moved: boolean}},
 *   startDevices: () => Promise<void>, shareUrl: string,
 *   notify: (toast: {text: string, key?: string}) => void, announce: (text: string) => void,
 *   rememberName: (name: string) => void}} ActionDeps
 * @typedef {ReturnType<typeof actionContext>} ActionContext
 * @typedef {Record<string, (detail: any) => unknown>} Handlers
 */

/** The panels the embedding page hears about (docs/embedding.md lists no event for breakout groups). */
const TOLD = new Set(["chat", "people"]);

/** @param {ActionDeps} deps */
export function actionContext(deps) {
  const { store, signaling, embed } = deps;
  const state = () => store.getState();

  /** @param {string} type @param {Record<string, unknown>} [fields] */
  function send(type, fields) {
    try {
      return signaling.send(type, fields);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      console.warn("salon:", error.message);
      return false;
    }
  }

  /** @param {import('../state.js').Panel} panel @param {boolean | undefined} [open] */
  function togglePanel(panel, open) {
    const before = state().panel;
    if (open === (before === panel)) return;
    store.dispatch({ type: "local/panel", panel, open });
    // One side panel at a time: opening people closes the chat, and the page hears both.
    if (before !== null && before !== panel && state().panel !== before && TOLD.has(before)) embed.emit(`${before}_toggle`, { open: false });
    if (TOLD.has(panel)) embed.emit(`${panel}_toggle`, { open: state().panel === panel });
  }

  return {
    ...deps,
    state,
    inRoom: () => state().phase === "room",
    /** Before joining (pre-call) or as a non-viewer in the room: the devices are mine to switch. */
    canUseDevices: () => {
      const s = state();
      return s.phase === "precall" || (s.phase === "room" && s.me?.role !== "viewer");
    },
    send,
    togglePanel,
  };
}
