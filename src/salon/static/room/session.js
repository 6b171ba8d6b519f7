/**
 * The session: what happens between the signaling client, the room state, the peer connections
 * and the local devices. It reacts to server messages; actions.js reacts to the user.
 *
 *   SignalingClient ─message─► store.dispatch ─► (joined: mesh links, media state; signal: mesh;
 *                                                 muted: devices; knocks: toast; …)
 *   LocalMedia ─track─► mesh          LocalMedia ─change─► store + `media` message
 */

import { groupOf, inMySpace, sameSpace } from "./breakout.js";
import { t } from "./i18n.js";
import { nameOf } from "./names.js";
import { hasHostRole, participantCount } from "./state.js";

/**
 * @typedef {{store: ReturnType<typeof import('./state.js').createStore>,
 *   signaling: import('./signaling.js').SignalingClient, mesh: import('./media/router.js').MediaRouter,
 *   media: import('./media/local.js').LocalMedia, params: import('./params.js').RoomParams,
 *   embed: ReturnType<typeof import('./embed.js').createEmbedBridge>, roomName: string,
 *   notify: (toast: {text: string, action?: {label: string, intent: string, detail?: Record<string, unknown>}, key?: string}) => void,
 *   devicesReady?: () => Promise<void> | null}} SessionDeps
 */

