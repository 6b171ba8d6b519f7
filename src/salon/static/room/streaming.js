/**
 * Live streaming in the room: the embedding page's `startStreaming()`/`stopStreaming()` commands,
 * the host's Go live button (shown when `joined.streaming` says the meeting may go live; the server
 * refuses anyone else whatever the page shows), the indicator everyone sees while the room is
 * streamed (`body[data-streaming="on"]`, room.css), the `streaming_status_change` event, and the
 * offer a host gets when the meeting's trigger is `prompt`. The button's pressed state follows the
 * server's `streaming-status`, as the LIVE indicator does, not the click.
 */

import { t } from "./i18n.js";
import { isHost } from "./state.js";

/** @typedef {{show: boolean, on: boolean, label: string, title: string}} LiveButton */

/** Embed commands (contract 4.5) and the actions they run. */
export const STREAMING_COMMANDS = Object.freeze({ start_streaming: "start-streaming", stop_streaming: "stop-streaming" });

/**
 * The Go live button's model: hosts only, when the meeting may go live. Pure.
 * @param {import('./state.js').RoomState} s @returns {LiveButton}
 */
export function liveButton(s) {
  const on = s.streaming.live;
  return {
    show: isHost(s) && s.streaming.offered,
    on,
    label: on ? t("toolbar.stopLive") : t("toolbar.goLive"),
    title: on ? t("toolbar.stopLiveTitle") : t("toolbar.goLiveTitle"),
  };
}

/**
 * @param {{send: (type: string, fields?: Record<string, unknown>) => boolean,
 *   state: () => import('./state.js').RoomState}} ctx
 * @returns {Record<string, () => unknown>}
 */
export function streamingActions({ send, state }) {
  return {
    "start-streaming": () => send("start-streaming"),
    "stop-streaming": () => send("stop-streaming"),
    "toggle-streaming": () => {
      const s = state();
      if (s.phase !== "room" || !isHost(s)) return;
      send(s.streaming.live ? "stop-streaming" : "start-streaming");
    },
  };
}

/**
 * What `streaming-status` means for the page, as data. Pure.
 * @param {{streaming: boolean}} msg
 */
export function streamingStatus(msg) {
  return { indicator: msg.streaming ? "on" : "off", event: { status: msg.streaming ? "started" : "stopped" } };
}

/**
 * @param {{embed: {emit: (type: string, payload?: unknown) => void},
 *   notify: (toast: {text: string, key?: string, action?: {label: string, intent: string}}) => void}} deps
 */
export function streamingReactions({ embed, notify }) {
  return {
    "streaming-status": (/** @type {any} */ msg) => {
      const { indicator, event } = streamingStatus(msg);
      document.body.dataset.streaming = indicator;
      embed.emit("streaming_status_change", event);
    },
    "streaming-prompt": () => notify({ text: t("streaming.prompt"), action: { label: t("streaming.start"), intent: "start-streaming" }, key: "streaming" }),
  };
}
