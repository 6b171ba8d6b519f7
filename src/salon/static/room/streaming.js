/**
 * Live streaming in the room: the embedding page's `startStreaming()`/`stopStreaming()` commands,
 * the host's actions (the server refuses anyone else), the indicator everyone sees while the room
 * is streamed (`body[data-streaming="on"]`, room.css), the `streaming_status_change` event, and the
 * offer a host gets when the meeting's trigger is `prompt`.
 */

import { t } from "./i18n.js";

/** Embed commands (contract 4.5) and the actions they run. */
export const STREAMING_COMMANDS = Object.freeze({ start_streaming: "start-streaming", stop_streaming: "stop-streaming" });

/**
 * @param {{send: (type: string, fields?: Record<string, unknown>) => boolean}} ctx
 * @returns {Record<string, () => unknown>}
 */
export function streamingActions({ send }) {
  return {
    "start-streaming": () => send("start-streaming"),
    "stop-streaming": () => send("stop-streaming"),
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
