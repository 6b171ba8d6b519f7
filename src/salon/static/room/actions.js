/**
 * What the user asks for: the `salon-intent` events of the components, keyboard shortcuts and
 * embed commands, each turned into one call on the session, the devices, the signaling client or
 * this page's UI state (ui.js). The handlers come in groups, one module each under actions/:
 * devices, the page's own view, the meeting (chat and host controls included), breakout groups.
 */

import { breakoutActions } from "./actions/breakout.js";
import { TRANSCRIPTION_COMMANDS, transcriptionActions } from "./captions.js";
import { actionContext } from "./actions/context.js";
import { deviceActions } from "./actions/devices.js";
import { meetingActions } from "./actions/meeting.js";
import { pageActions } from "./actions/page.js";
import { recordingActions } from "./recording.js";
import { lookup } from "./store.js";
import { STREAMING_COMMANDS, streamingActions } from "./streaming.js";

/** Embed commands (docs/embedding.md, Events and commands): `args[0]` true/false sets, undefined toggles. */
/** @type {Record<string, string>} */
const COMMAND_ACTIONS = {
  toggle_camera: "toggle-camera", toggle_microphone: "toggle-mic", toggle_screenshare: "toggle-screenshare",
  toggle_chat: "toggle-chat", toggle_people: "toggle-people", leave_room: "leave", end_meeting: "end-meeting",
  knock: "knock", cancel_knock: "cancel-knock", toggle_breakout: "toggle-breakout", open_settings: "open-settings",
  start_recording: "start-recording", stop_recording: "stop-recording",
  ...STREAMING_COMMANDS, ...TRANSCRIPTION_COMMANDS,
};

/** @param {import('./actions/context.js').ActionDeps} deps */
export function createActions(deps) {
  const ctx = actionContext(deps);
  /** @type {import('./actions/context.js').Handlers} */
  const handlers = {
    ...deviceActions(ctx), ...pageActions(ctx), ...meetingActions(ctx), ...breakoutActions(ctx),
    ...recordingActions(ctx), ...streamingActions(ctx), ...transcriptionActions(ctx),
  };

  /** @param {string} action @param {Record<string, unknown>} [detail] */
  function run(action, detail = {}) {
    const handler = lookup(handlers, action);
    if (!handler) return console.warn(`salon: no action ${action}`);
    Promise.resolve(handler(detail)).catch((error) => console.error(`salon: ${action} failed`, error));
  }

  /** @param {string} command @param {unknown[]} args */
  function runCommand(command, args) {
    const on = typeof args[0] === "boolean" ? args[0] : undefined;
    run(COMMAND_ACTIONS[command], { on });
  }

  return { run, runCommand };
}
