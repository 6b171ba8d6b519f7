/**
 * Media for `media: "sfu"` (group) rooms: one publishing and one subscribing RTCPeerConnection,
 * both to the SFU, negotiated through Salon's signaling (docs/signaling-protocol.md). No DOM.
 *
 *   local tracks ─► publisher PC ─offer─► `sfu-publish` ─► `sfu-published` (answer)
 *   `sfu-offer` (streams: mid → participant, camera | screen) ─► subscriber PC ─► `sfu-answer`
 *   `sfu-state` reconnecting ─► keep the last pictures, show the state; ready ─► both PCs afresh
 *
 * The camera goes out in three simulcast layers; `setView` says which videos are on screen and
 * the layer each needs (the tile's size decides, see main.js and paging.js): Salon receives only
 * those (`sfu-view`, sent after VIEW_DEBOUNCE_MS without change). The screen is a second
 * published video.
 * Emits `stream` / `stream-ended` ({participantId, kind, stream}), `peer-state`
 * ({participantId, state}) and `sfu-state` ({state}). `peers` maps each remote participant to a
 * view of its receivers (getReceivers, getStats), like the mesh's peer connections.
 */

import { sendOn } from "./peer.js";

/** Three VP8 layers, highest first (the order Janus reads the rids in). */
export const SIMULCAST = Object.freeze([
  { rid: "h", maxBitrate: 1_200_000 },
  { rid: "m", maxBitrate: 400_000, scaleResolutionDownBy: 2 },
  { rid: "l", maxBitrate: 120_000, scaleResolutionDownBy: 4 },
]);
/** The layer a receiver gets until it says otherwise. */
export const DEFAULT_QUALITY = 2;
/** A page turn or a resize settles this long before the SFU hears of it. */
export const VIEW_DEBOUNCE_MS = 150;

/**
 * A transceiver's `stopped` flag, which engines that still have it set once it stopped (the
 * standard dropped it for `currentDirection === "stopped"`, checked beside it).
 * @param {RTCRtpTransceiver} t
 */
const stopped = (t) => Boolean(/** @type {RTCRtpTransceiver & {stopped?: boolean}} */ (t).stopped);

/**
 * @typedef {{mid: string, participantId: string, kind: 'camera' | 'screen', media: 'audio' | 'video'}} StreamInfo
 * @typedef {(type: string, fields?: Record<string, unknown>) => boolean | void} Send
 */

export class SfuMedia extends EventTarget {
  /** @param {{send: Send, RTCPeerConnection?: typeof RTCPeerConnection}} options */
  constructor({ send, RTCPeerConnection: PC = globalThis.RTCPeerConnection }) {
    super();
    this.send = send;
    this.PC = PC;
    /** @type {RTCPeerConnection | null} */
    this.publisher = null;
    /** @type {RTCPeerConnection | null} */
    this.subscriber = null;
    /** @type {RTCIceServer[]} */
    this.iceServers = [];
    /** @type {RTCIceTransportPolicy} tests set "relay" to prove TURN */
    this.iceTransportPolicy = "all";
    this.viewer = false;
    this.active = false;
    /** @type {'connected' | 'reconnecting'} */
    this.state = "connected";
    /** @type {Map<string, {track: MediaStreamTrack | null, stream: MediaStream | null}>} */
    this.local = new Map();
    /** @type {Map<string, StreamInfo>} subscriber mid → what it carries */
    this.streams = new Map();
    /** @type {Map<string, {stream: MediaStream, key: string}>} "participant/kind" → shown stream */
    this.remote = new Map();
    /** @type {Map<string, any>} participant id → a view of its receivers (see peerView) */
    this.peers = new Map();
    /** @type {Map<string, number>} participant id → wanted simulcast layer */
    this.quality = new Map();
    /** Publisher negotiation: one offer at a time; a change meanwhile offers again after. */
    this.offering = false;
    this.offerAgain = false;
    /** Serialises subscriber offers. */
    this.queue = Promise.resolve();
    /** The number of my last publisher offer: an answer to an older one is stale. */
    this.publication = 0;
    /** The SFU's id of the subscription my receiving connection belongs to. @type {number | null} */
    this.subscription = null;
    /** The last `sfu-view` sent (JSON), and the one waiting for its debounce. */
    this.viewSent = "";
    /** @type {{videos: {participantId: string, kind: string, substream: number}[], pinned: string[]} | null} */
    this.view = null;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.viewTimer = null;
  }

