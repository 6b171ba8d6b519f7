/**
 * Actions on the meeting: joining, leaving and knocking, chat, and a host's controls (lock, end,
 * recording, people, the waiting list, the room's clock).
 */

import { t } from "../i18n.js";
import { CHAT_MAX_CHARS } from "../protocol.js";
import { hasHostRole } from "../state.js";

/**
 * Send a chat line (`type` chat, or breakout-broadcast), or say why not: over the protocol's limit,
 * or refused by the client.
 * @param {import('./context.js').ActionContext} ctx @param {string} type @param {string} text
 */
export function sendChat({ send, notify }, type, text) {
  if ([...text].length > CHAT_MAX_CHARS) return notify({ text: t("chat.tooLong"), key: "chat" });
  if (!send(type, { text })) notify({ text: t("chat.notSent"), key: "chat" });
}

/** @param {import('./context.js').ActionContext} ctx @returns {import('./context.js').Handlers} */
export function meetingActions(ctx) {
  const { state, inRoom, send, session, store, params, announce, rememberName } = ctx;
  return {
    join: ({ displayName }) => {
      if (displayName) rememberName(displayName);
      session.join(displayName ?? null);
    },
    leave: () => session.leave(),
    rejoin: () => location.reload(),
    knock: () => session.knock(),
    "cancel-knock": () => session.cancelKnock(),
    "chat-send": ({ text }) => sendChat(ctx, "chat", text),
    announce: ({ text }) => announce(text),
    // host controls
    "toggle-lock": () => hasHostRole(state().me?.role) && params.locking && send("lock", { locked: !state().room?.locked }),
    "end-meeting": () => send("end-meeting"),
    // cloud recording: the server refuses anyone but a host, and rooms that do not record
    "start-recording": () => send("start-recording"),
    "stop-recording": () => send("stop-recording"),
    "host-mute": ({ participantId }) => send("mute", { participantId }),
    "host-camera-off": ({ participantId }) => send("camera-off", { participantId }),
    "host-remove": ({ participantId }) => send("remove", { participantId }),
    spotlight: ({ participantId }) => send("spotlight", { participantId }),
    "knock-admit": ({ participantId }) => send("admit", { participantId }),
    "knock-reject": ({ participantId, message }) => send("reject", { participantId, message }),
    "knock-hold": ({ participantId, message }) => {
      if (send("hold", { participantId, message })) store.dispatch({ type: "local/knock-held", id: participantId, message });
    },
    // The room's clock, which everyone sees: a host starts and stops it on the server.
    "toggle-timer": () => {
      if (!inRoom() || !hasHostRole(state().me?.role)) return;
      send("timer", { running: (state().room?.timerStartedAt ?? null) === null });
    },
  };
}
