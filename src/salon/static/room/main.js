/**
 * The room page's entry: reads the URL, loads the language, registers the components and wires
 * the parts together. Nothing here decides anything; each part is its own module:
 *
 *   params.js ─► session.js ◄─► signaling.js (socket)      actions.js ◄─ components, keys, embed
 *                   │ ▲                                          │
 *                   ▼ │                                          ▼
 *     state.js (store) ──► view.js ──► components/*      media/local.js ─► media/mesh.js
 *
 * Test hooks (the browser tests rely on these names; keep them stable):
 *
 *   window.salonRoom = {
 *     peers,      // Map<participantId, RTCPeerConnection>: one per remote participant (mesh)
 *     state(),    // a JSON-safe snapshot: {phase, connection, me: {id, role, displayName, audio,
 *                 //   video, screen}, participants (the others, Participant objects, in join
 *                 //   order), room {name, mode, locked, spotlight, capacity}, knocks (hosts: who
 *                 //   is knocking), knock (my own knock), chat [{id, from, displayName, text, at,
 *                 //   mine}], panel, notice {kind, reason, message, capacity}, local {audio,
 *                 //   video, screen}, count {count, capacity}}
 *     signaling,  // the SignalingClient (its `state`, `participantId`, events)
 *     media, mesh, store,  // for debugging
 *   }
 *
 *   data-testid:
 *     precall-name, precall-join, precall-toggle-mic, precall-toggle-camera
 *     toggle-mic, toggle-camera, toggle-screenshare, toggle-chat, toggle-people, leave,
 *     lock (hosts), end-meeting (hosts), participant-count ("2/4")
 *     tile (data-participant-id, data-kind camera|screen: a shared screen is a tile of its own,
 *       data-audio on|off, data-video on|off, data-spotlight true|false, data-reconnecting
 *       true|false), tile-reconnecting (its badge)
 *     chat-input, chat-send, chat-message (data-from)
 *     person (data-participant-id, data-role) with person-mute, person-camera-off,
 *       person-remove, person-spotlight (aria-pressed) for hosts
 *     knock (data-participant-id) with knock-admit, knock-reject, knock-hold, knock-hold-message
 *     knock-page, knock-button, knock-cancel, knock-status (data-status idle|knocking|held)
 *     notice (data-kind left|removed|ended|full|rejected|deleted|error, data-reason)
 *     reconnecting (the page's own banner while its socket reconnects)
 */

import { createActions } from "./actions.js";
import { registerSalonChat } from "./components/salon-chat/salon-chat.js";
import { registerSalonGrid } from "./components/salon-grid/salon-grid.js";
import { registerSalonKnock } from "./components/salon-knock/salon-knock.js";
import { registerSalonNotice } from "./components/salon-notice/salon-notice.js";
import { registerSalonPeople } from "./components/salon-people/salon-people.js";
import { registerSalonPrecall } from "./components/salon-precall/salon-precall.js";
import { registerSalonTile } from "./components/salon-tile/salon-tile.js";
import { registerSalonToasts } from "./components/salon-toasts/salon-toasts.js";
import { registerSalonToolbar } from "./components/salon-toolbar/salon-toolbar.js";
import { allowedOrigins, createEmbedBridge } from "./embed.js";
import { bcp47, language, loadLanguage } from "./i18n.js";
import { bindShortcuts } from "./keyboard.js";
import { LocalMedia } from "./media/local.js";
import { Mesh } from "./media/mesh.js";
import { parseParams, roleHintFromRoomKey, roomNameFromPath } from "./params.js";
import { createSession } from "./session.js";
import { SignalingClient, signalingUrl } from "./signaling.js";
import { createStore, snapshot } from "./state.js";
import { createView } from "./view.js";

const NAME_KEY = "salon.displayName";

const params = parseParams(location.search);
await loadLanguage(params.lang, { personality: params.personality });
document.documentElement.lang = bcp47(language());

