/**
 * Who is speaking: for `highlightActiveSpeaker` and for the Picture-in-Picture window, which
 * follows the active speaker. No DOM.
 *
 * Remote levels come from each peer connection's audio receiver
 * (`getSynchronizationSources().audioLevel`, 0…1, no AudioContext needed); my own from the level
 * meter of media/level.js. A SpeakerTracker (pure) turns the levels into who speaks now (or
 * null in silence); the watcher adds `lastSpeaker`, the other participant who spoke last (kept
 * through silences: the Picture-in-Picture window shows them).
 */

import { watchLevel } from "./level.js";

/** An audio level (0…1, linear) above this is speech rather than room noise. */
export const SPEAKING_LEVEL = 0.02;
/** A speaker keeps the floor this long after going quiet, or while nobody is clearly louder. */
export const HOLD_MS = 800;
const POLL_MS = 200;

export class SpeakerTracker {
  /** @type {string | null} */ speaking = null;
  /** @type {number | null} */ #quietSince = null;

  /**
   * @param {Map<string, number>} levels participant id → level now
   * @param {number} now epoch ms
   * @returns {string | null} who speaks now
   */
  update(levels, now) {
    let loudest = null;
    let loudestLevel = SPEAKING_LEVEL;
    for (const [id, level] of levels) {
      if (level > loudestLevel) {
        loudest = id;
        loudestLevel = level;
      }
    }
    const current = this.speaking;
    const currentLevel = current === null ? 0 : (levels.get(current) ?? 0);
    if (current === null || currentLevel > SPEAKING_LEVEL) this.#quietSince = null;
    else this.#quietSince ??= now;
    const currentHolds = current !== null && levels.has(current) && (this.#quietSince === null || now - this.#quietSince < HOLD_MS);
    // Someone else takes the floor when clearly louder (half again) or when the floor is free.
    if (loudest !== null && loudest !== current && (!currentHolds || loudestLevel > currentLevel * 1.5)) {
      this.speaking = loudest;
      this.#quietSince = null;
    } else if (!currentHolds) {
      this.speaking = null;
    }
    return this.speaking;
  }
}

/** The loudest audio receiver of a peer connection. @param {RTCPeerConnection} pc */
function receiverLevel(pc) {
  let level = 0;
  for (const receiver of pc.getReceivers()) {
    if (receiver.track?.kind !== "audio" || typeof receiver.getSynchronizationSources !== "function") continue;
    for (const source of receiver.getSynchronizationSources()) level = Math.max(level, source.audioLevel ?? 0);
  }
  return level;
}

/**
 * Poll the levels while the room is on screen. Returns a function that stops.
 * @param {{peers: Map<string, RTCPeerConnection>, selfId: () => string | null,
 *   micTrack: () => MediaStreamTrack | null, micOn: () => boolean,
 *   onChange: (who: {speaking: string | null, lastSpeaker: string | null}) => void}} options
 */
export function watchSpeakers({ peers, selfId, micTrack, micOn, onChange }) {
  const tracker = new SpeakerTracker();
  let mine = 0;
  /** @type {string | null} */ let lastSpeaker = null;
  /** @type {MediaStreamTrack | null} */ let metered = null;
  /** @type {(() => void) | null} */ let stopMeter = null;
  let last = "";
  const timer = setInterval(() => {
    const track = micTrack();
    if (track !== metered) {
      stopMeter?.();
      stopMeter = null;
      metered = track;
      mine = 0;
      // level.js scales RMS by 4 for its meter; a quarter of it compares with audioLevel.
      if (track && typeof AudioContext !== "undefined") stopMeter = watchLevel(track, (level) => (mine = level / 4));
    }
    /** @type {Map<string, number>} */
    const levels = new Map();
    for (const [id, pc] of peers) levels.set(id, receiverLevel(pc));
    const me = selfId();
    if (me) levels.set(me, micOn() ? mine : 0);
    const speaking = tracker.update(levels, Date.now());
    if (speaking !== null && speaking !== me) lastSpeaker = speaking;
    if (lastSpeaker !== null && !peers.has(lastSpeaker)) lastSpeaker = null;
    const key = `${speaking}|${lastSpeaker}`;
    if (key !== last) {
      last = key;
      onChange({ speaking, lastSpeaker });
    }
  }, POLL_MS);
  return () => {
    clearInterval(timer);
    stopMeter?.();
  };
}
