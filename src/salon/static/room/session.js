/**
 * The session: what happens between the signaling client, the room state, the peer connections
 * and the local devices. It reacts to server messages; actions.js reacts to the user.
 *
 *   SignalingClient ─message─► receive: store.dispatch (state/server.js)
 *                                       then the message's reaction (session/reactions.js:
 *                                       media links, devices, toasts, embed events)
 *   LocalMedia ─track─► mesh          LocalMedia ─change─► store + `media` message
 *
 * The links to the others are session/links.js; what the embedding page hears, session/page-events.js.
 */

import { CLOSE } from "./protocol.js";
import { createLinks } from "./session/links.js";
import { createPageEvents } from "./session/page-events.js";
import { createReactions, reactionFor } from "./session/reactions.js";

/**
 * @typedef {{store: import('./state.js').RoomStore,
 *   signaling: import('./signaling.js').SignalingClient, mesh: import('./media/router.js').MediaRouter,
 *   media: import('./media/local.js').LocalMedia, params: import('./params.js').RoomParams,
 *   embed: ReturnType<typeof import('./embed.js').createEmbedBridge>, roomName: string,
 *   notify: (toast: import('./session/reactions.js').Toast) => void,
 *   devicesReady?: () => Promise<void> | null}} SessionDeps
 */

/** Close codes after which the embedding page hears it was removed (the meeting's end included). */
const REMOVED_CODES = new Set([CLOSE.REMOVED, CLOSE.ENDED, CLOSE.REPLACED]);

/** @param {SessionDeps} deps */
export function createSession({ store, signaling, mesh, media, params, embed, roomName, notify, devicesReady = () => null }) {
  /** @type {string | null} */
  let requestedName = null;
  const state = () => store.getState();
  const links = createLinks({ store, mesh, media, signaling });
  const page = createPageEvents({ store, embed });
  const reactions = createReactions({ store, signaling, mesh, media, params, embed, notify, devicesReady, links, page, knock });

  /** Every server message: the state changes, then the message's reaction runs. @param {{type: string, [field: string]: any}} msg */
  function receive(msg) {
    const before = state();
    store.dispatch(msg.type === "joined" ? { ...msg, displayName: requestedName } : msg);
    reactionFor(reactions, msg.type, mesh)?.(msg, before);
  }

  media.addEventListener("track", (event) => {
    const { slot, track, stream } = /** @type {CustomEvent} */ (event).detail;
    mesh.setLocalTrack(slot, track, stream);
  });
  media.addEventListener("change", () => {
    const before = state().local;
    const now = links.localMedia();
    store.dispatch({ type: "local/media", media: now });
    // Devices stop when the room is over: that is no toggle to report.
    if (state().phase === "notice") return;
    if (before.audio !== now.audio) embed.emit("microphone_toggle", { enabled: now.audio });
    if (before.video !== now.video) embed.emit("camera_toggle", { enabled: now.video });
    if (before.screen !== now.screen) embed.emit("screenshare_toggle", { enabled: now.screen });
    links.sendMedia();
  });

  signaling.addEventListener("state", (event) => {
    const { state: status } = /** @type {CustomEvent} */ (event).detail;
    const connection = status === "joined" || status === "open" || status === "leaving" ? "open" : status === "idle" ? "idle" : status;
    store.dispatch({ type: "local/connection", status: connection });
    if (status === "reconnecting") embed.emit("connection_status_change", { status: "unstable" });
    if (status === "joined") embed.emit("connection_status_change", { status: "stable" });
  });
  signaling.addEventListener("message", (event) => receive(/** @type {CustomEvent} */ (event).detail));
  signaling.addEventListener("closed", (event) => {
    const { code } = /** @type {CustomEvent} */ (event).detail;
    const wasIn = state().phase === "room";
    store.dispatch({ type: "local/closed", code });
    links.cleanup();
    // Closed without a `removed` first (it is usually sent): the page still hears how it ended.
    if (wasIn && code !== CLOSE.LEFT) page.emitLeave(REMOVED_CODES.has(code), code === CLOSE.ENDED);
  });
  signaling.addEventListener("protocol-error", (event) => console.warn("salon: unreadable frame", /** @type {CustomEvent} */ (event).detail.error));

  /** Open the socket and join. @param {string | null} displayName */
  function join(displayName) {
    requestedName = displayName;
    performance.mark("salon:join");
    store.dispatch({ type: "local/connecting" });
    signaling.connect({
      room: roomName,
      roomKey: params.roomKey ?? undefined,
      displayName: displayName ?? undefined,
      externalId: params.externalId ?? undefined,
      metadata: params.metadata ?? undefined,
    });
  }

  function leave() {
    if (state().phase === "notice") return;
    signaling.leave();
    store.dispatch({ type: "local/left" });
    links.cleanup();
    page.emitLeave(false);
  }

  /** The `knock` event waits for the server's `knocking`: a knock it refuses emits nothing. */
  function knock() {
    signaling.send("knock", requestedName ? { displayName: requestedName } : {});
    store.dispatch({ type: "local/knocked" });
  }

  function cancelKnock() {
    signaling.send("cancel-knock");
    store.dispatch({ type: "local/knock-cancelled" });
    embed.emit("cancel_knock");
  }

  return { join, leave, knock, cancelKnock, sendMedia: links.sendMedia };
}
