/**
 * Live captions in the room: the server's `caption` messages shown at the bottom of the stage
 * (over the grid, each line labelled with its speaker's name), the Captions (CC) button, the
 * embedding page's `startLiveTranscription()`/`stopLiveTranscription()` commands, a host's start
 * and stop (the server refuses anyone else), and the `transcription_status_change` event.
 *
 *   transcription-status ─► body[data-transcription], the event to the embedding page
 *   caption ─► the speaker's line: an interim one is replaced as their words grow, a final one
 *              stays until newer lines push it out; finals alone go to the polite live region
 *              (screen readers hear each utterance once, not every word of it)
 *
 * The CC button (and Shift+C) shows or hides the captions on this page; a host whose meeting
 * offers live transcription starts it with the same button, and stops it from the "…" menu.
 */

import { t } from "./i18n.js";
import { isHost } from "./state.js";

/** How many lines the stage shows at once. */
export const CAPTION_LINES = 3;

/** Embed commands and the actions they run. */
export const TRANSCRIPTION_COMMANDS = Object.freeze({
  start_live_transcription: "start-live-transcription",
  stop_live_transcription: "stop-live-transcription",
});

/**
 * @typedef {{participantId: string, name: string, text: string, final: boolean}} CaptionLine
 * @typedef {{show: boolean, on: boolean, label: string, title: string}} CaptionsButton
 */

/**
 * The lines on the stage once `msg` (a `caption`) arrives. Pure.
 * @param {CaptionLine[]} lines @param {{participantId: string, displayName: string, text: string, final?: boolean}} msg
 * @param {number} [max] @returns {CaptionLine[]}
 */
export function nextCaptions(lines, msg, max = CAPTION_LINES) {
  const line = { participantId: msg.participantId, name: msg.displayName, text: msg.text, final: msg.final === true };
  const at = lines.findIndex((l) => l.participantId === msg.participantId && !l.final);
  const next = at >= 0 ? lines.map((l, i) => (i === at ? line : l)) : [...lines, line];
  return next.slice(-max);
}

/**
 * What `transcription-status` means for the page, as data. Pure.
 * @param {{transcribing: boolean}} msg
 */
export function transcriptionStatus(msg) {
  return { indicator: msg.transcribing ? "on" : "off", event: { status: msg.transcribing ? "started" : "stopped" } };
}

/**
 * The CC button: everyone while captions run; a host also before, to start them. Pure.
 * @param {import('./state.js').RoomState} s @returns {CaptionsButton}
 */
export function captionsButton(s) {
  const { offered, on, shown } = s.transcription;
  const pressed = on && shown;
  return {
    show: on || (offered && isHost(s)),
    on: pressed,
    label: t("toolbar.captions"),
    title: pressed ? t("toolbar.captionsHide") : t("toolbar.captionsShow"),
  };
}

/**
 * @param {import('./actions/context.js').ActionContext} ctx @returns {import('./actions/context.js').Handlers}
 */
export function transcriptionActions({ state, store, send }) {
  return {
    "start-live-transcription": () => send("start-live-transcription"),
    "stop-live-transcription": () => send("stop-live-transcription"),
    "toggle-captions": () => {
      const s = state();
      if (s.phase !== "room") return;
      if (!s.transcription.on) {
        if (s.transcription.offered && isHost(s)) send("start-live-transcription");
        store.dispatch({ type: "local/captions", shown: true });
        return;
      }
      store.dispatch({ type: "local/captions", shown: !s.transcription.shown });
    },
  };
}

/** @param {CaptionLine[]} lines */
function render(lines) {
  const region = document.getElementById("salon-captions");
  if (!region) return;
  const box = /** @type {HTMLElement} */ (region.querySelector("[data-part=lines]"));
  box.replaceChildren(
    ...lines.map((line) => {
      const p = document.createElement("p");
      p.className = line.final ? "caption" : "caption interim";
      p.dataset.testid = "caption";
      const name = document.createElement("span");
      name.className = "caption-name";
      name.textContent = line.name;
      const text = document.createElement("span");
      text.className = "caption-text";
      text.textContent = line.text;
      p.append(name, text);
      return p;
    }),
  );
}

/** @param {CaptionLine} line */
function announce(line) {
  const spoken = document.querySelector("#salon-captions [data-part=spoken]");
  if (spoken) spoken.textContent = `${line.name}: ${line.text}`;
}

/**
 * @param {{embed: {emit: (type: string, payload?: unknown) => void}}} deps
 */
export function transcriptionReactions({ embed }) {
  /** @type {CaptionLine[]} */
  let lines = [];
  const region = document.getElementById("salon-captions");
  region?.setAttribute("aria-label", t("captions.label"));
  return {
    "transcription-status": (/** @type {any} */ msg) => {
      const { indicator, event } = transcriptionStatus(msg);
      document.body.dataset.transcription = indicator;
      if (!msg.transcribing) render((lines = []));
      embed.emit("transcription_status_change", event);
    },
    caption: (/** @type {any} */ msg) => {
      lines = nextCaptions(lines, msg);
      render(lines);
      if (msg.final === true) announce(lines[lines.length - 1]);
    },
  };
}
