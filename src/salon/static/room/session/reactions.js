/**
 * What a server message does beyond the room state (state/server.js has that part): media links,
 * devices, toasts and the embedding page's events. One reaction per message type; session.js
 * runs the reducer, then the reaction, for every message it receives.
 *
 * A reaction gets the message and the state from before it.
 */

import { groupOf } from "../breakout.js";
import { t } from "../i18n.js";
import { nameOf } from "../names.js";
import { hasHostRole } from "../state.js";
import { lookup } from "../store.js";
import { streamingReactions } from "../streaming.js";
import { transcriptionReactions } from "../captions.js";

/**
 * @typedef {import('../state.js').RoomState} RoomState
 * @typedef {(msg: {type: string, [field: string]: any}, before: RoomState) => void} Reaction
 * @typedef {{text: string, action?: {label: string, intent: string, detail?: Record<string, unknown>}, key?: string}} Toast
 * @typedef {{store: import('../state.js').RoomStore,
 *   signaling: import('../signaling.js').SignalingClient, mesh: import('../media/router.js').MediaRouter,
 *   media: import('../media/local.js').LocalMedia, params: import('../params.js').RoomParams,
 *   embed: ReturnType<typeof import('../embed.js').createEmbedBridge>,
 *   notify: (toast: Toast) => void, devicesReady: () => Promise<void> | null,
 *   links: import('./links.js').Links, page: import('./page-events.js').PageEvents,
 *   knock: () => void}} ReactionDeps
 */

/** Joining, my devices and my links. @param {ReactionDeps} deps @returns {Record<string, Reaction>} */
function linkReactions({ store, signaling, mesh, media, params, embed, notify, devicesReady, links, page, knock }) {
  const state = () => store.getState();
  return {
    joined: (msg) => {
      if (msg.role === "viewer") {
        media.stop();
        links.link(msg);
      } else {
        // Joined while the devices were still starting (an automatic join does not wait for
        // them): the links start once they are ready, so that the first offer carries the
        // camera and the microphone and no renegotiation follows.
        const linkMedia = () => {
          if (state().me?.id !== msg.participantId || state().phase !== "room") return;
          media.ensureAudioTrack(); // e.g. a viewer key outside its time window: a visitor after all
          links.link(msg);
        };
        // Ready already: link now, so that the first offer is under way before the room's
        // first render (a microtask queued by the dispatch before this reaction).
        const starting = devicesReady();
        if (starting) starting.catch(() => {}).then(linkMedia);
        else linkMedia();
      }
      if (!msg.resumed) {
        embed.emit("join");
        if (params.autoSpotlight && hasHostRole(msg.role)) signaling.send("spotlight", { participantId: msg.participantId });
      }
      page.emitCount();
      if (state().knocks.length > 0) page.openPeople();
    },
    "room-locked": (_msg, before) => {
      if (before.phase === "room") mesh.closeAll();
      if (before.knock.status !== "idle") knock(); // reconnecting to a locked room knocks again
    },
    signal: (msg) => {
      // The server relays nothing across groups; one sent just before a move is stale.
      if (!links.nearMe(msg.from)) return;
      mesh.handleSignal(msg.from, "description" in msg ? { description: msg.description } : { candidate: msg.candidate ?? null });
    },
    "participant-updated": (msg, before) => {
      const was = before.participants.find((p) => p.id === msg.participant.id);
      // They resumed and restart ICE themselves; an offer of ours may have been lost meanwhile.
      if (was?.reconnecting && !msg.participant.reconnecting) mesh.resync(msg.participant.id);
    },
    muted: () => {
      media.setAudio(false);
      notify({ text: t("toast.muted"), key: "muted" });
    },
    "camera-turned-off": () => {
      media.setVideo(false);
      notify({ text: t("toast.cameraOff"), key: "camera-off" });
    },
    "sfu-state": (msg) => {
      // The SFU failed over: the room stays, media comes back in a moment.
      store.dispatch({ type: "local/connection", status: msg.state === "reconnecting" ? "reconnecting" : "open" });
      mesh.handleSfu(msg);
    },
  };
}

