/**
 * The view: shows the screen for the current phase (pre-call, joining, knock, room, notice) and
 * hands each component its model. Renders at most once per task, whatever changed. The room
 * state (store) and this page's own UI state (ui, see ui.js) both feed it.
 *
 * Page-wide parameters show on <html>: `data-background="off"` (the embedding page shows
 * through), `data-minimal="true"`.
 */

import { groupOf, groupsProblem, inMySpace } from "./breakout.js";
import { part } from "./dom.js";
import { setIcon } from "./icons.js";
import { t } from "./i18n.js";
import { nameOf } from "./names.js";
import { isHost, participantCount } from "./state.js";
import { tilesFor } from "./tiles.js";

/**
 * @typedef {import('./state.js').RoomState} RoomState
 * @typedef {import('./ui.js').UiState} UiState
 * @typedef {import('./components/salon-tile/salon-tile.js').TileModel} TileModel
 * @typedef {{store: ReturnType<typeof import('./state.js').createStore>,
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

/** @param {ViewDeps} deps */
export function createView({ store, ui, media, remote, params, showPreview, savedName, shareUrl, root, permission, pipSupported, avatarUrl, languages }) {
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
  const breakout = el("salon-breakout");
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
    if (s.phase === "precall") renderPrecall();
    else if (s.phase === "connecting") renderConnecting();
    else if (s.phase === "locked") screens.locked.model = s.knock;
    else if (s.phase === "room") renderRoom(s, ui.getState());
    else if (s.phase === "notice" && s.notice) screens.notice.model = s.notice;
    if (s.phase !== "room") shown = { tiles: [], stageKey: null };
    renderSettings(s, ui.getState());

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
      permission: permission(),
    };
  }

  function renderConnecting() {
    const c = screens.connecting;
    part(c, "title").textContent = t("connecting.title");
    part(c, "text").textContent = t("connecting.text");
  }

  /** @param {RoomState} s @param {UiState} u */
  function renderRoom(s, u) {
    const me = /** @type {NonNullable<RoomState['me']>} */ (s.me);
    const viewer = me.role === "viewer";
    const header = screens.room;
    header.classList.toggle("no-header", !params.topToolbar);
    part(header, "header").hidden = !params.topToolbar;
    const logo = part(header, "brand");
    logo.hidden = !params.logo;
    setIcon(part(header, "logo-icon"), "logo");
    part(header, "brand-text").textContent = t("header.brand");
    const lock = part(header, "lock");
    lock.hidden = !s.room?.locked;
    setIcon(part(header, "lock-icon"), "lock");
    part(header, "lock-text").textContent = t("header.locked");
    const viewerBadge = part(header, "viewer");
    viewerBadge.hidden = !viewer;
    viewerBadge.textContent = t("header.viewer");

    // During a breakout session the grid shows my space only: my group, or the main room.
    const session = s.room?.breakout ?? null;
    const near = inMySpace(session, me.id, s.participants);
    const groupStatus = /** @type {import('./components/salon-group-status/salon-group-status.js').SalonGroupStatus} */ (part(header, "group-status"));
    groupStatus.model = { groups: session?.groups ?? [], group: groupOf(session, me.id), allowChoose: Boolean(session?.allowChoose) };

    const found = tilesFor({ ...s, participants: near }, { camera: media.camera, screen: media.screen, remote });
    const tiles = found.tiles.map((tile) => ({
      ...tile,
      speaking: params.highlightActiveSpeaker && tile.kind === "camera" && tile.participantId === u.speaking,
      avatarUrl: tile.isMe ? avatarUrl : null,
      sinkId: u.sinkId,
    }));
    shown = { tiles, stageKey: found.stageKey };
    const selfKey = u.floatSelf && !viewer ? `${me.id}:camera` : null;
    const first = [u.speaking, s.room?.spotlight ?? null];
    grid.model = { tiles, stageKey: found.stageKey, selfKey, alone: near.length === 0, shareUrl, first };
    const { count, capacity } = participantCount(s);
    toolbar.model = {
      audio: s.local.audio, video: s.local.video, screen: s.local.screen, canSend: !viewer,
      canShareScreen: media.canShareScreen, isHost: isHost(s), locked: Boolean(s.room?.locked),
      panel: s.panel, unread: s.unread, count, capacity, micMissing: media.micMissing,
      pip: u.pip, pipSupported, timerStartedAt: s.room?.timerStartedAt ?? u.timerStartedAt, more: moreItems(s, u, viewer),
      features: {
        chat: params.chat, people: params.people, screenshare: params.screenshare, leaveButton: params.leaveButton,
        participantCount: params.participantCount, locking: params.locking, toolbarText: params.toolbarText,
        cameraAccess: params.cameraAccess, settingsButton: params.settingsButton, pipButton: params.pipButton,
        moreButton: params.moreButton || breakoutOnly(s), toolbarDarkText: params.toolbarDarkText,
      },
    };
    toolbar.hidden = !params.bottomToolbar;
    panel.hidden = s.panel === null;
    chat.hidden = s.panel !== "chat";
    people.hidden = s.panel !== "people";
    breakout.hidden = s.panel !== "breakout";
    if (s.panel === "breakout") renderBreakout(s, u);
    chat.model = { messages: s.chat, canSend: true };
    const meAsPerson = {
      id: me.id, displayName: me.displayName, role: me.role, audio: s.local.audio, video: s.local.video,
      screen: s.local.screen, externalId: null, metadata: null, reconnecting: s.connection === "reconnecting", joinedAt: 0,
    };
    people.model = { me: meAsPerson, participants: s.participants, knocks: s.knocks, knocksTotal: s.knocksTotal, isHost: isHost(s), spotlight: s.room?.spotlight ?? null };
  }

  /** Can this host run breakout groups? (`breakout=off` hides them.) @param {RoomState} s */
  const breakoutAllowed = (s) => isHost(s) && params.breakout;
  /**
   * `?minimal&breakout=on` (contract section 3): "…" comes back for breakout groups alone.
   * @param {RoomState} s
   */
  const breakoutOnly = (s) => !params.moreButton && params.minimal && breakoutAllowed(s);

  /**
   * The "…" menu: copy the link, full screen, float my video, and for hosts the meeting clock
   * and breakout groups.
   * @param {RoomState} s @param {UiState} u @param {boolean} viewer
   * @returns {import('./components/salon-more/salon-more.js').MoreItem[]}
   */
  function moreItems(s, u, viewer) {
    const group = breakoutAllowed(s) ? [{ id: "breakout", intent: "toggle-breakout", label: t("more.breakout") }] : [];
    if (breakoutOnly(s)) return group;
    /** @type {import('./components/salon-more/salon-more.js').MoreItem[]} */
    const items = [{ id: "copy-link", intent: "copy-link", label: t("more.copyLink") }];
    if (root.fullscreenEnabled) items.push({ id: "fullscreen", intent: "toggle-fullscreen", label: t("more.fullscreen"), checked: u.fullscreen });
    if (!viewer) items.push({ id: "float-self", intent: "toggle-float-self", label: t("more.floatSelf"), checked: u.floatSelf });
    const clock = s.room?.timerStartedAt ?? null;
    if (isHost(s)) items.push({ id: "timer", intent: "toggle-timer", label: clock === null ? t("more.startTimer") : t("more.stopTimer") });
    return [...items, ...group];
  }

  /** The host's breakout panel: the running session as the server has it, else the plan. @param {RoomState} s @param {UiState} u */
  function renderBreakout(s, u) {
    const session = s.room?.breakout ?? null;
    const plan = session ?? u.breakoutDraft;
    if (!plan) return;
    breakout.model = {
      running: session !== null,
      groups: plan.groups,
      assignments: plan.assignments,
      allowChoose: plan.allowChoose,
      people: s.participants.map((p) => ({ id: p.id, name: nameOf(p) })),
      myGroup: groupOf(session, s.me?.id),
      problem: session ? null : groupsProblem(plan.groups),
    };
  }

  /** @param {RoomState} s @param {UiState} u */
  function renderSettings(s, u) {
    const viewer = s.me?.role === "viewer";
    const current = (/** @type {'audio' | 'video'} */ kind) =>
      media.chosen[kind] ?? media.track(kind)?.getSettings().deviceId ?? null;
    settings.model = {
      open: u.settingsOpen && s.phase === "room",
      devices: media.devices,
      current: { audio: current("audio"), video: current("video") },
      sinkId: u.sinkId,
      speakerSupported: typeof (/** @type {any} */ (HTMLMediaElement.prototype).setSinkId) === "function",
      canSend: !viewer,
      cameraAccess: params.cameraAccess,
      languages,
      language: u.language,
      lowData: u.lowData,
    };
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
  ui.subscribe(schedule);
  media.addEventListener("change", schedule);
  return {
    schedule,
    /** The tiles of the room now (Picture-in-Picture picks from them). */
    tiles: () => shown,
    /** The tiles on the grid's page now, stage and self view included. @returns {TileModel[]} */
    shownTiles: () => grid.shownTiles(),
    /** @param {string} key */
    videoFor: (key) => /** @type {HTMLVideoElement | null} */ (grid.videoFor(key)),
  };
}
