/**
 * The room screen: its header, the grid of tiles (my space only during a breakout session), the
 * toolbar and the side panels, each handed its model.
 */

import { groupOf, inMySpace } from "../breakout.js";
import { part } from "../dom.js";
import { setIcon } from "../icons.js";
import { t } from "../i18n.js";
import { tilesFor } from "../tiles.js";
import { breakoutModel, peopleModel } from "./panels.js";
import { toolbarModel } from "./toolbar.js";

/**
 * @typedef {import('../state.js').RoomState} RoomState
 * @typedef {import('../ui.js').UiState} UiState
 * @typedef {import('../components/salon-tile/salon-tile.js').TileModel} TileModel
 * @typedef {{header: HTMLElement, grid: any, toolbar: any, panel: HTMLElement, chat: any, people: any,
 *   breakout: any}} RoomElements
 * @typedef {{params: import('../params.js').RoomParams, media: import('../media/local.js').LocalMedia,
 *   remote: Map<string, {camera?: MediaStream, screen?: MediaStream}>, root: Document,
 *   shareUrl: string, pipSupported: boolean, avatarUrl: string | null}} RoomDeps
 */

/** The header: brand, lock, viewer badge. @param {HTMLElement} header @param {RoomState} s @param {RoomDeps} deps */
function renderHeader(header, s, { params }) {
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
  viewerBadge.hidden = s.me?.role !== "viewer";
  viewerBadge.textContent = t("header.viewer");
}

/**
 * The grid: during a breakout session it shows my space only (my group, or the main room).
 * @param {any} grid @param {HTMLElement} header @param {RoomState} s @param {UiState} u @param {RoomDeps} deps
 * @returns {{tiles: TileModel[], stageKey: string | null}} the tiles shown
 */
function renderGrid(grid, header, s, u, { params, media, remote, shareUrl, avatarUrl }) {
  const me = /** @type {NonNullable<RoomState['me']>} */ (s.me);
  const session = s.room?.breakout ?? null;
  const near = inMySpace(session, me.id, s.participants);
  const groupStatus = /** @type {import('../components/salon-group-status/salon-group-status.js').SalonGroupStatus} */ (part(header, "group-status"));
  groupStatus.model = { groups: session?.groups ?? [], group: groupOf(session, me.id), allowChoose: Boolean(session?.allowChoose) };

  const found = tilesFor({ ...s, participants: near }, { camera: media.camera, screen: media.screen, remote });
  const tiles = found.tiles.map((tile) => ({
    ...tile,
    speaking: params.highlightActiveSpeaker && tile.kind === "camera" && tile.participantId === u.speaking,
    avatarUrl: tile.isMe ? avatarUrl : null,
    sinkId: u.sinkId,
  }));
  const selfKey = u.floatSelf && me.role !== "viewer" ? `${me.id}:camera` : null;
  const first = [u.speaking, s.room?.spotlight ?? null];
  grid.model = { tiles, stageKey: found.stageKey, selfKey, alone: near.length === 0, shareUrl, first };
  return { tiles, stageKey: found.stageKey };
}

/** The side panel shown, if any, and the models of its parts. @param {RoomElements} els @param {RoomState} s @param {UiState} u */
function renderPanels({ panel, chat, people, breakout }, s, u) {
  panel.hidden = s.panel === null;
  chat.hidden = s.panel !== "chat";
  people.hidden = s.panel !== "people";
  breakout.hidden = s.panel !== "breakout";
  if (s.panel === "breakout") {
    const model = breakoutModel(s, u);
    if (model) breakout.model = model;
  }
  chat.model = { messages: s.chat, canSend: true };
  people.model = peopleModel(s, /** @type {NonNullable<RoomState['me']>} */ (s.me));
}

/**
 * The room screen, for a state with `me` set.
 * @param {RoomElements} els @param {RoomState} s @param {UiState} u @param {RoomDeps} deps
 * @returns {{tiles: TileModel[], stageKey: string | null}} the tiles shown
 */
export function renderRoom(els, s, u, deps) {
  renderHeader(els.header, s, deps);
  const shown = renderGrid(els.grid, els.header, s, u, deps);
  els.toolbar.model = toolbarModel(s, u, deps);
  els.toolbar.hidden = !deps.params.bottomToolbar;
  renderPanels(els, s, u);
  return shown;
}
