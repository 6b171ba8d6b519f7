/**
 * The room's toolbar and its "…" menu, as models for components/salon-toolbar and salon-more:
 * what the room state, this page's UI state and the URL's parameters let this person do.
 */

import { t } from "../i18n.js";
import { captionsButton } from "../captions.js";
import { recordButton } from "../recording.js";
import { isHost, participantCount } from "../state.js";
import { liveButton } from "../streaming.js";

/**
 * @typedef {import('../state.js').RoomState} RoomState
 * @typedef {import('../ui.js').UiState} UiState
 * @typedef {import('../params.js').RoomParams} RoomParams
 * @typedef {import('../components/salon-more/salon-more.js').MoreItem} MoreItem
 * @typedef {{params: RoomParams, media: import('../media/local.js').LocalMedia, root: Document,
 *   pipSupported: boolean}} ToolbarDeps
 */

/** Can this host run breakout groups? (`breakout=off` hides them.) @param {RoomState} s @param {RoomParams} params */
const breakoutAllowed = (s, params) => isHost(s) && params.breakout;

/**
 * `?minimal&breakout=on` (docs/embedding.md, URL parameters): "…" comes back for breakout groups alone.
 * @param {RoomState} s @param {RoomParams} params
 */
const breakoutOnly = (s, params) => !params.moreButton && params.minimal && breakoutAllowed(s, params);

/**
 * The "…" menu: copy the link, full screen, float my video, and for hosts the meeting clock
 * and breakout groups.
 * @param {RoomState} s @param {UiState} u @param {boolean} viewer @param {RoomParams} params @param {Document} root
 * @returns {MoreItem[]}
 */
export function moreItems(s, u, viewer, params, root) {
  const group = breakoutAllowed(s, params) ? [{ id: "breakout", intent: "toggle-breakout", label: t("more.breakout") }] : [];
  if (breakoutOnly(s, params)) return group;
  /** @type {MoreItem[]} */
  const items = [{ id: "copy-link", intent: "copy-link", label: t("more.copyLink") }];
  if (root.fullscreenEnabled) items.push({ id: "fullscreen", intent: "toggle-fullscreen", label: t("more.fullscreen"), checked: u.fullscreen });
  if (!viewer) items.push({ id: "float-self", intent: "toggle-float-self", label: t("more.floatSelf"), checked: u.floatSelf });
  const clock = s.room?.timerStartedAt ?? null;
  if (isHost(s)) items.push({ id: "timer", intent: "toggle-timer", label: clock === null ? t("more.startTimer") : t("more.stopTimer") });
  if (isHost(s) && s.transcription.on) items.push({ id: "stop-transcription", intent: "stop-live-transcription", label: t("more.stopTranscription") });
  return [...items, ...group];
}

/**
 * The toolbar's model.
 * @param {RoomState} s @param {UiState} u @param {ToolbarDeps} deps
 */
export function toolbarModel(s, u, { params, media, root, pipSupported }) {
  const viewer = s.me?.role === "viewer";
  const { count, capacity } = participantCount(s);
  return {
    audio: s.local.audio, video: s.local.video, screen: s.local.screen, canSend: !viewer,
    canShareScreen: media.canShareScreen, isHost: isHost(s), locked: Boolean(s.room?.locked),
    panel: s.panel, unread: s.unread, count, capacity, micMissing: media.micMissing,
    pip: u.pip, pipSupported, timerStartedAt: s.room?.timerStartedAt ?? u.timerStartedAt, more: moreItems(s, u, viewer, params, root),
    record: recordButton(s), live: liveButton(s),
    captions: captionsButton(s),
    features: {
      chat: params.chat, people: params.people, screenshare: params.screenshare, leaveButton: params.leaveButton,
      participantCount: params.participantCount, locking: params.locking, toolbarText: params.toolbarText,
      cameraAccess: params.cameraAccess, settingsButton: params.settingsButton, pipButton: params.pipButton,
      moreButton: params.moreButton || breakoutOnly(s, params), toolbarDarkText: params.toolbarDarkText,
    },
  };
}
