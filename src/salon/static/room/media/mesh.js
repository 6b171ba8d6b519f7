/**
 * Peer-to-peer media for `media: "mesh"` rooms: one PeerLink per remote participant. No DOM.
 *
 *   signaling `signal` ─► handleSignal(from) ─► PeerLink ─► send(to) ─► signaling `signal`
 *   LocalMedia `track` ─► setLocalTrack(slot) ─► every PeerLink
 *
 * A viewer never adds a local track: its links get receive-only transceivers instead. Emits
 * `stream` / `stream-ended` ({participantId, kind, stream}) and `peer-state`
 * ({participantId, state}).
 */

import { PeerLink } from "./peer.js";

export class Mesh extends EventTarget {
  /**
   * @param {{sendSignal: (to: string, payload: import('./peer.js').SignalPayload) => boolean | void,
   *   RTCPeerConnection?: typeof RTCPeerConnection}} options
   */
  constructor({ sendSignal, RTCPeerConnection: PC = globalThis.RTCPeerConnection }) {
    super();
    this.sendSignal = sendSignal;
    this.PC = PC;
    /** participant id → RTCPeerConnection (exposed to tests as `salonRoom.peers`). */
    /** @type {Map<string, RTCPeerConnection>} */
    this.peers = new Map();
    /** @type {Map<string, PeerLink>} */
    this.links = new Map();
    /** @type {string | null} */
    this.selfId = null;
    this.viewer = false;
    /** @type {RTCIceServer[]} */
    this.iceServers = [];
    /** @type {Map<string, {track: MediaStreamTrack | null, stream: MediaStream | null}>} */
    this.local = new Map();
  }

  /**
   * Who I am, after `joined`. A new id (not a resume) closes every link first.
   * @param {string} id @param {{viewer: boolean, iceServers: RTCIceServer[]}} options
   */
  setSelf(id, { viewer, iceServers }) {
    if (this.selfId !== id || this.viewer !== viewer) this.closeAll();
    this.selfId = id;
    this.viewer = viewer;
    this.iceServers = iceServers;
  }

  /**
   * Make sure there is a link to a participant. `awaitOffer`: they are the newcomer, let them
   * offer first (see peer.js).
   * @param {string} remoteId @param {{awaitOffer?: boolean}} [options]
   */
  connect(remoteId, { awaitOffer = false } = {}) {
    const existing = this.links.get(remoteId);
    if (existing) return existing;
    if (!this.selfId || remoteId === this.selfId) return null;
    const link = new PeerLink({
      remoteId,
      polite: this.selfId < remoteId,
      iceServers: this.iceServers,
      receiveOnly: this.viewer,
      awaitOffer,
      send: (payload) => this.sendSignal(remoteId, payload),
      RTCPeerConnection: this.PC,
    });
    link.addEventListener("stream", (e) => this.#relay("stream", remoteId, /** @type {CustomEvent} */ (e).detail));
    link.addEventListener("stream-ended", (e) => this.#relay("stream-ended", remoteId, /** @type {CustomEvent} */ (e).detail));
    link.addEventListener("state", (e) => this.#relay("peer-state", remoteId, /** @type {CustomEvent} */ (e).detail));
    this.links.set(remoteId, link);
    this.peers.set(remoteId, link.pc);
    if (!this.viewer) {
      for (const slot of ["audio", "video", "screen"]) {
        const entry = this.local.get(slot);
        if (entry?.track) link.setTrack(/** @type {any} */ (slot), entry.track, entry.stream);
      }
    }
    link.negotiate(); // the first offer goes out now (unless the other side offers first)
    return link;
  }

  /** @param {string} type @param {string} participantId @param {object} detail */
  #relay(type, participantId, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail: { participantId, ...detail } }));
  }

  /** @param {string} remoteId */
  disconnect(remoteId) {
    this.links.get(remoteId)?.close();
    this.links.delete(remoteId);
    this.peers.delete(remoteId);
  }

  /** Keep links only to these participants (after a resume). @param {string[]} ids */
  keepOnly(ids) {
    const keep = new Set(ids);
    for (const id of [...this.links.keys()]) if (!keep.has(id)) this.disconnect(id);
  }

  closeAll() {
    for (const id of [...this.links.keys()]) this.disconnect(id);
  }

  /** A `signal` message from the server. @param {string} from @param {import('./peer.js').SignalPayload} payload */
  handleSignal(from, payload) {
    const link = this.connect(from, { awaitOffer: true }); // an offer may come before participant-joined
    return link?.receive(payload);
  }

  /**
   * Send a local track for a slot on every link, or stop sending it.
   * @param {'audio' | 'video' | 'screen'} slot @param {MediaStreamTrack | null} track @param {MediaStream | null} stream
   */
  setLocalTrack(slot, track, stream) {
    this.local.set(slot, { track, stream });
    if (this.viewer) return;
    for (const link of this.links.values()) link.setTrack(slot, track, stream);
  }

  /** Restart ICE on every link (this page's socket resumed: the protocol says it restarts). */
  restartIce() {
    for (const link of this.links.values()) link.restartIce();
  }

  /** A participant came back after a drop: resend an offer they may have missed. @param {string} remoteId */
  resync(remoteId) {
    this.links.get(remoteId)?.resendPendingOffer();
  }
}
