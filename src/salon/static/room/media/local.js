/**
 * The local camera, microphone and screen. No DOM.
 *
 * One MediaStream `camera` carries the microphone track and, while the camera is on, the camera
 * track; the screen is a second stream. Remote peers tell the two apart by that: the camera
 * stream always has an audio track (a silent one when there is no microphone), the screen stream
 * never has. Turning the camera off stops its track (the camera light goes off); turning the
 * microphone off disables its track (unmuting is instant).
 *
 * Emits `track` ({slot: 'audio' | 'video' | 'screen', track, stream}) whenever the track to send
 * for a slot changes, and `change` whenever anything a view shows changes.
 *
 * Options from the room URL: `aec=off` and `agc=off` turn off echo cancellation and automatic gain
 * control (and the browser's noise suppression, which needs both); `lowData` asks the camera for
 * 360p at 15 fps instead of 720p (also switchable later with `setLowData`).
 */

/** Camera constraints: normal, and low-data mode. */
const VIDEO_NORMAL = { width: { ideal: 1280 }, height: { ideal: 720 } };
const VIDEO_LOW = { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 15, max: 15 } };

/** @typedef {'audio' | 'video' | 'screen'} Slot */
/** @typedef {'denied' | 'missing' | 'busy' | 'failed' | null} DeviceProblem */

/** @param {unknown} error @returns {DeviceProblem} */
function problemOf(error) {
  const name = /** @type {{name?: string}} */ (error)?.name;
  if (name === "NotAllowedError" || name === "SecurityError") return "denied";
  if (name === "NotFoundError" || name === "OverconstrainedError") return "missing";
  if (name === "NotReadableError" || name === "AbortError") return "busy";
  return "failed";
}

/** A silent audio track, so the camera stream always has audio (see above). */
function silentTrack() {
  const context = new AudioContext();
  const destination = context.createMediaStreamDestination();
  const [track] = destination.stream.getAudioTracks();
  return track;
}

export class LocalMedia extends EventTarget {
  /**
   * @param {{mediaDevices?: MediaDevices, echoCancellation?: boolean, autoGainControl?: boolean,
   *   lowData?: boolean}} [options]
   */
  constructor({ mediaDevices = globalThis.navigator?.mediaDevices, echoCancellation = true, autoGainControl = true, lowData = false } = {}) {
    super();
    this.mediaDevices = mediaDevices;
    /** Audio processing asked of the microphone. */
    this.processing = { echoCancellation, autoGainControl, noiseSuppression: echoCancellation && autoGainControl };
    /** Low-data mode: a smaller, slower camera. */
    this.lowData = lowData;
    /** The stream peers receive as this participant's camera and microphone. */
    this.camera = new MediaStream();
    /** @type {MediaStream | null} */
    this.screen = null;
    this.audioOn = false;
    this.videoOn = false;
    /** True while the audio track is the silent stand-in. */
    this.micMissing = false;
    /** @type {{audio: DeviceProblem, video: DeviceProblem}} */
    this.problems = { audio: null, video: null };
    /** @type {{audio: string | null, video: string | null}} */
    this.chosen = { audio: null, video: null };
    /** @type {MediaDeviceInfo[]} */
    this.devices = [];
    this.stopped = false;
    mediaDevices?.addEventListener?.("devicechange", () => this.refreshDevices());
  }

  get canShareScreen() {
    return typeof this.mediaDevices?.getDisplayMedia === "function";
  }

  /** The track currently sent for a slot. @param {Slot} slot */
  track(slot) {
    if (slot === "screen") return this.screen?.getVideoTracks()[0] ?? null;
    return (slot === "audio" ? this.camera.getAudioTracks() : this.camera.getVideoTracks())[0] ?? null;
  }

  /**
   * Ask for the devices (one permission prompt for both when possible).
   * @param {{audio: boolean, video: boolean}} wanted initial on/off state
   */
  async start({ audio, video }) {
    this.stopped = false;
    let stream = null;
    try {
      stream = await this.#get({ audio: true, video });
    } catch (error) {
      // Find out which device failed: try them one by one.
      this.problems.audio = await this.#tryAlone("audio");
      if (video) this.problems.video = await this.#tryAlone("video");
      if (!this.problems.audio && !this.problems.video) this.problems.audio = problemOf(error);
    }
    if (stream) for (const track of stream.getTracks()) this.#put(track.kind === "audio" ? "audio" : "video", track);
    if (!this.track("audio")) this.#useSilence();
    this.audioOn = audio && !this.micMissing;
    const mic = this.track("audio");
    if (mic) mic.enabled = this.audioOn;
    this.videoOn = video && Boolean(this.track("video"));
    this.#changed(); // the tracks are in: the room may send them without waiting for the lists
    await this.refreshDevices();
    this.#changed();
  }

