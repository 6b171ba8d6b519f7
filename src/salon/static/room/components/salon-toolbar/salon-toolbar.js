/**
 * <salon-toolbar>: microphone, camera, screen share, chat, people, Picture-in-Picture, "…" (a
 * <salon-more> menu), settings and leave; for hosts also lock and end-meeting; the participant
 * counter "n/capacity" and the meeting clock (<salon-timer>). Buttons send intents; the toolbar
 * holds no state of its own. Hosts also get Record and Go live when the meeting offers them. Set `toolbar.model` (a ToolbarModel).
 */

import { adoptStyle, html, intent, part, setHTML } from "../../dom.js";
import { setIcon } from "../../icons.js";
import { t } from "../../i18n.js";
import { registerSalonMore } from "../salon-more/salon-more.js";
import { registerSalonTimer } from "../salon-timer/salon-timer.js";

/**
 * @typedef {{audio: boolean, video: boolean, screen: boolean, canSend: boolean,
 *   canShareScreen: boolean, isHost: boolean, locked: boolean, panel: string | null, unread: number,
 *   count: number, capacity: number, micMissing: boolean, pip: boolean, pipSupported: boolean,
 *   timerStartedAt: number | null, more: import('../salon-more/salon-more.js').MoreItem[],
 *   record: import('../../recording.js').RecordButton, live: import('../../streaming.js').LiveButton,
 *   captions: import('../../captions.js').CaptionsButton,
 *   features: {chat: boolean, people: boolean, screenshare: boolean, leaveButton: boolean,
 *   participantCount: boolean, locking: boolean, toolbarText: boolean, cameraAccess: boolean,
 *   settingsButton: boolean, pipButton: boolean, moreButton: boolean, toolbarDarkText: boolean}}} ToolbarModel
 */

/** [data-testid, intent, icon when on, icon when off] */
const BUTTONS = /** @type {const} */ ([
  ["toggle-mic", "toggle-mic", "mic", "mic-off"],
  ["toggle-camera", "toggle-camera", "camera", "camera-off"],
  ["toggle-screenshare", "toggle-screenshare", "screen", "screen"],
  ["toggle-chat", "toggle-chat", "chat", "chat"],
  ["toggle-people", "toggle-people", "people", "people"],
  ["toggle-pip", "toggle-pip", "pip", "pip"],
  ["toggle-settings", "toggle-settings", "settings", "settings"],
  ["toggle-captions", "toggle-captions", "captions", "captions"],
  ["record", "toggle-recording", "record", "record"],
  ["go-live", "toggle-streaming", "live", "live"],
  ["lock", "toggle-lock", "lock", "unlock"],
  ["end-meeting", "end-meeting", "power", "power"],
  ["leave", "leave", "leave", "leave"],
]);

/** @param {string} id */
const button = (id) => html`<button type="button" class="tb-btn" data-testid="${id}" data-part="${id}"><span class="tb-icon" data-part="${id}-icon"></span><span class="tb-label" data-part="${id}-label"></span><span class="tb-dot" data-part="${id}-dot" hidden></span></button>`;

export class SalonToolbar extends HTMLElement {
  #built = false;

  #build() {
    this.#built = true;
    this.setAttribute("role", "toolbar");
    setHTML(this, html`
      <div class="tb-side tb-start">
        <span class="tb-count" data-testid="participant-count" data-part="count" role="status"></span>
        <salon-timer class="tb-timer" data-part="timer"></salon-timer>
      </div>
      <div class="tb-main">
        ${button("toggle-mic")}${button("toggle-camera")}${button("toggle-screenshare")}
        ${button("toggle-chat")}${button("toggle-people")}${button("toggle-captions")}${button("toggle-pip")}
        <salon-more data-part="more"></salon-more>
      </div>
      <div class="tb-side tb-end">
        ${button("toggle-settings")}${button("record")}${button("go-live")}${button("lock")}${button("end-meeting")}${button("leave")}
      </div>`);
    part(this, "toggle-settings").setAttribute("aria-haspopup", "dialog");
    for (const [id, action] of BUTTONS) part(this, id).addEventListener("click", () => intent(this, action));
    this.addEventListener("keydown", (event) => this.#arrows(event));
  }