/** Who comes, goes, knocks and writes. @param {ReactionDeps} deps @returns {Record<string, Reaction>} */
function peopleReactions({ mesh, notify, links, page }) {
  return {
    "participant-joined": (msg) => {
      if (links.nearMe(msg.participant.id)) mesh.connect(msg.participant.id, { awaitOffer: true }); // the newcomer offers first
      notify({ text: t("toast.joined", { name: nameOf(msg.participant) }) });
      page.emitParticipant("participant_join", msg);
    },
    "participant-left": (msg, before) => {
      const gone = before.participants.find((p) => p.id === msg.participantId);
      mesh.disconnect(msg.participantId);
      if (!gone) return;
      notify({ text: t("toast.left", { name: nameOf(gone) }) });
      page.emitParticipant("participant_leave", { participant: gone });
    },
    knocks: (msg, before) => {
      // Someone new waits for an answer: hosts see the list in the people panel straight away,
      // and one toast (however many knock at once) names the latest.
      const known = new Set(before.knocks.map((k) => k.id));
      const fresh = msg.knocks.filter((/** @type {{id: string}} */ k) => !known.has(k.id));
      if (fresh.length === 0) return;
      page.openPeople();
      notify({
        text: t("toast.knock", { name: nameOf(fresh[fresh.length - 1]) }),
        action: { label: t("toast.knockOpen"), intent: "open-people" },
        key: "knock",
      });
    },
    chat: (msg, before) => {
      if (msg.broadcast === true && msg.from !== before.me?.id) {
        // A host's message to every group: everyone should see it, chat open or not.
        notify({ text: t("breakout.toast.broadcast", { name: nameOf(msg), text: msg.text }), key: "broadcast" });
      } else if (before.panel !== "chat" && msg.from !== before.me?.id) {
        const text = msg.text.length > 80 ? `${msg.text.slice(0, 80)}…` : msg.text;
        notify({ text: t("toast.newMessage", { name: nameOf(msg), text }), action: { label: t("toolbar.chat"), intent: "open-chat" }, key: "chat" });
      }
    },
  };
}

/**
 * The toast for a breakout session that started, ended or moved me, or null. Pure.
 * @param {import('../breakout.js').Breakout | null} was @param {import('../breakout.js').Breakout | null} now
 * @param {string | undefined} myId
 */
export function groupChangeText(was, now, myId) {
  const group = groupOf(now, myId);
  if (was && !now) return t("breakout.toast.ended");
  if (now && group !== null && groupOf(was, myId) !== group) return t("breakout.toast.movedTo", { group: now.groups[group] });
  if (now && !was) return now.allowChoose ? t("breakout.toast.startedChoose") : t("breakout.toast.started");
  if (now && group === null && groupOf(was, myId) !== null) return t("breakout.toast.mainRoom");
  return null;
}

/** The room's settings, its recording, and what the server refused. @param {ReactionDeps} deps @returns {Record<string, Reaction>} */
function roomReactions({ store, embed, notify, links }) {
  const state = () => store.getState();
  return {
    "room-updated": (msg, before) => {
      if (before.room && before.room.locked !== msg.room.locked) notify({ text: msg.room.locked ? t("toast.locked") : t("toast.unlocked"), key: "lock" });
      if (before.room && msg.room.spotlight && before.room.spotlight !== msg.room.spotlight) {
        const who = msg.room.spotlight === before.me?.id ? before.me : before.participants.find((p) => p.id === msg.room.spotlight);
        if (who) notify({ text: t("toast.spotlight", { name: nameOf(who) }), key: "spotlight" });
      }
      const was = before.room?.breakout ?? null;
      const now = state().room?.breakout ?? null;
      if (JSON.stringify(was) === JSON.stringify(now)) return;
      links.followGroups();
      const text = groupChangeText(was, now, state().me?.id);
      if (text) notify({ text, key: "breakout" });
    },
    "recording-status": (msg) => {
      // The indicator everyone sees while the room is recorded (room.css), and the embed event.
      document.body.dataset.recording = msg.recording ? "on" : "off";
      embed.emit("recording_status_change", { status: msg.recording ? "started" : "stopped" });
    },
    error: (msg) => {
      console.warn(`salon: the server refused ${msg.about ?? "a message"}: ${msg.code} ${msg.message ?? ""}`);
      // A signal refused because its peer just moved to another group is no news for the user.
      if (msg.code === "not_allowed" && state().phase === "room" && msg.about !== "signal") notify({ text: t("toast.notAllowed"), key: "error" });
    },
  };
}

/** The room refused me or ended for me. @param {ReactionDeps} deps @returns {Record<string, Reaction>} */
function endReactions({ embed, links, page }) {
  return {
    removed: (msg) => {
      page.emitLeave(true, msg.reason === "meeting-ended");
      links.cleanup();
    },
    "room-full": () => embed.emit("knock"),
    knocking: () => embed.emit("knock"),
    "knock-rejected": () => links.cleanup(),
  };
}

/**
 * Every reaction, by message type.
 * @param {ReactionDeps} deps @returns {Record<string, Reaction>}
 */
export function createReactions(deps) {
  return { ...linkReactions(deps), ...peopleReactions(deps), ...roomReactions(deps), ...endReactions(deps), ...streamingReactions(deps), ...transcriptionReactions(deps) };
}

/**
 * The reaction to a message type, if any: the SFU's messages (`sfu-…`) without one of their own
 * go to the media router.
 * @param {Record<string, Reaction>} reactions @param {string} type @param {import('../media/router.js').MediaRouter} mesh
 * @returns {Reaction | undefined}
 */
export function reactionFor(reactions, type, mesh) {
  return lookup(reactions, type) ?? (type.startsWith("sfu-") ? (msg) => mesh.handleSfu(msg) : undefined);
}
