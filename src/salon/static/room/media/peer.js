/**
 * One RTCPeerConnection to one remote participant, negotiated with perfect negotiation
 * (https://w3c.github.io/webrtc-pc/#perfect-negotiation-example). No DOM.
 *
 *   local tracks ─► negotiationneeded ─► offer ─► signal ─► remote
 *   remote ─► signal ─► description / candidate ─► (polite peer yields on a collision)
 *
 * The polite peer is the one whose participant id is lexicographically smaller. To keep the first
 * negotiation free of collisions, the side that learns of the other from `participant-joined`
 * waits a moment for the newcomer's offer (`awaitOffer`) before offering itself. Automatic ICE
 * restarts (a failed or stuck path) come from the impolite side only. Remote streams are
 * told apart by their tracks: the stream with an audio track is the camera, a video-only stream is
 * a screen (see local.js). Events: `stream` ({kind, stream}), `stream-ended` ({kind, stream}),
 * `state` ({state}) for the connection state.
 */

/** How long a `disconnected` ICE state may last before an ICE restart. */
const DISCONNECTED_GRACE_MS = 4000;
/** How long to wait for a newcomer's first offer before offering ourselves. */
const AWAIT_OFFER_MS = 3000;
/** How long ICE may stay `new` or `checking` once both descriptions are set. */
const STUCK_MS = 10_000;

/**
 * @typedef {{description?: RTCSessionDescriptionInit, candidate?: RTCIceCandidateInit | null}} SignalPayload
 * @typedef {(payload: SignalPayload) => boolean | void} SendSignal
 */

/**
 * Send `track` on `sender`, or nothing at all (null). After `replaceTrack(null)` Firefox goes on
 * sending a black frame a second; an inactive encoding sends nothing in every browser, so the
 * encodings are switched off with the track, and on again with the next one.
 * @param {RTCRtpSender} sender @param {MediaStreamTrack | null} track
 */
export async function sendOn(sender, track) {
  await sender.replaceTrack(track);
  const parameters = sender.getParameters();
  const active = track !== null;
  if (!parameters.encodings?.length || parameters.encodings.every((e) => (e.active ?? true) === active)) return;
  for (const encoding of parameters.encodings) encoding.active = active;
  await sender.setParameters(parameters);
}

export class PeerLink extends EventTarget {
  /**
   * @param {{remoteId: string, polite: boolean, iceServers: RTCIceServer[], send: SendSignal,
   *   receiveOnly: boolean, awaitOffer?: boolean, RTCPeerConnection?: typeof RTCPeerConnection}} options
   */
  constructor({ remoteId, polite, iceServers, send, receiveOnly, awaitOffer = false, RTCPeerConnection: PC = globalThis.RTCPeerConnection }) {
    super();
    this.remoteId = remoteId;
    this.polite = polite;
    this.send = send;
    // Candidates gather from now on, not only once a description is set (the side that waits
    // for the newcomer's offer has them ready when it answers).
    this.pc = new PC({ iceServers, iceCandidatePoolSize: 1 });
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.closed = false;
    /** @type {Map<string, RTCRtpSender>} slot → sender */
    this.senders = new Map();
    /** @type {Map<string, {kind: 'camera' | 'screen', stream: MediaStream}>} stream id → remote stream */
    this.remote = new Map();
    this.receiveOnly = receiveOnly;
    /** @type {any} */
    this.disconnectTimer = null;
    /** @type {any} */
    this.stuckTimer = null;
    /** While true, negotiationneeded is noted, not acted on: the remote side offers first. */
    this.awaitingOffer = awaitOffer;
    this.deferredOffer = false;
    /** @type {any} */
    this.awaitTimer = awaitOffer ? setTimeout(() => this.#stopAwaiting(), AWAIT_OFFER_MS) : null;
    /** Serialises incoming descriptions and candidates, so they apply in arrival order. */
    this.queue = Promise.resolve();

    if (receiveOnly && !awaitOffer) this.#addReceivers();
    this.pc.onnegotiationneeded = () => {
      if (this.awaitingOffer) this.deferredOffer = true;
      else if (!this.makingOffer && this.pc.signalingState === "stable") this.#offer();
      // else: an offer is under way (see `negotiate`); once it is answered the browser checks
      // again and fires another negotiationneeded if something is still left out.
    };
    this.pc.onicecandidate = ({ candidate }) => {
      if (!candidate) return void this.send({ candidate: null });
      const { candidate: line, sdpMid, sdpMLineIndex } = candidate;
      this.send({ candidate: { candidate: line, sdpMid, sdpMLineIndex } });
    };
    this.pc.ontrack = (event) => this.#onTrack(event);
    this.pc.oniceconnectionstatechange = () => this.#onIceState();
    this.pc.onconnectionstatechange = () => {
      this.dispatchEvent(new CustomEvent("state", { detail: { state: this.pc.connectionState } }));
    };
  }

  /** A viewer sends nothing, but still wants both kinds of media. */
  #addReceivers() {
    this.pc.addTransceiver("audio", { direction: "recvonly" });
    this.pc.addTransceiver("video", { direction: "recvonly" });
  }

