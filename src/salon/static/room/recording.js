/**
 * Recording from the room: a host's Record button, shown when the meeting lets its hosts record.
 *
 *   `cloud` ─► start-recording / stop-recording to the server; everyone sees the REC indicator
 *              (the server's `recording-status`, session/reactions.js)
 *   `local` ─► this tab, recorded in the host's own browser: getDisplayMedia (`preferCurrentTab`)
 *              with the microphone mixed in, MediaRecorder, a WebM download when it stops
 *
 * The joined message says which (`recording`: none, local or cloud); the server refuses cloud
 * recording to anyone but a host whatever the page shows.
 */

import { t } from "./i18n.js";
import { isHost } from "./state.js";

/** @typedef {{show: boolean, on: boolean, label: string, title: string}} RecordButton */

/** WebM types in the order MediaRecorder is asked for them. */
const WEBM_TYPES = ["video/webm;codecs=vp8,opus", "video/webm;codecs=vp9,opus", "video/webm"];
/** MediaRecorder hands over what it has every second, so a tab closed mid-way loses little. */
const SLICE_MS = 1000;

/**
 * The Record button's model: hosts only, when the meeting records in the cloud or locally.
 * @param {import('./state.js').RoomState} s @returns {RecordButton}
 */
export function recordButton(s) {
  const { kind, cloud, local } = s.recording;
  const on = kind === "cloud" ? cloud : local;
  return {
    show: isHost(s) && (kind === "cloud" || kind === "local"),
    on,
    label: on ? t("toolbar.stopRecording") : t("toolbar.record"),
    title: on ? t("toolbar.stopRecordingTitle") : t("toolbar.recordTitle"),
  };
}

/**
 * A file name for a local recording: `<room>-<start ISO>.webm`, as cloud recordings are named.
 * @param {string} room @param {Date} at
 */
export function localFileName(room, at) {
  const name = room.replace(/^\//, "").replace(/[^\w.-]+/g, "-") || "meeting";
  return `${name}-${at.toISOString().replace(/[:]/g, "-")}.webm`;
}

/** Records this tab in the browser and downloads the WebM when it stops. */
export class LocalRecorder {
  /** @type {MediaRecorder | null} */
  #recorder = null;

  get recording() {
    return this.#recorder !== null;
  }

  /**
   * Ask the browser for this tab, and record it with `microphone` mixed in.
   * @param {{room: string, microphone: MediaStreamTrack | null, stopped: () => void}} options
   */
  async start({ room, microphone, stopped }) {
    if (this.#recorder) return;
    const tab = await navigator.mediaDevices.getDisplayMedia(
      /** @type {DisplayMediaStreamOptions} */ ({ video: { frameRate: 30 }, audio: true, preferCurrentTab: true, selfBrowserSurface: "include" }),
    );
    const sounds = [...tab.getAudioTracks(), ...(microphone ? [microphone] : [])];
    const audio = mix(sounds);
    const stream = new MediaStream([...tab.getVideoTracks(), ...audio.tracks]);
    const mimeType = WEBM_TYPES.find((type) => MediaRecorder.isTypeSupported(type));
    const recorder = new MediaRecorder(stream, mimeType ? { mimeType } : {});
    /** @type {Blob[]} */
    const parts = [];
    const started = new Date();
    recorder.addEventListener("dataavailable", (event) => {
      if (event.data.size > 0) parts.push(event.data);
    });
    recorder.addEventListener("stop", () => {
      this.#recorder = null;
      for (const track of tab.getTracks()) track.stop();
      audio.close();
      download(new Blob(parts, { type: "video/webm" }), localFileName(room, started));
      stopped();
    });
    // The browser's own "stop sharing" ends the recording too.
    for (const track of tab.getVideoTracks()) track.addEventListener("ended", () => this.stop());
    this.#recorder = recorder;
    recorder.start(SLICE_MS);
  }

  stop() {
    if (this.#recorder && this.#recorder.state !== "inactive") this.#recorder.stop();
  }
}

/**
 * One audio track of several (the tab's sound and the microphone), mixed by Web Audio.
 * @param {MediaStreamTrack[]} tracks @returns {{tracks: MediaStreamTrack[], close: () => void}}
 */
function mix(tracks) {
  if (tracks.length < 2) return { tracks, close: () => {} };
  const context = new AudioContext();
  const out = context.createMediaStreamDestination();
  for (const track of tracks) context.createMediaStreamSource(new MediaStream([track])).connect(out);
  return { tracks: out.stream.getAudioTracks(), close: () => void context.close() };
}

/** @param {Blob} blob @param {string} name */
function download(blob, name) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}

/**
 * The Record button's intent: the server records a cloud meeting, this browser a local one.
 * @param {import('./actions/context.js').ActionContext} ctx @returns {import('./actions/context.js').Handlers}
 */
export function recordingActions({ state, store, send, media, notify }) {
  const recorder = new LocalRecorder();
  return {
    "toggle-recording": async () => {
      const s = state();
      if (s.phase !== "room" || !isHost(s)) return;
      if (s.recording.kind === "cloud") {
        send(s.recording.cloud ? "stop-recording" : "start-recording");
        return;
      }
      if (s.recording.kind !== "local") return;
      if (recorder.recording) return recorder.stop();
      try {
        await recorder.start({
          room: s.room?.name ?? "",
          microphone: media.camera.getAudioTracks()[0] ?? null,
          stopped: () => store.dispatch({ type: "local/recording", on: false }),
        });
        store.dispatch({ type: "local/recording", on: true });
      } catch (error) {
        console.warn("salon: local recording did not start:", error);
        notify({ text: t("toast.recordingFailed"), key: "recording" });
      }
    },
  };
}