/** @param {SessionDeps} deps */
export function createSession({ store, signaling, mesh, media, params, embed, roomName, notify, devicesReady = () => null }) {
  /** @type {string | null} */
  let requestedName = null;
  /** @type {string | null} */
  let lastMediaSent = null;
  /** `leave` goes to the embedding page once, whichever way the room ended. */
  let leaveEmitted = false;

  const state = () => store.getState();
  const localMedia = () => ({ audio: media.audioOn, video: media.videoOn, screen: Boolean(media.screen) });

  /** Tell the room my microphone, camera and screen state, when it changed. @param {boolean} [force] */
  function sendMedia(force = false) {
    const s = state();
    if (s.phase !== "room" || !s.me || s.me.role === "viewer") return;
    const m = localMedia();
    const key = JSON.stringify(m);
    if (!force && key === lastMediaSent) return;
    lastMediaSent = key;
    signaling.send("media", m);
  }

  function cleanup() {
    mesh.closeAll();
    media.stop();
  }

  /** @param {boolean} removed @param {boolean} [ended] the meeting was ended for everyone */
  function emitLeave(removed, ended = false) {
    if (leaveEmitted) return;
    leaveEmitted = true;
    if (ended) embed.emit("meeting_end");
    embed.emit("leave", { removed });
  }

  /** Open the people panel (a knock waits for an answer), telling the embedding page. */
  function openPeople() {
    const before = state().panel;
    if (before === "people") return;
    store.dispatch({ type: "local/panel", panel: "people", open: true });
    if (before !== null) embed.emit(`${before}_toggle`, { open: false });
    embed.emit("people_toggle", { open: true });
  }

  /** Does this participant share my space (my breakout group, or the main room)? @param {string} id */
  function nearMe(id) {
    const s = state();
    return sameSpace(s.room?.breakout ?? null, s.me?.id ?? "", id);
  }

  /**
   * Links to exactly the people in my space: close those to people in other groups, open those
   * to people who joined it. Of two peers meeting again, the impolite one offers (peer.js).
   */
  function followGroups() {
    const s = state();
    if (s.phase !== "room" || !s.me) return;
    const me = s.me.id;
    const wanted = inMySpace(s.room?.breakout ?? null, me, s.participants).map((p) => p.id);
    mesh.keepOnly(wanted);
    for (const id of wanted) mesh.connect(id, { awaitOffer: me < id });
  }

  /** Tell me when a breakout session started, ended or moved me. @param {import('./state.js').RoomState} before */
  function noticeGroupChange(before) {
    const was = before.room?.breakout ?? null;
    const now = state().room?.breakout ?? null;
    const myId = state().me?.id;
    const group = groupOf(now, myId);
    /** @type {string | null} */
    let text = null;
    if (was && !now) text = t("breakout.toast.ended");
    else if (now && group !== null && groupOf(was, myId) !== group) text = t("breakout.toast.movedTo", { group: now.groups[group] });
    else if (now && !was) text = now.allowChoose ? t("breakout.toast.startedChoose") : t("breakout.toast.started");
    else if (now && group === null && groupOf(was, myId) !== null) text = t("breakout.toast.mainRoom");
    if (text) notify({ text, key: "breakout" });
  }

  /** @param {string} type @param {any} msg a message with a `participant` */
  function emitParticipant(type, msg) {
    const p = msg.participant ?? {};
    embed.emit(type, { participant: { metadata: p.metadata ?? null, externalId: p.externalId ?? null } });
    embed.emit("participantupdate", { count: participantCount(state()).count });
  }

  media.addEventListener("track", (event) => {
    const { slot, track, stream } = /** @type {CustomEvent} */ (event).detail;
    mesh.setLocalTrack(slot, track, stream);
  });
  media.addEventListener("change", () => {
    const before = state().local;
    const now = localMedia();
    store.dispatch({ type: "local/media", media: now });
    // Devices stop when the room is over: that is no toggle to report.
    if (state().phase === "notice") return;
    if (before.audio !== now.audio) embed.emit("microphone_toggle", { enabled: now.audio });
    if (before.video !== now.video) embed.emit("camera_toggle", { enabled: now.video });
    if (before.screen !== now.screen) embed.emit("screenshare_toggle", { enabled: now.screen });
    sendMedia();
  });

  signaling.addEventListener("state", (event) => {
    const { state: status } = /** @type {CustomEvent} */ (event).detail;
    const connection = status === "joined" || status === "open" || status === "leaving" ? "open" : status === "idle" ? "idle" : status;
    store.dispatch({ type: "local/connection", status: connection });
    if (status === "reconnecting") embed.emit("connection_status_change", { status: "unstable" });
    if (status === "joined") embed.emit("connection_status_change", { status: "stable" });
  });
  signaling.addEventListener("message", (event) => onMessage(/** @type {CustomEvent} */ (event).detail));
  signaling.addEventListener("closed", (event) => {
    const { code } = /** @type {CustomEvent} */ (event).detail;
    const wasIn = state().phase === "room";
    store.dispatch({ type: "local/closed", code });
    cleanup();
    // Closed without a `removed` first (it is usually sent): the page still hears how it ended.
    if (wasIn && code !== 4000) emitLeave(code === 4001 || code === 4002 || code === 4009, code === 4002);
  });
  signaling.addEventListener("protocol-error", (event) => console.warn("salon: unreadable frame", /** @type {CustomEvent} */ (event).detail.error));

  /** My media links after `joined`: peer to peer or through the SFU. @param {any} msg the `joined` */
  function link(msg) {
    mesh.setSelf(msg.participantId, { viewer: msg.role === "viewer", iceServers: msg.iceServers ?? [], media: msg.media, resumed: msg.resumed });
    // During a breakout session: only the people of my own group (or of the main room).
    const ids = state().participants.map((p) => p.id).filter(nearMe);
    if (msg.resumed) mesh.keepOnly(ids);
    for (const id of ids) mesh.connect(id);
    if (msg.resumed) mesh.restartIce();
    sendMedia(true);
  }

  /** @param {{type: string, [field: string]: any}} msg */
  function onMessage(msg) {
    const before = state();
    store.dispatch(msg.type === "joined" ? { ...msg, displayName: requestedName } : msg);
    switch (msg.type) {
      case "joined": {
        const viewer = msg.role === "viewer";
        if (viewer) {
          media.stop();
          link(msg);
        } else {
          // Joined while the devices were still starting (an automatic join does not wait for
          // them): the links start once they are ready, so that the first offer carries the
          // camera and the microphone and no renegotiation follows.
          const linkMedia = () => {
            if (state().me?.id !== msg.participantId || state().phase !== "room") return;
            media.ensureAudioTrack(); // e.g. a viewer key outside its time window: a visitor after all
            link(msg);
          };
          // Ready already: link now, so that the first offer is under way before the room's
          // first render (a microtask queued by the dispatch above).
          const starting = devicesReady();
          if (starting) starting.catch(() => {}).then(linkMedia);
          else linkMedia();
        }
        if (!msg.resumed) {
          embed.emit("join");
          if (params.autoSpotlight && hasHostRole(msg.role)) signaling.send("spotlight", { participantId: msg.participantId });
        }
        embed.emit("participantupdate", { count: participantCount(state()).count });
        if (state().knocks.length > 0) openPeople();
        break;
      }
      case "room-locked":
        if (before.phase === "room") mesh.closeAll();
        if (before.knock.status !== "idle") knock(); // reconnecting to a locked room knocks again
        break;
      case "signal":
        // The server relays nothing across groups; one sent just before a move is stale.
        if (!nearMe(msg.from)) break;
        mesh.handleSignal(msg.from, "description" in msg ? { description: msg.description } : { candidate: msg.candidate ?? null });
        break;
      case "participant-joined":
        if (nearMe(msg.participant.id)) mesh.connect(msg.participant.id, { awaitOffer: true }); // the newcomer offers first
        notify({ text: t("toast.joined", { name: nameOf(msg.participant) }) });
        emitParticipant("participant_join", msg);
        break;
      case "participant-left": {
        const gone = before.participants.find((p) => p.id === msg.participantId);
        mesh.disconnect(msg.participantId);
        if (gone) {
          notify({ text: t("toast.left", { name: nameOf(gone) }) });
          emitParticipant("participant_leave", { participant: gone });
        }
        break;
      }
      case "participant-updated": {
        const was = before.participants.find((p) => p.id === msg.participant.id);
        // They resumed and restart ICE themselves; an offer of ours may have been lost meanwhile.
        if (was?.reconnecting && !msg.participant.reconnecting) mesh.resync(msg.participant.id);
        break;
      }
      case "room-updated":
        if (before.room && before.room.locked !== msg.room.locked) notify({ text: msg.room.locked ? t("toast.locked") : t("toast.unlocked"), key: "lock" });
        if (before.room && msg.room.spotlight && before.room.spotlight !== msg.room.spotlight) {
          const who = msg.room.spotlight === before.me?.id ? before.me : before.participants.find((p) => p.id === msg.room.spotlight);
          if (who) notify({ text: t("toast.spotlight", { name: nameOf(who) }), key: "spotlight" });
        }
        if (JSON.stringify(before.room?.breakout ?? null) !== JSON.stringify(state().room?.breakout ?? null)) {
          followGroups();
          noticeGroupChange(before);
        }
        break;
      case "knocks": {
        // Someone new waits for an answer: hosts see the list in the people panel straight away,
        // and one toast (however many knock at once) names the latest.
        const known = new Set(before.knocks.map((k) => k.id));
        const fresh = msg.knocks.filter((/** @type {{id: string}} */ k) => !known.has(k.id));
        if (fresh.length === 0) break;
        openPeople();
        notify({
          text: t("toast.knock", { name: nameOf(fresh[fresh.length - 1]) }),
          action: { label: t("toast.knockOpen"), intent: "open-people" },
          key: "knock",
        });
        break;
      }
      case "chat":
        if (msg.broadcast === true && msg.from !== before.me?.id) {
          // A host's message to every group: everyone should see it, chat open or not.
          notify({ text: t("breakout.toast.broadcast", { name: nameOf(msg), text: msg.text }), key: "broadcast" });
        } else if (before.panel !== "chat" && msg.from !== before.me?.id) {
          const text = msg.text.length > 80 ? `${msg.text.slice(0, 80)}…` : msg.text;
          notify({ text: t("toast.newMessage", { name: nameOf(msg), text }), action: { label: t("toolbar.chat"), intent: "open-chat" }, key: "chat" });
        }
        break;
      case "muted":
        media.setAudio(false);
        notify({ text: t("toast.muted"), key: "muted" });
        break;
      case "recording-status":
        // The indicator everyone sees while the room is recorded (room.css), and the embed event.
        document.body.dataset.recording = msg.recording ? "on" : "off";
        embed.emit("recording_status_change", { status: msg.recording ? "started" : "stopped" });
        break;
      case "camera-turned-off":
        media.setVideo(false);
        notify({ text: t("toast.cameraOff"), key: "camera-off" });
        break;
      case "removed":
        emitLeave(true, msg.reason === "meeting-ended");
        cleanup();
        break;
      case "room-full":
      case "knocking":
        embed.emit("knock");
        break;
      case "knock-rejected":
        cleanup();
        break;
      case "error":
        console.warn(`salon: the server refused ${msg.about ?? "a message"}: ${msg.code} ${msg.message ?? ""}`);
        // A signal refused because its peer just moved to another group is no news for the user.
        if (msg.code === "not_allowed" && state().phase === "room" && msg.about !== "signal") notify({ text: t("toast.notAllowed"), key: "error" });
        break;
      case "sfu-state":
        // The SFU failed over: the room stays, media comes back in a moment.
        store.dispatch({ type: "local/connection", status: msg.state === "reconnecting" ? "reconnecting" : "open" });
        mesh.handleSfu(msg);
        break;
      default:
        if (msg.type.startsWith("sfu-")) mesh.handleSfu(msg);
        break;
    }
  }

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
    cleanup();
    emitLeave(false);
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

  return { join, leave, knock, cancelKnock, sendMedia };
}