  /** @param {'audio' | 'video'} kind @returns {Promise<DeviceProblem>} */
  async #tryAlone(kind) {
    try {
      const stream = await this.#get({ audio: kind === "audio", video: kind === "video" });
      for (const track of stream.getTracks()) this.#put(kind, track);
      return null;
    } catch (error) {
      return problemOf(error);
    }
  }

  /** @param {{audio: boolean, video: boolean}} kinds */
  #get({ audio, video }) {
    const constraints = {
      audio: audio ? { ...(this.chosen.audio ? { deviceId: { exact: this.chosen.audio } } : {}), ...this.processing } : false,
      video: video ? { ...(this.chosen.video ? { deviceId: { exact: this.chosen.video } } : {}), ...(this.lowData ? VIDEO_LOW : VIDEO_NORMAL) } : false,
    };
    return /** @type {MediaDevices} */ (this.mediaDevices).getUserMedia(constraints);
  }

  /** Replace the track of a camera-stream slot and tell the peers. @param {'audio' | 'video'} slot @param {MediaStreamTrack | null} track */
  #put(slot, track) {
    const old = this.track(slot);
    if (old === track) return;
    if (old) {
      old.stop();
      this.camera.removeTrack(old);
    }
    if (track) this.camera.addTrack(track);
    if (slot === "audio") this.micMissing = false;
    this.dispatchEvent(new CustomEvent("track", { detail: { slot, track, stream: this.camera } }));
  }

  #useSilence() {
    this.#put("audio", silentTrack());
    this.micMissing = true;
  }

  /** Make sure the camera stream has an audio track (a silent one until the microphone is asked for). */
  ensureAudioTrack() {
    if (!this.track("audio")) this.#useSilence();
  }

  /** Microphone on or off; on asks for the device again when there was none. @param {boolean} on */
  async setAudio(on) {
    if (on && (this.micMissing || !this.track("audio"))) {
      this.problems.audio = await this.#tryAlone("audio");
      if (this.problems.audio) {
        this.#useSilence();
        this.#changed();
        return false;
      }
    }
    const mic = this.track("audio");
    if (mic) mic.enabled = on;
    this.audioOn = on && !this.micMissing;
    this.#changed();
    return this.audioOn;
  }

  /** Camera on (asks for it) or off (stops it). @param {boolean} on */
  async setVideo(on) {
    if (on && !this.track("video")) {
      this.problems.video = await this.#tryAlone("video");
      if (this.stopped) this.track("video")?.stop();
    } else if (!on) {
      this.#put("video", null);
    }
    this.videoOn = on && Boolean(this.track("video"));
    this.#changed();
    return this.videoOn;
  }

  /** Use another microphone or camera. @param {'audio' | 'video'} kind @param {string} deviceId */
  async chooseDevice(kind, deviceId) {
    this.chosen[kind] = deviceId || null;
    if (kind === "video" && !this.videoOn) return this.#changed();
    const enabled = kind === "audio" ? this.audioOn : true;
    this.problems[kind] = await this.#tryAlone(kind);
    const track = this.track(kind);
    if (track && kind === "audio") track.enabled = enabled;
    this.#changed();
  }

  /** Low-data mode on or off: the running camera changes its resolution in place. @param {boolean} on */
  async setLowData(on) {
    this.lowData = on;
    const camera = this.track("video");
    if (camera) await camera.applyConstraints(on ? VIDEO_LOW : { ...VIDEO_NORMAL, frameRate: { ideal: 30 } }).catch(() => {});
    this.#changed();
  }

  /** Share a screen, window or tab. Resolves false when the user cancels. */
  async startScreen() {
    if (!this.canShareScreen || this.screen) return Boolean(this.screen);
    try {
      const stream = await /** @type {MediaDevices} */ (this.mediaDevices).getDisplayMedia({ video: { frameRate: { ideal: 15, max: 30 } }, audio: false });
      const [track] = stream.getVideoTracks();
      track.contentHint = "detail";
      track.addEventListener("ended", () => this.stopScreen()); // the browser's own "Stop sharing"
      this.screen = stream;
      this.dispatchEvent(new CustomEvent("track", { detail: { slot: "screen", track, stream } }));
      this.#changed();
      return true;
    } catch {
      return false;
    }
  }

  stopScreen() {
    if (!this.screen) return;
    for (const track of this.screen.getTracks()) track.stop();
    this.screen = null;
    this.dispatchEvent(new CustomEvent("track", { detail: { slot: "screen", track: null, stream: null } }));
    this.#changed();
  }

  async refreshDevices() {
    try {
      this.devices = (await this.mediaDevices?.enumerateDevices()) ?? [];
    } catch {
      this.devices = [];
    }
    this.#changed();
  }

  /** Stop every device (leaving, or joined as a viewer). */
  stop() {
    this.stopped = true;
    this.stopScreen();
    for (const track of this.camera.getTracks()) {
      track.stop();
      this.camera.removeTrack(track);
      this.dispatchEvent(new CustomEvent("track", { detail: { slot: track.kind === "audio" ? "audio" : "video", track: null, stream: this.camera } }));
    }
    this.audioOn = false;
    this.videoOn = false;
    this.#changed();
  }

  #changed() {
    this.dispatchEvent(new CustomEvent("change"));
  }
}