  /** Start (or start over) after `joined`. @param {{viewer: boolean, iceServers: RTCIceServer[]}} options */
  start({ viewer, iceServers }) {
    this.viewer = viewer;
    this.iceServers = iceServers;
    this.active = true;
    this.#restart();
  }

  /** The socket resumed: keep the connections unless the publisher's answer was lost. */
  resumed() {
    if (this.publisher && this.publisher.signalingState !== "stable") this.#publish(true);
  }

  /** @param {{type: string, [field: string]: any}} msg an `sfu-*` message */
  handle(msg) {
    if (!this.active) return;
    if (msg.type === "sfu-published") {
      if (msg.publication === undefined || msg.publication === this.publication) this.#published(msg.description);
    }
    else if (msg.type === "sfu-offer") this.queue = this.queue.then(() => this.#subscribe(/** @type {any} */ (msg))).catch((e) => console.warn("salon: sfu offer failed", e));
    else if (msg.type === "sfu-state") this.#onState(msg.state);
  }

  /** @param {string} state */
  #onState(state) {
    if (state === "reconnecting") {
      this.state = "reconnecting";
      this.#closePcs(); // the last pictures stay on the tiles until new media flows
    } else if (state === "ready") {
      this.state = "connected";
      this.#restart();
    }
    this.dispatchEvent(new CustomEvent("sfu-state", { detail: { state: this.state } }));
  }