  /** Arrow keys, Home and End move between the buttons (the ARIA toolbar pattern). @param {KeyboardEvent} event */
  #arrows(event) {
    const buttons = /** @type {HTMLButtonElement[]} */ ([...this.querySelectorAll("button.tb-btn")]).filter((b) => !b.hidden);
    const at = buttons.indexOf(/** @type {HTMLButtonElement} */ (document.activeElement));
    if (at < 0) return;
    const next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: buttons.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    buttons[(next + buttons.length) % buttons.length].focus();
  }

  /** @param {ToolbarModel} m */
  set model(m) {
    if (!this.#built) this.#build();
    const f = m.features;
    this.setAttribute("aria-label", t("toolbar.label"));
    this.classList.toggle("no-text", !f.toolbarText);
    this.classList.toggle("dark-text", f.toolbarDarkText);
    /** @type {Record<string, {show: boolean, on: boolean, pressed?: boolean, label: string, title: string, dot?: boolean}>} */
    const view = {
      "toggle-mic": { show: m.canSend, on: m.audio, pressed: m.audio, label: t("toolbar.mic"), title: m.audio ? t("toolbar.micOff") : t("toolbar.micOn") },
      "toggle-camera": { show: m.canSend && f.cameraAccess, on: m.video, pressed: m.video, label: t("toolbar.camera"), title: m.video ? t("toolbar.cameraOff") : t("toolbar.cameraOn") },
      "toggle-screenshare": { show: m.canSend && f.screenshare && m.canShareScreen, on: m.screen, pressed: m.screen, label: m.screen ? t("toolbar.stopShare") : t("toolbar.share"), title: m.screen ? t("toolbar.stopShare") : t("toolbar.shareTitle") },
      "toggle-chat": { show: f.chat, on: true, pressed: m.panel === "chat", label: t("toolbar.chat"), title: t("toolbar.chatTitle"), dot: m.unread > 0 && m.panel !== "chat" },
      "toggle-people": { show: f.people, on: true, pressed: m.panel === "people", label: t("toolbar.people"), title: t("toolbar.peopleTitle") },
      "toggle-pip": { show: f.pipButton && m.pipSupported, on: true, pressed: m.pip, label: t("toolbar.pip"), title: m.pip ? t("toolbar.pipClose") : t("toolbar.pipTitle") },
      "toggle-settings": { show: f.settingsButton, on: true, label: t("toolbar.settings"), title: t("toolbar.settingsTitle") },
      "toggle-captions": { show: m.captions.show, on: true, pressed: m.captions.on, label: m.captions.label, title: m.captions.title },
      record: { show: m.record.show, on: true, pressed: m.record.on, label: m.record.label, title: m.record.title },
      "go-live": { show: m.live.show, on: true, pressed: m.live.on, label: m.live.label, title: m.live.title },
      lock: { show: m.isHost && f.locking, on: m.locked, pressed: m.locked, label: m.locked ? t("toolbar.locked") : t("toolbar.unlocked"), title: m.locked ? t("toolbar.unlock") : t("toolbar.lock") },
      "end-meeting": { show: m.isHost, on: true, label: t("toolbar.endMeeting"), title: t("toolbar.endMeetingTitle") },
      leave: { show: f.leaveButton, on: true, label: t("toolbar.leave"), title: t("toolbar.leaveTitle") },
    };
    for (const [id, , iconOn, iconOff] of BUTTONS) {
      const v = view[id];
      const el = part(this, id);
      el.hidden = !v.show;
      if (v.pressed === undefined) el.removeAttribute("aria-pressed");
      else el.setAttribute("aria-pressed", String(v.pressed));
      el.classList.toggle("is-off", (id === "toggle-mic" || id === "toggle-camera") && !v.on);
      el.classList.toggle("is-active", Boolean(v.pressed) && id !== "toggle-mic" && id !== "toggle-camera");
      el.title = v.title;
      setIcon(part(this, `${id}-icon`), v.on ? iconOn : iconOff);
      part(this, `${id}-label`).textContent = v.label;
      part(this, `${id}-dot`).hidden = !v.dot;
      // The visible label is the accessible name; the title adds what a click does.
      el.setAttribute("aria-label", v.dot ? `${v.label}, ${t("toolbar.unread", { count: m.unread })}` : v.label);
    }
    part(this, "leave").classList.add("tb-danger");
    part(this, "end-meeting").classList.add("tb-danger-outline");
    const count = part(this, "count");
    count.hidden = !f.participantCount;
    count.textContent = `${m.count}/${m.capacity}`;
    count.setAttribute("aria-label", t("toolbar.count", { count: m.count, capacity: m.capacity }));
    /** @type {import('../salon-timer/salon-timer.js').SalonTimer} */ (part(this, "timer")).model = { startedAt: m.timerStartedAt };
    const more = /** @type {import('../salon-more/salon-more.js').SalonMore} */ (part(this, "more"));
    more.hidden = !f.moreButton || m.more.length === 0;
    more.model = { label: t("toolbar.more"), title: t("toolbar.moreTitle"), items: f.moreButton ? m.more : [] };
  }
}

export function registerSalonToolbar() {
  adoptStyle(new URL("./salon-toolbar.css", import.meta.url).href);
  registerSalonMore();
  registerSalonTimer();
  if (!customElements.get("salon-toolbar")) customElements.define("salon-toolbar", SalonToolbar);
}
