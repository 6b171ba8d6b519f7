/**
 * What the user asks for: the `salon-intent` events of the components, keyboard shortcuts and
 * embed commands, each turned into one call on the session, the devices, the signaling client or
 * this page's UI state (ui.js).
 */

import { assignMessages, initialDraft, initialNames, shuffle, startMessages } from "./breakout.js";
import { language, loadLanguage, bcp47, t } from "./i18n.js";
import { pipKey } from "./pip.js";
import { ProtocolError } from "./signaling.js";
import { hasHostRole } from "./state.js";

/**
 * @param {{store: ReturnType<typeof import('./state.js').createStore>,
 *   ui: {getState: () => import('./ui.js').UiState, dispatch: (event: {type: string, [field: string]: any}) => void},
 *   signaling: import('./signaling.js').SignalingClient, media: import('./media/local.js').LocalMedia,
 *   session: ReturnType<typeof import('./session.js').createSession>,
 *   embed: ReturnType<typeof import('./embed.js').createEmbedBridge>,
 *   params: import('./params.js').RoomParams,
 *   pip: ReturnType<typeof import('./pip.js').createPip>,
 *   view: {tiles: () => {tiles: import('./components/salon-tile/salon-tile.js').TileModel[], stageKey: string | null},
 *     videoFor: (key: string) => HTMLVideoElement | null},
 *   startDevices: () => Promise<void>, shareUrl: string,
 *   notify: (toast: {text: string, key?: string}) => void, announce: (text: string) => void,
 *   rememberName: (name: string) => void}} deps
 */
