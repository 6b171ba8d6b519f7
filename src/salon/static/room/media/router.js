/**
 * The room's media, whichever way it travels: peer to peer (mesh.js) in `normal` rooms, through
 * the SFU (sfu.js) in `group` rooms. `joined.media` picks; the session talks to this one object
 * with the mesh's vocabulary, and `sfu-*` messages go to the SFU side. No DOM.
 *
 * `peers` is one Map for both (the mesh's peer connections, or the SFU's per-participant views),
 * so the code that reads levels and statistics does not care which.
 */

import { Mesh } from "./mesh.js";
import { SfuMedia } from "./sfu.js";

export class MediaRouter extends EventTarget {
  /**
   * @param {{send: (type: string, fields?: Record<string, unknown>) => boolean | void,
   *   RTCPeerConnection?: typeof RTCPeerConnection}} options
   */
  constructor({ send, RTCPeerConnection: PC = globalThis.RTCPeerConnection }) {
    super();
    this.mesh = new Mesh({ sendSignal: (to, payload) => send("signal", { to, ...payload }), RTCPeerConnection: PC });
    this.sfu = new SfuMedia({ send, RTCPeerConnection: PC });
    /** @type {'mesh' | 'sfu'} */
    this.mode = "mesh";
    /** @type {Map<string, any>} */
    this.peers = new Map();
    for (const source of [this.mesh, this.sfu]) {
      for (const type of ["stream", "stream-ended", "peer-state", "sfu-state"]) {
        source.addEventListener(type, (event) => {
          if ((source === this.sfu) !== (this.mode === "sfu")) return;
          this.#syncPeers();
          this.dispatchEvent(new CustomEvent(type, { detail: /** @type {CustomEvent} */ (event).detail }));
        });
      }
    }
  }

  #syncPeers() {
    const from = this.mode === "sfu" ? this.sfu.peers : this.mesh.peers;
    this.peers.clear();
    for (const [id, pc] of from) this.peers.set(id, pc);
  }

  /**
   * Who I am, after `joined`, and how media travels.
   * @param {string} id @param {{viewer: boolean, iceServers: RTCIceServer[], media?: string, resumed?: boolean}} options
   */
  setSelf(id, { viewer, iceServers, media = "mesh", resumed = false }) {
    const mode = media === "sfu" ? "sfu" : "mesh";
    if (mode !== this.mode) this.closeAll();
    this.mode = mode;
    if (mode === "mesh") {
      this.mesh.setSelf(id, { viewer, iceServers });
    } else if (resumed && this.sfu.active) {
      this.sfu.resumed();
    } else {
      this.sfu.closeAll();
      this.sfu.start({ viewer, iceServers });
    }
    this.#syncPeers();
  }

  /** @param {string} remoteId @param {{awaitOffer?: boolean}} [options] */
  connect(remoteId, options) {
    if (this.mode === "mesh") this.mesh.connect(remoteId, options);
    this.#syncPeers();
  }

  /** @param {string} remoteId */
  disconnect(remoteId) {
    if (this.mode === "mesh") this.mesh.disconnect(remoteId);
    else this.sfu.forget(remoteId);
    this.#syncPeers();
  }

  /** @param {string[]} ids */
  keepOnly(ids) {
    if (this.mode === "mesh") this.mesh.keepOnly(ids);
    this.#syncPeers();
  }

  closeAll() {
    this.mesh.closeAll();
    this.sfu.closeAll();
    this.#syncPeers();
  }

  /** @param {string} from @param {import('./peer.js').SignalPayload} payload */
  handleSignal(from, payload) {
    if (this.mode !== "mesh") return undefined;
    const done = this.mesh.handleSignal(from, payload);
    this.#syncPeers();
    return done;
  }

  /** @param {{type: string, [field: string]: any}} msg */
  handleSfu(msg) {
    if (this.mode === "sfu") this.sfu.handle(msg);
  }

  /** @param {'audio' | 'video' | 'screen'} slot @param {MediaStreamTrack | null} track @param {MediaStream | null} stream */
  setLocalTrack(slot, track, stream) {
    this.mesh.setLocalTrack(slot, track, stream);
    this.sfu.setLocalTrack(slot, track, stream);
  }

  restartIce() {
    if (this.mode === "mesh") this.mesh.restartIce();
  }

  /** @param {string} remoteId */
  resync(remoteId) {
    if (this.mode === "mesh") this.mesh.resync(remoteId);
  }

  /** Which simulcast layer to receive of a participant's camera (SFU only). @param {string} participantId @param {number} substream */
  setQuality(participantId, substream) {
    if (this.mode === "sfu") this.sfu.setQuality(participantId, substream);
  }
}
