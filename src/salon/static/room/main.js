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
 *                 //   order), room {name, mode, locked, spotlight, capacity, breakout (null or
 *                 //   {groups, assignments, allowChoose}), timerStartedAt}, knocks (hosts: who
 *                 //   is knocking), knock (my own knock), chat [{id, from, displayName, text, at,
 *                 //   mine, broadcast}], panel (chat | people | breakout | null), notice {kind, reason, message, capacity}, local {audio,
 *                 //   video, screen}, count {count, capacity}, ui {floatSelf, timerStartedAt,
 *                 //   settingsOpen, pip, speaking, lastSpeaker, lowData, sinkId, fullscreen,
 *                 //   language} (ui.js)}
 *     signaling,  // the SignalingClient (its `state`, `participantId`, events)
 *     params,     // the room URL's parameters as read (params.js)
 *     embed,      // the embed bridge: `framed`, `targets` (the origins events go to)
 *     media, mesh, store, ui,  // for debugging
 *   }
 *
 *   data-testid:
 *     precall-name, precall-join, precall-toggle-mic, precall-toggle-camera, precall-allow (the
 *       permission step, before the browser's prompt)
 *     toggle-mic, toggle-camera, toggle-screenshare, toggle-chat, toggle-people, leave,
 *     lock (hosts), end-meeting (hosts), participant-count ("2/4")
 *     toggle-pip (aria-pressed), toggle-settings, toggle-more (aria-expanded) with more-menu and
 *       its items more-copy-link, more-fullscreen, more-float-self (aria-checked), more-timer (hosts),
 *       more-breakout (hosts)
 *     meeting-timer (data-running, data-started-at), logo, self-view (data-floating true|false)
 *     breakout-panel and its parts (components/salon-breakout), breakout-status (data-group) with
 *       breakout-choose (components/salon-group-status)
 *     settings-dialog with settings-camera, settings-microphone, settings-speaker,
 *       settings-language, settings-low-data, settings-close
 *     <html data-minimal="true|false" data-background="off">
 *     tile (data-participant-id, data-kind camera|screen: a shared screen is a tile of its own,
 *       data-audio on|off, data-video on|off, data-spotlight true|false, data-reconnecting
 *       true|false, data-speaking true|false), tile-reconnecting (its badge)
 *     chat-input, chat-send, chat-message (data-from)
 *     person (data-participant-id, data-role) with person-mute, person-camera-off,
 *       person-remove, person-spotlight (aria-pressed) for hosts
 *     knock (data-participant-id) with knock-admit, knock-reject, knock-hold, knock-hold-message
 *       (at most 20 rows), knock-more (how many more wait)
 *     knock-page, knock-button, knock-cancel, knock-status (data-status idle|knocking|held)
 *     notice (data-kind left|removed|ended|full|rejected|deleted|error, data-reason)
 *     reconnecting (the page's own banner while its socket reconnects)
 */

import { createActions } from "./actions.js";
import { registerSalonBreakout } from "./components/salon-breakout/salon-breakout.js";
import { registerSalonChat } from "./components/salon-chat/salon-chat.js";
import { registerSalonGrid } from "./components/salon-grid/salon-grid.js";
import { viewOf } from "./paging.js";
import { registerSalonGroupStatus } from "./components/salon-group-status/salon-group-status.js";
import { registerSalonKnock } from "./components/salon-knock/salon-knock.js";
import { registerSalonNotice } from "./components/salon-notice/salon-notice.js";
import { registerSalonPeople } from "./components/salon-people/salon-people.js";
import { registerSalonPrecall } from "./components/salon-precall/salon-precall.js";
import { registerSalonSettings } from "./components/salon-settings/salon-settings.js";
import { registerSalonTile } from "./components/salon-tile/salon-tile.js";
import { registerSalonToasts } from "./components/salon-toasts/salon-toasts.js";
import { registerSalonToolbar } from "./components/salon-toolbar/salon-toolbar.js";
import { allowedOrigins, createEmbedBridge, originAllowed } from "./embed.js";
import { bcp47, browserLanguage, language, loadLanguage } from "./i18n.js";
import { bindShortcuts } from "./keyboard.js";
import { LocalMedia } from "./media/local.js";
import { startQualitySampling } from "./media/quality.js";
import { MediaRouter } from "./media/router.js";
import { watchSpeakers } from "./media/speakers.js";
import { parseParams, roleHintFromRoomKey, roomNameFromPath, UI_LANGUAGES } from "./params.js";
import { createPrecallChecks, runChecks } from "./precall-checks.js";
import { createPip, pipKey } from "./pip.js";
import { createSession } from "./session.js";
import { SignalingClient, signalingUrl } from "./signaling.js";
import { createStore, snapshot } from "./state.js";
import { applyTheme } from "./theme.js";
import { clockStart, createUiStore, initialUi } from "./ui.js";
import { createView } from "./view.js";

const NAME_KEY = "salon.displayName";
// Page marks for bench/join_breakdown.py: every module of the graph is loaded and evaluated here.
performance.mark("salon:modules");

const params = parseParams(location.search);
applyTheme(document, params);
if (params.rejected.includes("externalId")) {
  console.error("salon: the externalId URL parameter was rejected (A-Z, a-z, 0-9, - and _ only, at most 36 characters); joining without one");
}
// `lang`, else the browser's language when Salon has it, else English.
await loadLanguage(params.lang ?? browserLanguage(navigator.languages ?? [], UI_LANGUAGES), { personality: params.personality });
document.documentElement.lang = bcp47(language());

for (const register of [registerSalonPrecall, registerSalonTile, registerSalonGrid, registerSalonToolbar, registerSalonChat,
  registerSalonPeople, registerSalonKnock, registerSalonNotice, registerSalonToasts, registerSalonSettings,
  registerSalonBreakout, registerSalonGroupStatus]) register();

const roomName = roomNameFromPath(location.pathname);
const roleHint = roleHintFromRoomKey(params.roomKey); // a hint only: the server decides the role
const usesMedia = roleHint !== "viewer";

const allowed = allowedOrigins(document);
// An avatar must come from an allowed domain (docs/embedding.md, URL parameters), like the pages that embed us.
const avatarUrl = params.avatarUrl && originAllowed(new URL(params.avatarUrl).origin, allowed, location.origin) ? params.avatarUrl : null;
if (params.avatarUrl && !avatarUrl) console.warn("salon: ignoring avatarUrl: its origin is not one of the allowed domains");

const store = createStore();
const ui = createUiStore(initialUi(params, language()));
const signaling = new SignalingClient({ url: signalingUrl(location) });
const media = new LocalMedia({ echoCancellation: params.aec, autoGainControl: params.agc, lowData: params.lowData });
/** @type {Map<string, {camera?: MediaStream, screen?: MediaStream}>} */
const remote = new Map();
// Peer to peer in normal rooms, through the SFU in group rooms (media/router.js).
const mesh = new MediaRouter({ send: (type, fields) => signaling.send(type, fields) });
const embed = createEmbedBridge({ enabled: params.jsApi, allowed });
const pip = createPip({
  videoFor: (key) => view.videoFor(key),
  onChange: (open) => {
    ui.dispatch({ type: "ui/pip", on: open });
    embed.emit("pip_toggle", { open });
  },
});
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

/**
 * The permission step (the pre-call review's "Allow camera and microphone") comes before the
 * browser's prompt, unless `skipMediaPermissionPrompt` (Android WebViews need the prompt straight
 * away) or there is nothing left to ask (the Permissions API says granted or denied).
 * @type {'ask' | null}
 */
let permissionStep = null;
/** @type {Promise<void> | null} */
let started = null;
/** Settles once the camera and microphone tracks are in (before the device lists are read). @type {Promise<void> | null} */
let tracksIn = null;
let tracksReady = false;
function startDevices() {
  permissionStep = null;
  tracksIn ??= new Promise((resolve) => media.addEventListener("change", () => resolve(), { once: true }));
  tracksIn.then(() => (tracksReady = true));
  started ??= media.start({ audio: params.audio, video: params.video && params.cameraAccess }).then(() => {
    const problems = media.problems;
    if (problems.audio === "denied" || problems.video === "denied") embed.emit("deny_device_permission", { denied: true });
    else embed.emit("grant_device_permission", { granted: true });
    precallChecks.start();
  });
  view.schedule();
  return started;
}

/** Would the browser still prompt for the devices? @param {boolean} camera */
async function permissionNeeded(camera) {
  try {
    const names = /** @type {PermissionName[]} */ (camera ? ["microphone", "camera"] : ["microphone"]);
    const states = await Promise.all(names.map((name) => navigator.permissions.query({ name })));
    return states.some((status) => status.state === "prompt");
  } catch {
    return false; // no Permissions API for devices (older browsers): ask the browser straight away
  }
}

// precallCeremony=on: check the devices and the connection before joining (precall-checks.js).
const precallChecks = createPrecallChecks({
  enabled: usesMedia && params.precallReview && params.precallCeremony,
  canSkip: params.precallCeremonyCanSkip || roleHint === "host",
  run: () => runChecks({ media, cameraWanted: params.video && params.cameraAccess, probeUrl: new URL("./main.js", import.meta.url).href }),
  emit: (type, payload) => embed.emit(type, payload),
});

const shareUrl = `${location.origin}${location.pathname}`;
const roomSession = createSession({ store, signaling, mesh, media, params, embed, roomName, notify, devicesReady: () => (started && tracksIn && !tracksReady ? Promise.race([tracksIn, started]) : null) });
/** The session, with joining after the pre-call checks (or their skipping). */
const session = { ...roomSession, join: (/** @type {string | null} */ name) => precallChecks.beforeJoin().then(() => roomSession.join(name)) };
const view = createView({
  store, ui, media, remote, params, savedName, root: document, shareUrl, avatarUrl,
  showPreview: usesMedia && params.precallReview,
  permission: () => permissionStep,
  pipSupported: pip.supported,
  languages: params.localization ? [...UI_LANGUAGES] : null,
});
const actions = createActions({
  store, ui, signaling, media, session, embed, params, pip, view, startDevices, shareUrl, notify, announce, rememberName,
});

// Quality samples for insights, every two seconds while in the room (media/quality.js).
/** @type {(() => void) | null} */
let stopSampling = null;
store.subscribe((s) => {
  if (s.phase === "room" && !stopSampling) {
    stopSampling = startQualitySampling({
      connections: () => (mesh.mode === "sfu" ? [mesh.sfu.publisher, mesh.sfu.subscriber] : [...mesh.mesh.peers.values()])
        .filter((pc) => pc !== null),
      flags: () => ({ ...store.getState().local }),
      send: (type, fields) => signaling.send(type, fields),
    });
  } else if (s.phase !== "room" && stopSampling) {
    stopSampling();
    stopSampling = null;
  }
});

/** The tile to show in Picture-in-Picture: the latest other speaker's (see pip.js). */
const hasVideo = (/** @type {string} */ key) => (view.videoFor(key)?.readyState ?? 0) >= 1;
/** @type {(() => void) | null} */
let stopSpeakers = null;
const watchesSpeakers = params.highlightActiveSpeaker || (pip.supported && params.pipButton);
store.subscribe((s, previous) => {
  // Group rooms always watch: the active speaker is kept on the grid's first page.
  if (s.phase === "room" && !stopSpeakers && (watchesSpeakers || mesh.mode === "sfu")) {
    stopSpeakers = watchSpeakers({
      peers: mesh.peers, selfId: () => store.getState().me?.id ?? null, micTrack: () => media.track("audio"),
      micOn: () => media.audioOn, onChange: (who) => ui.dispatch({ type: "ui/speaking", ...who }),
    });
  }
  if (s.phase === "notice" && previous.phase !== "notice") {
    stopSpeakers?.();
    stopSpeakers = null;
    pip.close();
    ui.dispatch({ type: "ui/settings", on: false });
  }
  // timer=on: until a host starts the room's clock, this page's clock runs from when the first
  // person still here joined.
  if (s.phase === "room" && previous.phase !== "room" && params.timer && ui.getState().timerStartedAt === null) {
    ui.dispatch({ type: "ui/timer", startedAt: clockStart(s.participants, Date.now()) });
  }
});
ui.subscribe((u, previous) => {
  if (u.lastSpeaker === previous.lastSpeaker || !pip.open) return;
  const { tiles, stageKey } = view.tiles();
  pip.follow(pipKey(tiles, stageKey, u.lastSpeaker, hasVideo));
});
document.addEventListener("fullscreenchange", () => ui.dispatch({ type: "ui/fullscreen", on: Boolean(document.fullscreenElement) }));

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

// Group rooms: receive exactly the videos on the grid's page, each camera in the simulcast layer
// its tile needs (large on the stage); the spotlight is heard whether loud or not (sfu.js
// debounces what it sends).
setInterval(() => {
  if (mesh.mode !== "sfu" || store.getState().phase !== "room") return;
  const videos = viewOf(view.shownTiles(), (key) => view.videoFor(key)?.clientHeight ?? 0);
  const spotlight = store.getState().room?.spotlight ?? null;
  mesh.sfu.setView(videos, spotlight ? [spotlight] : []);
}, 250);

document.addEventListener("salon-intent", (event) => {
  const { action, ...detail } = /** @type {CustomEvent} */ (event).detail;
  actions.run(action, detail);
});
bindShortcuts((action) => actions.run(action), () => store.getState().phase === "room");
embed.onCommand(actions.runCommand);
addEventListener("pagehide", () => signaling.leave());

/** Test hooks: see the comment at the top. */
Object.assign(window, {
  salonRoom: {
    peers: mesh.peers, state: () => ({ ...snapshot(store.getState()), ui: ui.getState() }),
    signaling, params, embed, media, mesh, store, ui, sfu: mesh.sfu,
  },
});

view.schedule();
embed.emit("ready");
performance.mark("salon:ready"); // the language, components and state are in place: Join works

if (usesMedia) {
  const askFirst = params.precallReview && !params.skipMediaPermissionPrompt && (await permissionNeeded(params.video && params.cameraAccess));
  if (askFirst) {
    permissionStep = "ask";
    view.schedule();
  } else {
    startDevices();
  }
}
// Straight in when there is nothing to review: a viewer with a name, or no pre-call review.
const autoJoin = params.displayName !== null && (roleHint === "viewer" || !params.precallReview);
// The devices go on starting meanwhile: the session links media once they are ready.
if (autoJoin) session.join(params.displayName);