for (const register of [registerSalonPrecall, registerSalonTile, registerSalonGrid, registerSalonToolbar, registerSalonChat,
  registerSalonPeople, registerSalonKnock, registerSalonNotice, registerSalonToasts]) register();

const roomName = roomNameFromPath(location.pathname);
const roleHint = roleHintFromRoomKey(params.roomKey); // a hint only: the server decides the role
const usesMedia = roleHint !== "viewer";

const store = createStore();
const signaling = new SignalingClient({ url: signalingUrl(location) });
const media = new LocalMedia();
/** @type {Map<string, {camera?: MediaStream, screen?: MediaStream}>} */
const remote = new Map();
const mesh = new Mesh({ sendSignal: (to, payload) => signaling.send("signal", { to, ...payload }) });
const embed = createEmbedBridge({ enabled: params.jsApi, allowed: allowedOrigins(document) });
const toasts = /** @type {import('./components/salon-toasts/salon-toasts.js').SalonToasts} */ (document.getElementById("salon-toasts"));
const announcer = /** @type {HTMLElement} */ (document.getElementById("salon-announcer"));

/** Toasts belong to the room: none on the screens after it. @param {{text: string, key?: string}} toast */
const notify = (toast) => {
  if (store.getState().phase !== "notice") toasts.show(toast);
};
store.subscribe((state, previous) => {
  if (state.phase === "notice" && previous.phase !== "notice") toasts.clear();
});
/** @param {string} text */
const announce = (text) => {
  announcer.textContent = "";
  requestAnimationFrame(() => (announcer.textContent = text));
};

let savedName = "";
try {
  savedName = localStorage.getItem(NAME_KEY) ?? "";
} catch {
  // storage blocked (a third-party iframe): nothing remembered
}
/** @param {string} name */
const rememberName = (name) => {
  try {
    localStorage.setItem(NAME_KEY, name);
  } catch {
    // as above
  }
};

const session = createSession({ store, signaling, mesh, media, params, embed, roomName, notify });
const actions = createActions({ store, signaling, media, session, embed, notify, announce, rememberName });
const view = createView({
  store, media, remote, params, savedName, root: document,
  showPreview: usesMedia && params.precallReview,
  shareUrl: `${location.origin}${location.pathname}`,
});

mesh.addEventListener("stream", (event) => {
  const { participantId, kind, stream } = /** @type {CustomEvent} */ (event).detail;
  remote.set(participantId, { ...remote.get(participantId), [kind]: stream });
  view.schedule();
});
mesh.addEventListener("stream-ended", (event) => {
  const { participantId, kind, stream } = /** @type {CustomEvent} */ (event).detail;
  const entry = remote.get(participantId);
  if (entry && entry[/** @type {'camera' | 'screen'} */ (kind)] === stream) delete entry[/** @type {'camera' | 'screen'} */ (kind)];
  if (entry && !entry.camera && !entry.screen) remote.delete(participantId);
  view.schedule();
});

document.addEventListener("salon-intent", (event) => {
  const { action, ...detail } = /** @type {CustomEvent} */ (event).detail;
  actions.run(action, detail);
});
bindShortcuts((action) => actions.run(action), () => store.getState().phase === "room");
embed.onCommand(actions.runCommand);
addEventListener("pagehide", () => signaling.leave());

/** Test hooks: see the comment at the top. */
Object.assign(window, {
  salonRoom: { peers: mesh.peers, state: () => snapshot(store.getState()), signaling, media, mesh, store },
});

view.schedule();
embed.emit("ready");

const started = usesMedia ? media.start({ audio: params.audio, video: params.video && params.cameraAccess }) : Promise.resolve();
started.then(() => {
  const problems = media.problems;
  if (problems.audio === "denied" || problems.video === "denied") embed.emit("deny_device_permission", { denied: true });
  else if (usesMedia) embed.emit("grant_device_permission", { granted: true });
});
// Straight in when there is nothing to review: a viewer with a name, or no pre-call review.
const autoJoin = params.displayName !== null && (roleHint === "viewer" || !params.precallReview);
if (autoJoin) started.then(() => session.join(params.displayName));
