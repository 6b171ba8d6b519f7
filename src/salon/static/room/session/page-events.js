/**
 * What the embedding page hears of the session (docs/embedding.md, Events and commands; embed.js): joins and leaves, the
 * panel a knock opens, and the one `leave` however the room ended.
 */

import { participantCount } from "../state.js";

/**
 * @param {{store: import('../state.js').RoomStore,
 *   embed: ReturnType<typeof import('../embed.js').createEmbedBridge>}} deps
 */
export function createPageEvents({ store, embed }) {
  const state = () => store.getState();
  /** `leave` goes to the embedding page once, whichever way the room ended. */
  let leaveEmitted = false;

  /** @param {boolean} removed @param {boolean} [ended] the meeting was ended for everyone */
  function emitLeave(removed, ended = false) {
    if (leaveEmitted) return;
    leaveEmitted = true;
    if (ended) embed.emit("meeting_end");
    embed.emit("leave", { removed });
  }

  /** @param {string} type @param {any} msg a message with a `participant` */
  function emitParticipant(type, msg) {
    const p = msg.participant ?? {};
    embed.emit(type, { participant: { metadata: p.metadata ?? null, externalId: p.externalId ?? null } });
    emitCount();
  }

  function emitCount() {
    embed.emit("participantupdate", { count: participantCount(state()).count });
  }

  /** Open the people panel (a knock waits for an answer), telling the embedding page. */
  function openPeople() {
    const before = state().panel;
    if (before === "people") return;
    store.dispatch({ type: "local/panel", panel: "people", open: true });
    if (before !== null) embed.emit(`${before}_toggle`, { open: false });
    embed.emit("people_toggle", { open: true });
  }

  return { emitLeave, emitParticipant, emitCount, openPeople };
}

/** @typedef {ReturnType<typeof createPageEvents>} PageEvents */
