/**
 * The view: shows the screen for the current phase (pre-call, joining, knock, room, notice) and
 * hands each component its model. Renders at most once per task, whatever changed.
 */

import { part } from "./dom.js";
import { setIcon } from "./icons.js";
import { t } from "./i18n.js";
import { isHost, participantCount } from "./state.js";
import { tilesFor } from "./tiles.js";

/**
 * @typedef {import('./state.js').RoomState} RoomState
 * @typedef {{store: ReturnType<typeof import('./state.js').createStore>,
 *   media: import('./media/local.js').LocalMedia,
 *   remote: Map<string, {camera?: MediaStream, screen?: MediaStream}>,
 *   params: import('./params.js').RoomParams, showPreview: boolean, savedName: string,
 *   shareUrl: string, root: Document}} ViewDeps
 */

/** @param {ViewDeps} deps */
export function createView({ store, media, remote, params, showPreview, savedName, shareUrl, root }) {
  /** @param {string} id */
  const el = (id) => /** @type {any} */ (root.getElementById(id));
  const screens = {
    precall: el("salon-precall"),
    connecting: el("salon-connecting"),
    locked: el("salon-knock"),
    room: el("salon-room"),
    notice: el("salon-notice"),
  };
  const grid = el("salon-grid");
  const toolbar = el("salon-toolbar");
  const panel = el("salon-panel");
  const chat = el("salon-chat");
  const people = el("salon-people");
  const banner = el("salon-reconnecting");
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

  /** @param {RoomState} s */
  function render(s) {
    for (const [phase, screen] of Object.entries(screens)) screen.hidden = phase !== s.phase;
    if (s.phase === "precall") renderPrecall();
    else if (s.phase === "connecting") renderConnecting();
    else if (s.phase === "locked") screens.locked.model = s.knock;
    else if (s.phase === "room") renderRoom(s);
    else if (s.phase === "notice" && s.notice) screens.notice.model = s.notice;

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
      if (s.panel === "chat") chat.focusInput();
    }
  }

  function renderPrecall() {
    screens.precall.model = {
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
    };
  }

  function renderConnecting() {
    const c = screens.connecting;
    part(c, "title").textContent = t("connecting.title");
    part(c, "text").textContent = t("connecting.text");
  }

  /** @param {RoomState} s */
  function renderRoom(s) {
    const me = /** @type {NonNullable<RoomState['me']>} */ (s.me);
    const viewer = me.role === "viewer";
    const header = screens.room;
    part(header, "brand").textContent = t("header.brand");
    const lock = part(header, "lock");
    lock.hidden = !s.room?.locked;
    setIcon(part(header, "lock-icon"), "lock");
    part(header, "lock-text").textContent = t("header.locked");
    const viewerBadge = part(header, "viewer");
    viewerBadge.hidden = !viewer;
    viewerBadge.textContent = t("header.viewer");

    const { tiles, stageKey } = tilesFor(s, { camera: media.camera, screen: media.screen, remote });
    grid.model = { tiles, stageKey, alone: s.participants.length === 0, shareUrl };
    const { count, capacity } = participantCount(s);
    toolbar.model = {
      audio: s.local.audio, video: s.local.video, screen: s.local.screen, canSend: !viewer,
      canShareScreen: media.canShareScreen, isHost: isHost(s), locked: Boolean(s.room?.locked),
      panel: s.panel, unread: s.unread, count, capacity, micMissing: media.micMissing,
      features: {
        chat: params.chat, people: params.people, screenshare: params.screenshare, leaveButton: params.leaveButton,
        participantCount: params.participantCount, locking: params.locking, toolbarText: params.toolbarText,
        cameraAccess: params.cameraAccess,
      },
    };
    toolbar.hidden = !params.bottomToolbar;
    panel.hidden = s.panel === null;
    chat.hidden = s.panel !== "chat";
    people.hidden = s.panel !== "people";
    chat.model = { messages: s.chat, canSend: true };
    const meAsPerson = {
      id: me.id, displayName: me.displayName, role: me.role, audio: s.local.audio, video: s.local.video,
      screen: s.local.screen, externalId: null, metadata: null, reconnecting: s.connection === "reconnecting", joinedAt: 0,
    };
    people.model = { me: meAsPerson, participants: s.participants, knocks: s.knocks, isHost: isHost(s), spotlight: s.room?.spotlight ?? null };
  }

  /** Move keyboard focus to the new screen, so keyboard and screen-reader users follow along. @param {string} phase */
  function focusPhase(phase) {
    requestAnimationFrame(() => {
      if (phase === "precall") screens.precall.focusFirst();
      else if (phase === "locked") screens.locked.focusAction();
      else if (phase === "notice") screens.notice.focusTitle();
      else if (phase === "room") grid.focus({ preventScroll: true });
    });
  }

  store.subscribe(schedule);
  media.addEventListener("change", schedule);
  return { schedule };
}
