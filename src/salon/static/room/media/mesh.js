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
    /**
     * The newcomer's first link, made before `joined` (see `prepare`), with what it wanted to send
     * while it had nobody to send it to.
     * @type {{link: PeerLink, outbox: import('./peer.js').SignalPayload[]} | null}
     */
    this.prepared = null;
  }

  /**
   * Start the first link before knowing whom it links to: tracks added, offer made, candidates
   * gathering, while the socket opens and the join is answered. Setting the local offer is the
   * slow step of a link (hundreds of milliseconds on a busy machine); done now, the newcomer's
   * offer leaves the moment `joined` names the first participant. Made with no ICE servers: a
   * join answer that brings some (TURN credentials are per participant) discards it.
   * Only with a camera and a microphone track, so that the offer already carries both.
   */
  prepare() {
    if (this.prepared || this.selfId || !this.local.get("audio")?.track || !this.local.get("video")?.track) return;
    /** @type {import('./peer.js').SignalPayload[]} */
    const outbox = [];
    const link = new PeerLink({
      remoteId: "", polite: false, iceServers: [], receiveOnly: false,
      send: (payload) => void outbox.push(payload),
      RTCPeerConnection: this.PC,
    });
    for (const slot of ["audio", "video", "screen"]) {
      const entry = this.local.get(slot);
      if (entry?.track) link.setTrack(/** @type {any} */ (slot), entry.track, entry.stream);
    }
    link.negotiate();
    this.prepared = { link, outbox };
  }

  /** The prepared link, if it suits the link to `remoteId` (no ICE servers to use), else closed. */
  #takePrepared() {
    const prepared = this.prepared;
    this.prepared = null;
    if (!prepared) return null;
    if (this.viewer || this.iceServers.length > 0 || prepared.link.closed) {
      prepared.link.close();
      return null;
    }
    return prepared;
  }

  /** Drop the prepared link (nobody to link to, or the media goes another way). */
  dropPrepared() {
    this.prepared?.link.close();
    this.prepared = null;
  }

  /**
   * Who I am, after `joined`. A new id (not a resume) closes every link first.
   * @param {string} id @param {{viewer: boolean, iceServers: RTCIceServer[]}} options
   */
  setSelf(id, { viewer, iceServers }) {
    if (this.selfId !== id || this.viewer !== viewer) {
      for (const remoteId of [...this.links.keys()]) this.disconnect(remoteId);
      if (this.selfId !== null) this.dropPrepared(); // prepared for a first join only
    }
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
    const send = (/** @type {import('./peer.js').SignalPayload} */ payload) => this.sendSignal(remoteId, payload);
    const polite = this.selfId < remoteId;
    // The newcomer's first link (it offers, the other side awaits its offer) may be made already.
    const prepared = awaitOffer ? null : this.#takePrepared();
    const link = prepared?.link ?? new PeerLink({
      remoteId, polite, iceServers: this.iceServers, receiveOnly: this.viewer, awaitOffer, send, RTCPeerConnection: this.PC,
    });
    if (prepared) {
      link.adopt(remoteId, polite, send);
      for (const payload of prepared.outbox) send(payload);
    }
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
    this.dropPrepared();
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