  #restart() {
    this.#closePcs();
    this.#newSubscriber(); // ready before the SFU's offer comes: its ICE candidates gather meanwhile
    if (!this.viewer) this.#publish(true);
    this.send("sfu-subscribe");
    this.viewSent = ""; // a new subscription on the SFU's side (or a new space): say it again
    if (this.view) this.#sendView();
  }

  #closePcs() {
    this.publisher?.close();
    this.subscriber?.close();
    this.publisher = null;
    this.subscriber = null;
    this.subscription = null;
    // An operation pending on a closed connection never settles (WebRTC's operations chain):
    // start a new queue rather than wait behind it.
    this.queue = Promise.resolve();
    this.offering = false;
    this.offerAgain = false;
  }

  // ---- publishing -----------------------------------------------------------------------------

  /** @param {number} [iceCandidatePoolSize] candidates gathered before any description */
  #newPc(iceCandidatePoolSize = 0) {
    return new this.PC({ iceServers: this.iceServers, iceTransportPolicy: this.iceTransportPolicy, iceCandidatePoolSize });
  }

  /** A new publisher connection (restart) or a new offer on the current one. @param {boolean} restart */
  async #publish(restart) {
    if (this.viewer || !this.active) return;
    if (restart) {
      this.publisher?.close();
      this.publisher = this.#newPc();
      this.offering = false;
      const pc = this.publisher;
      pc.onicecandidate = ({ candidate }) => {
        if (pc !== this.publisher) return;
        this.send("sfu-candidate", { target: "publisher", candidate: candidate ? candidate.toJSON() : null });
      };
      pc.onconnectionstatechange = () => {
        if (pc === this.publisher && pc.connectionState === "failed") this.#publish(true);
      };
      const camera = this.local.get("video")?.stream ?? this.local.get("audio")?.stream ?? new MediaStream();
      pc.addTransceiver(this.local.get("audio")?.track ?? "audio", { direction: "sendonly", streams: [camera] });
      pc.addTransceiver(this.local.get("video")?.track ?? "video", { direction: "sendonly", streams: [camera], sendEncodings: SIMULCAST.map((e) => ({ ...e })) });
      const screen = this.local.get("screen");
      if (screen?.track && screen.stream) pc.addTransceiver(screen.track, { direction: "sendonly", streams: [screen.stream] });
    }
    await this.#offer(restart);
  }

  /** @param {boolean} restart */
  async #offer(restart) {
    const pc = this.publisher;
    if (!pc) return;
    if (this.offering) {
      this.offerAgain = true;
      return;
    }
    this.offering = true;
    try {
      await pc.setLocalDescription(await pc.createOffer());
      if (pc !== this.publisher) return;
      const screenMid = this.#screenTransceiver()?.mid ?? null;
      const { sdp } = /** @type {RTCSessionDescription} */ (pc.localDescription);
      this.publication += 1;
      this.send("sfu-publish", { description: { type: "offer", sdp }, screenMid, restart, publication: this.publication });
    } catch (error) {
      this.offering = false;
      console.warn("salon: publish offer failed", error);
    }
  }

  /** @param {RTCSessionDescriptionInit} description */
  async #published(description) {
    const pc = this.publisher;
    if (!pc || pc.signalingState !== "have-local-offer") return;
    try {
      await pc.setRemoteDescription(description);
    } catch (error) {
      console.warn("salon: publish answer failed", error);
    }
    this.offering = false;
    if (this.offerAgain) {
      this.offerAgain = false;
      this.#offer(false);
    }
  }

  #screenTransceiver() {
    const track = this.local.get("screen")?.track;
    if (!track) return null;
    return this.publisher?.getTransceivers().find((t) => t.sender.track === track && !stopped(t)) ?? null;
  }

  /**
   * Send a local track for a slot, or stop sending it: camera and microphone swap in place, a
   * screen adds (or stops) a published stream and renegotiates.
   * @param {'audio' | 'video' | 'screen'} slot @param {MediaStreamTrack | null} track @param {MediaStream | null} stream
   */
  setLocalTrack(slot, track, stream) {
    const before = this.local.get(slot)?.track ?? null;
    this.local.set(slot, { track, stream });
    const pc = this.publisher;
    if (!pc || this.viewer) return;
    const transceivers = pc.getTransceivers().filter((t) => !stopped(t) && t.direction !== "stopped");
    if (slot === "screen") {
      const current = transceivers.find((t) => before !== null && t.sender.track === before);
      if (track && stream) {
        if (current) current.sender.replaceTrack(track).catch(() => {});
        else {
          pc.addTransceiver(track, { direction: "sendonly", streams: [stream] });
          this.#offer(false);
        }
      } else if (current) {
        current.stop();
        this.#offer(false);
      }
      return;
    }
    const [audio, video] = transceivers;
    const target = slot === "audio" ? audio : video;
    if (target) sendOn(target.sender, track).catch((error) => console.warn("salon: replaceTrack failed", error));
  }

  // ---- subscribing ----------------------------------------------------------------------------

  /** A receiving connection, for the next subscription (a new one gets a new connection). */
  #newSubscriber() {
    const pc = (this.subscriber = this.#newPc(1));
    pc.onicecandidate = ({ candidate }) => {
      if (pc !== this.subscriber) return;
      this.send("sfu-candidate", { target: "subscriber", candidate: candidate ? candidate.toJSON() : null });
    };
    pc.onconnectionstatechange = () => {
      if (pc !== this.subscriber) return;
      for (const id of this.peers.keys()) this.dispatchEvent(new CustomEvent("peer-state", { detail: { participantId: id, state: pc.connectionState } }));
      if (pc.connectionState === "failed") this.send("sfu-subscribe");
    };
    return pc;
  }

  /** @param {{subscription: number, description: RTCSessionDescriptionInit, streams: StreamInfo[]}} msg */
  async #subscribe(msg) {
    // Another subscription (the SFU started afresh): another connection. The one made before
    // the first offer (subscription still null) is kept for it.
    if (this.subscriber && this.subscription !== null && msg.subscription !== this.subscription) {
      this.subscriber.close();
      this.subscriber = null;
    }
    this.subscription = msg.subscription;
    const pc = this.subscriber ?? this.#newSubscriber();
    this.streams = new Map(msg.streams.map((s) => [s.mid, s]));
    await pc.setRemoteDescription(msg.description);
    await pc.setLocalDescription(await pc.createAnswer());
    if (pc !== this.subscriber) return;
    const { sdp } = /** @type {RTCSessionDescription} */ (pc.localDescription);
    this.send("sfu-answer", { description: { type: "answer", sdp }, subscription: msg.subscription });
    this.#assemble(pc);
    for (const [participantId, substream] of this.quality) this.send("sfu-quality", { participantId, substream });
  }

  /** Group the receiving tracks into one camera and one screen stream per participant. @param {RTCPeerConnection} pc */
  #assemble(pc) {
    /** @type {Map<string, MediaStreamTrack[]>} */
    const groups = new Map();
    /** @type {Map<string, RTCRtpReceiver[]>} */
    const receivers = new Map();
    for (const t of pc.getTransceivers()) {
      const info = t.mid === null ? undefined : this.streams.get(t.mid);
      if (!info || stopped(t) || t.currentDirection === "inactive") continue;
      const key = `${info.participantId}/${info.kind}`;
      groups.set(key, [...(groups.get(key) ?? []), t.receiver.track]);
      receivers.set(info.participantId, [...(receivers.get(info.participantId) ?? []), t.receiver]);
    }
    this.peers.clear();
    for (const [participantId, list] of receivers) this.peers.set(participantId, peerView(pc, list));
    for (const [key, shown] of [...this.remote]) {
      if (!groups.has(key)) this.#endRemote(key, shown.stream);
    }
    for (const [key, tracks] of groups) {
      const signature = tracks.map((track) => track.id).sort().join(",");
      if (this.remote.get(key)?.key === signature) continue;
      const [participantId, kind] = key.split("/");
      const stream = new MediaStream(tracks);
      this.remote.set(key, { stream, key: signature });
      this.dispatchEvent(new CustomEvent("stream", { detail: { participantId, kind, stream } }));
    }
  }

  /** @param {string} key @param {MediaStream} stream */
  #endRemote(key, stream) {
    this.remote.delete(key);
    const [participantId, kind] = key.split("/");
    this.dispatchEvent(new CustomEvent("stream-ended", { detail: { participantId, kind, stream } }));
  }

  /** Receive a participant's camera in layer 0 (small) … 2 (large). @param {string} participantId @param {number} substream */
  setQuality(participantId, substream) {
    if ((this.quality.get(participantId) ?? DEFAULT_QUALITY) === substream) return;
    this.quality.set(participantId, substream);
    if (this.subscription !== null) this.send("sfu-quality", { participantId, substream });
  }

  /**
   * The videos on screen, each with its layer, and whom I pinned: the SFU sends only these.
   * @param {{participantId: string, kind: string, substream: number}[]} videos @param {string[]} pinned
   */
  setView(videos, pinned) {
    this.view = { videos, pinned };
    if (JSON.stringify(this.view) === this.viewSent) {
      if (this.viewTimer !== null) clearTimeout(this.viewTimer);
      this.viewTimer = null;
      return;
    }
    if (this.viewTimer !== null) clearTimeout(this.viewTimer);
    this.viewTimer = setTimeout(() => this.#sendView(), VIEW_DEBOUNCE_MS);
  }

  #sendView() {
    if (this.viewTimer !== null) clearTimeout(this.viewTimer);
    this.viewTimer = null;
    if (!this.active || !this.view) return;
    const text = JSON.stringify(this.view);
    if (text === this.viewSent) return;
    if (this.send("sfu-view", this.view) !== false) this.viewSent = text;
  }

  /** Leaving, or joined anew: everything goes. */
  closeAll() {
    this.viewSent = "";
    this.view = null;
    if (this.viewTimer !== null) clearTimeout(this.viewTimer);
    this.viewTimer = null;
    this.active = false;
    this.#closePcs();
    for (const [key, shown] of [...this.remote]) this.#endRemote(key, shown.stream);
    this.peers.clear();
    this.quality.clear();
    this.streams.clear();
  }

  /** A participant left: their streams end now (the next offer confirms it). @param {string} participantId */
  forget(participantId) {
    for (const [key, shown] of [...this.remote]) if (key.startsWith(`${participantId}/`)) this.#endRemote(key, shown.stream);
    this.peers.delete(participantId);
    this.quality.delete(participantId);
  }
}

/**
 * One participant's receivers on the shared subscriber connection, shaped like a peer
 * connection for the code that reads levels and statistics per participant.
 * @param {RTCPeerConnection} pc @param {RTCRtpReceiver[]} receivers
 */
function peerView(pc, receivers) {
  return {
    getReceivers: () => receivers,
    getTransceivers: () => pc.getTransceivers().filter((t) => receivers.includes(t.receiver)),
    async getStats() {
      const merged = new Map();
      for (const receiver of receivers) (await receiver.getStats()).forEach((value, key) => merged.set(key, value));
      return merged;
    },
    get connectionState() { return pc.connectionState; },
    get iceConnectionState() { return pc.iceConnectionState; },
    get signalingState() { return pc.signalingState; },
    get iceGatheringState() { return pc.iceGatheringState; },
    get localDescription() { return pc.localDescription; },
    get remoteDescription() { return pc.remoteDescription; },
  };
}