  /** No offer came (or it came and was answered): offer now if anything is left to negotiate. */
  #stopAwaiting() {
    if (!this.awaitingOffer || this.closed) return;
    this.awaitingOffer = false;
    clearTimeout(this.awaitTimer);
    if (this.receiveOnly && this.pc.getTransceivers().length === 0) this.#addReceivers(); // fires negotiationneeded
    else if (this.deferredOffer && this.#needsOffer()) this.#offer();
  }

  /** Is there a local track or transceiver the current descriptions do not carry? */
  #needsOffer() {
    return this.pc.getTransceivers().some((t) => {
      if (t.currentDirection === "stopped" || t.direction === "stopped") return false;
      if (t.mid === null) return true;
      return t.sender.track !== null && t.currentDirection !== "sendrecv" && t.currentDirection !== "sendonly";
    });
  }

  /**
   * Offer now what the connection carries, rather than when negotiationneeded comes: that event
   * is a task of its own, queued behind whatever the page does after `joined` (the room's first
   * render), and a newcomer's first offer is on the critical path of its first frame.
   */
  negotiate() {
    if (this.awaitingOffer || this.closed || this.makingOffer || this.pc.signalingState !== "stable") return;
    if (this.pc.getTransceivers().length === 0) return;
    this.#offer();
  }

  async #offer() {
    if (this.closed) return;
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      const { type, sdp } = /** @type {RTCSessionDescription} */ (this.pc.localDescription);
      this.send({ description: { type, sdp } });
    } catch (error) {
      console.warn("salon: offer failed", this.remoteId, error);
    } finally {
      this.makingOffer = false;
    }
  }

  /** A `signal` from the remote participant. @param {SignalPayload} payload */
  receive(payload) {
    this.queue = this.queue.then(() => this.#apply(payload)).catch((error) => console.warn("salon: signal failed", this.remoteId, error));
    return this.queue;
  }

  /** @param {SignalPayload} payload */
  async #apply({ description, candidate }) {
    if (this.closed) return;
    const pc = this.pc;
    if (description) {
      const collision = description.type === "offer" && (this.makingOffer || pc.signalingState !== "stable");
      this.ignoreOffer = !this.polite && collision;
      if (this.ignoreOffer) return;
      await pc.setRemoteDescription(description); // rolls back our own offer when polite
      if (description.type === "offer") {
        await pc.setLocalDescription();
        const { type, sdp } = /** @type {RTCSessionDescription} */ (pc.localDescription);
        this.send({ description: { type, sdp } });
        this.#stopAwaiting();
      }
      this.#watchStuck();
    } else if (candidate !== undefined) {
      try {
        await pc.addIceCandidate(candidate ?? { candidate: "" });
      } catch (error) {
        if (!this.ignoreOffer && candidate) throw error;
      }
    }
  }

  /**
   * Send `track` for a slot (replacing what was sent), or stop sending it (null).
   * @param {'audio' | 'video' | 'screen'} slot @param {MediaStreamTrack | null} track @param {MediaStream | null} stream
   */
  setTrack(slot, track, stream) {
    if (this.closed) return;
    const sender = this.senders.get(slot);
    if (sender && track && sender.track !== track) {
      sendOn(sender, track).catch((error) => console.warn("salon: replaceTrack failed", error));
    } else if (!sender && track && stream) {
      this.senders.set(slot, this.pc.addTrack(track, stream));
    } else if (sender && !track) {
      if (slot === "screen") {
        // Stop the screen's transceiver: its m-line is closed on both sides (renegotiated), and
        // the remote track ends.
        const transceiver = this.pc.getTransceivers().find((t) => t.sender === sender);
        if (transceiver && typeof transceiver.stop === "function") transceiver.stop();
        else this.pc.removeTrack(sender);
        this.senders.delete(slot);
      } else {
        sendOn(sender, null).catch(() => {}); // camera off: keep the m-line, send nothing
      }
    }
  }

  /** Resend an offer that may have been lost while the socket was away. */
  resendPendingOffer() {
    const pc = this.pc;
    if (this.closed || pc.signalingState !== "have-local-offer" || !pc.localDescription) return;
    const { type, sdp } = pc.localDescription;
    this.send({ description: { type, sdp } });
  }

  /** Restart ICE (after a resume, or when the path failed). */
  restartIce() {
    if (this.closed) return;
    this.awaitingOffer = false;
    this.resendPendingOffer();
    this.pc.restartIce();
  }

  /** Both descriptions are set: ICE should connect soon; if it does not, the impolite side restarts it. */
  #watchStuck() {
    clearTimeout(this.stuckTimer);
    if (this.polite || this.pc.signalingState !== "stable") return;
    this.stuckTimer = setTimeout(() => {
      const state = this.pc.iceConnectionState;
      if (state === "new" || state === "checking") this.restartIce();
    }, STUCK_MS);
  }

  #onIceState() {
    const state = this.pc.iceConnectionState;
    clearTimeout(this.disconnectTimer);
    if (state === "connected" || state === "completed") clearTimeout(this.stuckTimer);
    if (this.polite) return; // one side restarts, so two restarts never collide
    if (state === "failed") this.restartIce();
    else if (state === "disconnected") {
      this.disconnectTimer = setTimeout(() => {
        if (this.pc.iceConnectionState === "disconnected") this.restartIce();
      }, DISCONNECTED_GRACE_MS);
    }
  }

  /** @param {RTCTrackEvent} event */
  #onTrack({ track, streams }) {
    const stream = streams[0] ?? new MediaStream([track]);
    const known = this.remote.get(stream.id);
    const kind = known?.kind === "camera" || stream.getAudioTracks().length > 0 ? "camera" : "screen";
    if (known && known.kind === kind) return;
    this.remote.set(stream.id, { kind, stream });
    if (!known) {
      stream.addEventListener("removetrack", () => {
        if (stream.getTracks().length === 0) this.#endStream(stream.id);
      });
      track.addEventListener("ended", () => {
        if (stream.getTracks().every((t) => t.readyState === "ended")) this.#endStream(stream.id);
      });
    }
    this.dispatchEvent(new CustomEvent("stream", { detail: { kind, stream } }));
  }

  /** @param {string} id */
  #endStream(id) {
    const entry = this.remote.get(id);
    if (!entry) return;
    this.remote.delete(id);
    this.dispatchEvent(new CustomEvent("stream-ended", { detail: entry }));
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.disconnectTimer);
    clearTimeout(this.stuckTimer);
    clearTimeout(this.awaitTimer);
    for (const id of [...this.remote.keys()]) this.#endStream(id);
    this.pc.close();
  }
}