export function createActions({ store, ui, signaling, media, session, embed, params, pip, view, startDevices, shareUrl, notify, announce, rememberName }) {
  const state = () => store.getState();
  /** Before joining (pre-call) or as a non-viewer in the room: the devices are mine to switch. */
  const canUseDevices = () => {
    const s = state();
    return s.phase === "precall" || (s.phase === "room" && s.me?.role !== "viewer");
  };
  const inRoom = () => state().phase === "room";

  /** @param {string} type @param {Record<string, unknown>} [fields] */
  function send(type, fields) {
    try {
      return signaling.send(type, fields);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      console.warn("salon:", error.message);
      return false;
    }
  }

  /** The panels the embedding page hears about (contract 4.4 has no event for breakout groups). */
  const TOLD = new Set(["chat", "people"]);
  /** @param {import('./state.js').Panel} panel @param {boolean | undefined} [open] */
  function togglePanel(panel, open) {
    const before = state().panel;
    if (open === (before === panel)) return;
    store.dispatch({ type: "local/panel", panel, open });
    // One side panel at a time: opening people closes the chat, and the page hears both.
    if (before !== null && before !== panel && state().panel !== before && TOLD.has(before)) embed.emit(`${before}_toggle`, { open: false });
    if (TOLD.has(panel)) embed.emit(`${panel}_toggle`, { open: state().panel === panel });
  }

  /** Hosts run breakout groups, unless the URL turned them off (`breakout=off`). */
  const canBreakout = () => inRoom() && hasHostRole(state().me?.role) && params.breakout;
  const breakout = () => state().room?.breakout ?? null;
  /** Everyone a host can place in a group: the others in the room. */
  const others = () => state().participants.map((p) => p.id);
  /** @param {[string, Record<string, unknown>][]} messages */
  const sendAll = (messages) => messages.every(([type, fields]) => send(type, fields));
  /** @param {import('./breakout.js').DraftOp} op */
  const plan = (op) => ui.dispatch({ type: "ui/breakout", op });

  /** @type {Record<string, (detail: any) => unknown>} */
  const handlers = {
    "toggle-mic": ({ on }) => canUseDevices() && media.setAudio(on ?? !media.audioOn),
    "toggle-camera": ({ on }) => canUseDevices() && params.cameraAccess && media.setVideo(on ?? !media.videoOn),
    "toggle-screenshare": async ({ on }) => {
      if (!inRoom() || state().me?.role === "viewer") return;
      const want = on ?? !media.screen;
      if (!want) return media.stopScreen();
      if (!(await media.startScreen()) && media.canShareScreen) notify({ text: t("toast.screenFailed"), key: "screen" });
    },
    "choose-device": ({ kind, deviceId }) => media.chooseDevice(kind, deviceId),
    "toggle-chat": ({ on }) => togglePanel("chat", on),
    "toggle-people": ({ on }) => togglePanel("people", on),
    "close-panel": () => {
      const open = state().panel;
      if (!open) return;
      togglePanel(open, false);
      /** @type {HTMLElement | null} */ (document.querySelector(`[data-testid="toggle-${open}"]`))?.focus();
    },
    "open-chat": () => togglePanel("chat", true),
    "open-people": () => togglePanel("people", true),
    join: ({ displayName }) => {
      if (displayName) rememberName(displayName);
      session.join(displayName ?? null);
    },
    leave: () => session.leave(),
    rejoin: () => location.reload(),
    knock: () => session.knock(),
    "cancel-knock": () => session.cancelKnock(),
    "chat-send": ({ text }) => {
      if ([...text].length > 4000) return notify({ text: t("chat.tooLong"), key: "chat" });
      if (!send("chat", { text })) notify({ text: t("chat.notSent"), key: "chat" });
    },
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
    announce: ({ text }) => announce(text),
    // devices before the first prompt (the permission step), speaker, low-data mode
    "allow-devices": () => startDevices(),
    "choose-speaker": ({ sinkId }) => ui.dispatch({ type: "ui/sink", sinkId }),
    "set-low-data": async ({ on }) => {
      ui.dispatch({ type: "ui/low-data", on });
      await media.setLowData(ui.getState().lowData);
    },
    // settings, language, Picture-in-Picture and the "…" menu
    "toggle-settings": ({ on }) => inRoom() && ui.dispatch({ type: "ui/settings", on }),
    "open-settings": () => inRoom() && ui.dispatch({ type: "ui/settings", on: true }),
    "close-settings": () => ui.dispatch({ type: "ui/settings", on: false }),
    "set-language": async ({ language: wanted }) => {
      if (!params.localization) return;
      const loaded = await loadLanguage(wanted, { personality: params.personality });
      document.documentElement.lang = bcp47(language());
      ui.dispatch({ type: "ui/language", language: loaded });
    },
    "toggle-pip": async ({ on }) => {
      if (!inRoom() || !pip.supported || !params.pipButton) return;
      const { tiles, stageKey } = view.tiles();
      const key = pipKey(tiles, stageKey, ui.getState().lastSpeaker, (k) => (view.videoFor(k)?.readyState ?? 0) >= 1);
      if ((on ?? !pip.open) && !key) return notify({ text: t("toast.pipUnavailable"), key: "pip" });
      await pip.toggle(key, on);
    },
    "toggle-float-self": () => inRoom() && state().me?.role !== "viewer" && ui.dispatch({ type: "ui/float-self" }),
    // The room's clock, which everyone sees: a host starts and stops it on the server.
    "toggle-timer": () => {
      if (!inRoom() || !hasHostRole(state().me?.role)) return;
      send("timer", { running: (state().room?.timerStartedAt ?? null) === null });
    },
    "copy-link": async () => {
      try {
        await navigator.clipboard.writeText(shareUrl);
        notify({ text: t("toast.linkCopied"), key: "link" });
      } catch {
        notify({ text: shareUrl, key: "link" }); // no clipboard in this frame: show it to copy by hand
      }
    },
    "toggle-fullscreen": async () => {
      if (document.fullscreenElement) await document.exitFullscreen();
      else await document.documentElement.requestFullscreen();
    },
    // breakout groups: a host plans (a draft on this page), starts, moves people, visits, broadcasts, ends
    "toggle-breakout": ({ on }) => {
      if (!canBreakout()) return console.warn("salon: breakout groups are for hosts (and off with breakout=off)");
      if (!ui.getState().breakoutDraft) {
        const names = initialNames(params.groups, (n) => t("breakout.groupN", { n }));
        ui.dispatch({ type: "ui/breakout-draft", draft: initialDraft(names) });
      }
      togglePanel("breakout", on);
    },
    "breakout-plan": ({ op }) => canBreakout() && !breakout() && plan(op),
    "breakout-add-group": () => canBreakout() && plan({ type: "add", name: t("breakout.groupN", { n: (ui.getState().breakoutDraft?.groups.length ?? 0) + 1 }) }),
    "breakout-assign": ({ participantId, group }) => {
      if (!canBreakout()) return;
      if (breakout()) send("breakout-assign", { participantId, group });
      else plan({ type: "assign", participantId, group });
    },
    "breakout-shuffle": () => {
      if (!canBreakout()) return;
      const running = breakout();
      if (running) sendAll(assignMessages(shuffle(others(), running.groups.length)));
      else plan({ type: "shuffle", participantIds: others() });
    },
    "breakout-start": () => {
      const draft = ui.getState().breakoutDraft;
      if (!canBreakout() || !draft || breakout()) return;
      if (!sendAll(startMessages(draft, others()))) notify({ text: t("breakout.notStarted"), key: "breakout" });
    },
    "breakout-visit": ({ group }) => canBreakout() && breakout() && send("breakout-assign", { participantId: state().me?.id, group }),
    "breakout-choose": ({ group }) => inRoom() && breakout()?.allowChoose && send("breakout-choose", { group }),
    "breakout-broadcast": ({ text }) => {
      if (!canBreakout() || !breakout()) return;
      if ([...text].length > 4000) return notify({ text: t("chat.tooLong"), key: "chat" });
      if (!send("breakout-broadcast", { text })) notify({ text: t("chat.notSent"), key: "chat" });
    },
    "breakout-end": () => canBreakout() && breakout() && send("breakout-end"),
  };

  /** @param {string} action @param {Record<string, unknown>} [detail] */
  function run(action, detail = {}) {
    const handler = handlers[action];
    if (!handler) return console.warn(`salon: no action ${action}`);
    Promise.resolve(handler(detail)).catch((error) => console.error(`salon: ${action} failed`, error));
  }

  /** Embed commands (contract 4.5): `args[0]` true/false sets, undefined toggles. */
  /** @type {Record<string, string>} */
  const COMMAND_ACTIONS = {
    toggle_camera: "toggle-camera", toggle_microphone: "toggle-mic", toggle_screenshare: "toggle-screenshare",
    toggle_chat: "toggle-chat", toggle_people: "toggle-people", leave_room: "leave", end_meeting: "end-meeting",
    knock: "knock", cancel_knock: "cancel-knock", toggle_breakout: "toggle-breakout", open_settings: "open-settings",
    start_recording: "start-recording", stop_recording: "stop-recording",
  };
  /** @param {string} command @param {unknown[]} args */
  function runCommand(command, args) {
    const on = typeof args[0] === "boolean" ? args[0] : undefined;
    run(COMMAND_ACTIONS[command], { on });
  }

  return { run, runCommand };
}
