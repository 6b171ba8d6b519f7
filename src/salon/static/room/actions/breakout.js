/**
 * Breakout groups: a host plans (a draft on this page, ui.js), starts, moves people, visits,
 * broadcasts and ends; anyone may choose a group when the host allows it.
 */

import { assignMessages, initialDraft, initialNames, shuffle, startMessages } from "../breakout.js";
import { t } from "../i18n.js";
import { hasHostRole } from "../state.js";
import { sendChat } from "./meeting.js";

/** @param {import('./context.js').ActionContext} ctx @returns {import('./context.js').Handlers} */
export function breakoutActions(ctx) {
  const { state, inRoom, send, togglePanel, ui, params, notify } = ctx;
  /** Hosts run breakout groups, unless the URL turned them off (`breakout=off`). */
  const canBreakout = () => inRoom() && hasHostRole(state().me?.role) && params.breakout;
  const running = () => state().room?.breakout ?? null;
  /** Everyone a host can place in a group: the others in the room. */
  const others = () => state().participants.map((p) => p.id);
  /** @param {[string, Record<string, unknown>][]} messages */
  const sendAll = (messages) => messages.every(([type, fields]) => send(type, fields));
  /** @param {import('../breakout.js').DraftOp} op */
  const plan = (op) => ui.dispatch({ type: "ui/breakout", op });

  return {
    "toggle-breakout": ({ on }) => {
      if (!canBreakout()) return console.warn("salon: breakout groups are for hosts (and off with breakout=off)");
      if (!ui.getState().breakoutDraft) {
        const names = initialNames(params.groups, (n) => t("breakout.groupN", { n }));
        ui.dispatch({ type: "ui/breakout-draft", draft: initialDraft(names) });
      }
      togglePanel("breakout", on);
    },
    "breakout-plan": ({ op }) => canBreakout() && !running() && plan(op),
    "breakout-add-group": () => canBreakout() && plan({ type: "add", name: t("breakout.groupN", { n: (ui.getState().breakoutDraft?.groups.length ?? 0) + 1 }) }),
    "breakout-assign": ({ participantId, group }) => {
      if (!canBreakout()) return;
      if (running()) send("breakout-assign", { participantId, group });
      else plan({ type: "assign", participantId, group });
    },
    "breakout-shuffle": () => {
      if (!canBreakout()) return;
      const session = running();
      if (session) sendAll(assignMessages(shuffle(others(), session.groups.length)));
      else plan({ type: "shuffle", participantIds: others() });
    },
    "breakout-start": () => {
      const draft = ui.getState().breakoutDraft;
      if (!canBreakout() || !draft || running()) return;
      if (!sendAll(startMessages(draft, others()))) notify({ text: t("breakout.notStarted"), key: "breakout" });
    },
    "breakout-visit": ({ group }) => canBreakout() && running() && send("breakout-assign", { participantId: state().me?.id, group }),
    "breakout-choose": ({ group }) => inRoom() && running()?.allowChoose && send("breakout-choose", { group }),
    "breakout-broadcast": ({ text }) => {
      if (!canBreakout() || !running()) return;
      sendChat(ctx, "breakout-broadcast", text);
    },
    "breakout-end": () => canBreakout() && running() && send("breakout-end"),
  };
}
