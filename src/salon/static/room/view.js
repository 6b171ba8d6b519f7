/**
 * The view: shows the screen for the current phase (pre-call, joining, knock, room, notice) and
 * hands each component its model. Renders at most once per task, whatever changed. The room
 * state (store) and this page's own UI state (ui, see ui.js) both feed it. The room screen is
 * view/room.js (its toolbar view/toolbar.js); the panels' and the settings' models, view/panels.js.
 *
 * Page-wide parameters show on <html>: `data-background="off"` (the embedding page shows
 * through), `data-minimal="true"`.
 */

import { part } from "./dom.js";
import { t } from "./i18n.js";
import { participantCount } from "./state.js";
import { settingsModel } from "./view/panels.js";
import { renderRoom } from "./view/room.js";

/**
 * @typedef {import('./state.js').RoomState} RoomState
 * @typedef {import('./ui.js').UiState} UiState
 * @typedef {import('./components/salon-tile/salon-tile.js').TileModel} TileModel
 * @typedef {{store: import('./state.js').RoomStore,
 *   ui: {getState: () => UiState, subscribe: (listener: () => void) => unknown},
 *   media: import('./media/local.js').LocalMedia,
 *   remote: Map<string, {camera?: MediaStream, screen?: MediaStream}>,
 *   params: import('./params.js').RoomParams, showPreview: boolean, savedName: string,
 *   shareUrl: string, root: Document, permission: () => 'ask' | null, pipSupported: boolean,
 *   avatarUrl: string | null, languages: string[] | null}} ViewDeps
 */

/** Show the page-wide parameters on <html>. @param {import('./params.js').RoomParams} params @param {Document} root */
function markPage(params, root) {
  const html = root.documentElement;
  html.dataset.minimal = String(params.minimal);
  if (!params.background) {
    // Transparent only works when the room's color scheme is the embedding page's (usually the
    // default, "normal"): browsers paint an opaque backdrop behind a frame whose scheme differs.
    html.dataset.background = "off";
    root.querySelector('meta[name="color-scheme"]')?.setAttribute("content", "normal");
  }
}

/** The pre-call screen's model. @param {ViewDeps} deps */
function precallModel({ media, params, showPreview, savedName, permission }) {
  return {
    withMedia: showPreview,
    stream: media.camera,
    audio: media.audioOn,
    video: media.videoOn,
    micMissing: media.micMissing,
    problems: media.problems,
    devices: media.devices,
    chosen: media.chosen,
    presetName: params.displayName,
    savedName,
    cameraAccess: params.cameraAccess,
    helpLink: params.precallPermissionHelpLink,
    busy: false,
    permission: permission(),
  };
}

/** @param {ViewDeps} deps */
export function createView(deps) {
  const { store, ui, media, params, root } = deps;
  /** @param {string} id */
  const el = (id) => /** @type {any} */ (root.getElementById(id));
  const screens = {
    precall: el("salon-precall"),
    connecting: el("salon-connecting"),
    locked: el("salon-knock"),
    room: el("salon-room"),
    notice: el("salon-notice"),
  };
  /** @type {import('./view/room.js').RoomElements} */
  const roomElements = {
    header: screens.room, grid: el("salon-grid"), toolbar: el("salon-toolbar"), panel: el("salon-panel"),
    chat: el("salon-chat"), people: el("salon-people"), breakout: el("salon-breakout"),
  };
  const banner = el("salon-reconnecting");
  const settings = el("salon-settings");
  /** @type {{tiles: TileModel[], stageKey: string | null}} */
  let shown = { tiles: [], stageKey: null };
  let scheduled = false;
  /** @type {string | null} */
  let shownPhase = null;
  /** @type {string | null} */
  let shownPanel = null;

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      render(store.getState());
    });
  }
  markPage(params, root);

  /** @param {RoomState} s */
  function render(s) {
    for (const [phase, screen] of Object.entries(screens)) screen.hidden = phase !== s.phase;
    if (s.phase === "precall") screens.precall.model = precallModel(deps);
    else if (s.phase === "connecting") renderConnecting();
    else if (s.phase === "locked") screens.locked.model = s.knock;
    else if (s.phase === "room") shown = renderRoom(roomElements, s, ui.getState(), deps);
    else if (s.phase === "notice" && s.notice) screens.notice.model = s.notice;
    if (s.phase !== "room") shown = { tiles: [], stageKey: null };
    settings.model = settingsModel(s, ui.getState(), deps);
    document.body.dataset.captions = s.transcription.shown ? "on" : "off";

    banner.hidden = !(s.connection === "reconnecting" && s.phase !== "notice" && s.phase !== "precall");
    part(banner, "text").textContent = t("banner.reconnecting");
    const { count } = participantCount(s);
    document.title = s.phase === "room" ? t("page.titleIn", { count }) : t("page.title");

    if (shownPhase !== s.phase) {
      const from = shownPhase;
      shownPhase = s.phase;
      if (from === "precall") screens.precall.release();
      focusPhase(s.phase);
    }
    if (shownPanel !== s.panel) {
      shownPanel = s.panel;
      if (s.panel === "chat") roomElements.chat.focusInput();
    }
  }

  function renderConnecting() {
    const c = screens.connecting;
    part(c, "title").textContent = t("connecting.title");
    part(c, "text").textContent = t("connecting.text");
  }

  /** Move keyboard focus to the new screen, so keyboard and screen-reader users follow along. @param {string} phase */
  function focusPhase(phase) {
    requestAnimationFrame(() => {
      if (phase === "precall") screens.precall.focusFirst();
      else if (phase === "locked") screens.locked.focusAction();
      else if (phase === "notice") screens.notice.focusTitle();
      else if (phase === "room") roomElements.grid.focus({ preventScroll: true });
    });
  }

  store.subscribe(schedule);
  ui.subscribe(schedule);
  media.addEventListener("change", schedule);
  return {
    schedule,
    /** The tiles of the room now (Picture-in-Picture picks from them). */
    tiles: () => shown,
    /** The tiles on the grid's page now, stage and self view included. @returns {TileModel[]} */
    shownTiles: () => roomElements.grid.shownTiles(),
    /** Turn the grid's page (salon-grid). @param {number} delta */
    turnPage: (delta) => /** @type {{page: number, pages: number, moved: boolean}} */ (roomElements.grid.turnPage(delta)),
    /** @param {string} key */
    videoFor: (key) => /** @type {HTMLVideoElement | null} */ (roomElements.grid.videoFor(key)),
  };
}
