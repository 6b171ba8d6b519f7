/**
 * My media links: peer to peer or through the SFU (media/router.js), to exactly the people of
 * my space (my breakout group, or the main room), and the `media` message that tells the room
 * my microphone, camera and screen state.
 */

import { inMySpace, sameSpace } from "../breakout.js";

/**
 * @param {{store: import('../state.js').RoomStore, mesh: import('../media/router.js').MediaRouter,
 *   media: import('../media/local.js').LocalMedia, signaling: import('../signaling.js').SignalingClient}} deps
 */
export function createLinks({ store, mesh, media, signaling }) {
  const state = () => store.getState();
  /** @type {string | null} */
  let lastMediaSent = null;

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

  /** The links and the devices stop: the room is over for this page. */
  function cleanup() {
    mesh.closeAll();
    media.stop();
  }

  return { localMedia, sendMedia, nearMe, followGroups, link, cleanup };
}

/** @typedef {ReturnType<typeof createLinks>} Links */
