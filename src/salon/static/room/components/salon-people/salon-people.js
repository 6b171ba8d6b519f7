/**
 * <salon-people>: who is here, and (for hosts) who is knocking. Hosts get per-person controls:
 * mute, camera off, spotlight, remove; and per-knock: let in, reject, hold with a message.
 * Set `people.model` (a PeopleModel). Rows are keyed, so a half-typed hold message survives updates.
 */

import { adoptStyle, h, html, intent, part, setHTML } from "../../dom.js";
import { icon, setIcon } from "../../icons.js";
import { formatTime, t } from "../../i18n.js";
import { initials, nameOf } from "../../names.js";

/**
 * @typedef {import('../../state.js').Participant} Participant
 * @typedef {import('../../state.js').KnockRequest} KnockRequest
 * @typedef {{me: (Participant & {isMe?: boolean}) | null, participants: Participant[], knocks: KnockRequest[],
 *   knocksTotal?: number, isHost: boolean, spotlight: string | null}} PeopleModel
 */

/** Knockers shown as rows with their controls; the others are counted in one line. */
export const KNOCK_ROWS = 20;

/** An icon-only host control; its aria-label is set per row. @param {string} testid @param {string} iconName @param {string} [extra] */
function actionButton(testid, iconName, extra = "") {
  const button = h("button", { type: "button", class: `btn btn-ghost btn-icon btn-small ${extra}`, dataset: { testid, action: testid } });
  setIcon(button, iconName);
  return button;
}

export class SalonPeople extends HTMLElement {
  #built = false;
  /** @type {Map<string, HTMLElement>} */ #rows = new Map();
  /** @type {Map<string, HTMLElement>} */ #knockRows = new Map();
  #knockMore = h("li", { class: "person knock-more", dataset: { testid: "knock-more" } });

  #build() {
    this.#built = true;
    this.setAttribute("role", "complementary");
    setHTML(this, html`
      <header class="panel-header">
        <h2 data-part="title"></h2>
        <button type="button" class="btn btn-ghost btn-icon btn-small" data-part="close">${icon("close")}</button>
      </header>
      <div class="people-scroll">
        <section data-part="knock-section" hidden>
          <h3 class="panel-section-title" data-part="knock-title"></h3>
          <ul class="people-list" data-part="knocks"></ul>
        </section>
        <section>
          <h3 class="panel-section-title" data-part="people-title"></h3>
          <ul class="people-list" data-part="people"></ul>
        </section>
        <section data-part="viewer-section" hidden>
          <h3 class="panel-section-title" data-part="viewer-title"></h3>
          <ul class="people-list" data-part="viewers"></ul>
        </section>
      </div>`);
    part(this, "close").addEventListener("click", () => intent(this, "toggle-people"));
    this.addEventListener("click", (event) => this.#onClick(event));
    this.addEventListener("keydown", (event) => {
      const target = /** @type {HTMLElement} */ (event.target);
      if (event.key === "Enter" && target.dataset.testid === "knock-hold-message") {
        event.preventDefault();
        this.#knockAction(target.closest("[data-testid=knock]"), "knock-hold");
      }
    });
  }

  /** @param {Event} event */
  #onClick(event) {
    const button = /** @type {HTMLElement | null} */ (/** @type {HTMLElement} */ (event.target).closest("button[data-action]"));
    if (!button) return;
    const row = /** @type {HTMLElement} */ (button.closest("[data-participant-id]"));
    const id = row.dataset.participantId ?? "";
    const action = button.dataset.action ?? "";
    if (action.startsWith("knock-")) this.#knockAction(row, action);
    else if (action === "person-spotlight") intent(this, "spotlight", { participantId: button.getAttribute("aria-pressed") === "true" ? null : id });
    else intent(this, action.replace("person-", "host-"), { participantId: id });
  }

  /** @param {Element | null} row @param {string} action */
  #knockAction(row, action) {
    if (!(row instanceof HTMLElement)) return;
    const id = row.dataset.participantId ?? "";
    const input = /** @type {HTMLInputElement} */ (row.querySelector("[data-testid=knock-hold-message]"));
    const message = input.value.trim();
    if (action === "knock-admit") intent(this, "knock-admit", { participantId: id });
    else if (action === "knock-reject") intent(this, "knock-reject", { participantId: id, message: message || undefined });
    else intent(this, "knock-hold", { participantId: id, message: message || t("knock.holdDefault") });
  }

  /** @param {PeopleModel} model */
  set model(model) {
    if (!this.#built) this.#build();
    this.setAttribute("aria-label", t("people.title"));
    part(this, "title").textContent = t("people.title");
    part(this, "close").setAttribute("aria-label", t("people.close"));
    const everyone = [...(model.me ? [{ ...model.me, isMe: true }] : []), ...model.participants];
    const senders = everyone.filter((p) => p.role !== "viewer");
    const viewers = everyone.filter((p) => p.role === "viewer");
    part(this, "people-title").textContent = t("people.inMeeting", { count: senders.length });
    part(this, "viewer-title").textContent = t("people.viewers", { count: viewers.length });
    part(this, "viewer-section").hidden = viewers.length === 0;
    const waitingTotal = Math.max(model.knocksTotal ?? 0, model.knocks.length);
    part(this, "knock-section").hidden = !model.isHost || waitingTotal === 0;
    part(this, "knock-title").textContent = t("people.waiting", { count: waitingTotal });

    const seen = new Set();
    for (const [list, group] of /** @type {const} */ ([["people", senders], ["viewers", viewers]])) {
      const ul = part(this, list);
      for (const p of group) {
        seen.add(p.id);
        const row = this.#rows.get(p.id) ?? this.#personRow();
        this.#rows.set(p.id, row);
        this.#updatePerson(row, /** @type {Participant & {isMe?: boolean}} */ (p), model);
        ul.append(row);
      }
    }
    for (const [id, row] of this.#rows) {
      if (!seen.has(id)) {
        row.remove();
        this.#rows.delete(id);
      }
    }

    const knocks = part(this, "knocks");
    const waiting = new Set();
    const shown = model.isHost ? model.knocks.slice(0, KNOCK_ROWS) : [];
    for (const k of shown) {
      waiting.add(k.id);
      const row = this.#knockRows.get(k.id) ?? this.#knockRow();
      this.#knockRows.set(k.id, row);
      this.#updateKnock(row, k);
      knocks.append(row);
    }
    for (const [id, row] of this.#knockRows) {
      if (!waiting.has(id)) {
        row.remove();
        this.#knockRows.delete(id);
      }
    }
    // A crowd at the door is a count, not a thousand rows: the page must stay responsive.
    const rest = model.isHost ? waitingTotal - shown.length : 0;
    this.#knockMore.hidden = rest <= 0;
    this.#knockMore.textContent = rest > 0 ? t("people.waitingMore", { count: rest }) : "";
    knocks.append(this.#knockMore);
  }

  #personRow() {
    return h("li", { class: "person", dataset: { testid: "person" } },
      h("span", { class: "avatar", attrs: { "aria-hidden": "true" } }),
      h("div", { class: "person-main" }, h("span", { class: "person-name" }), h("span", { class: "role-badge" }), h("span", { class: "person-status" })),
      h("span", { class: "person-media", attrs: { "aria-hidden": "true" } }, h("span", { class: "pm-mic" }), h("span", { class: "pm-cam" })));
  }

  /** Host controls exist only on a host's page, and not on the host's own row. */
  #hostActions() {
    return h("div", { class: "person-actions" },
      actionButton("person-mute", "mic-off"), actionButton("person-camera-off", "camera-off"),
      actionButton("person-spotlight", "star"), actionButton("person-remove", "remove", "danger"));
  }

  /** @param {HTMLElement} row @param {Participant & {isMe?: boolean}} p @param {PeopleModel} model */
  #updatePerson(row, p, model) {
    const name = nameOf(p);
    const viewer = p.role === "viewer";
    row.dataset.participantId = p.id;
    row.dataset.role = p.role;
    /** @type {HTMLElement} */ (row.querySelector(".avatar")).textContent = initials(name);
    /** @type {HTMLElement} */ (row.querySelector(".person-name")).textContent = p.isMe ? t("people.you", { name }) : name;
    const badge = /** @type {HTMLElement} */ (row.querySelector(".role-badge"));
    badge.textContent = p.role === "host" ? t("role.host") : p.role === "owner" ? t("role.owner") : p.role === "member" ? t("role.member") : viewer ? t("role.viewer") : "";
    badge.hidden = !badge.textContent;
    const status = [];
    if (p.reconnecting) status.push(t("people.reconnecting"));
    if (model.spotlight === p.id) status.push(t("people.spotlighted"));
    if (p.screen) status.push(t("people.sharing"));
    /** @type {HTMLElement} */ (row.querySelector(".person-status")).textContent = status.join(" · ");
    const media = /** @type {HTMLElement} */ (row.querySelector(".person-media"));
    media.hidden = viewer;
    setIcon(/** @type {HTMLElement} */ (row.querySelector(".pm-mic")), p.audio ? "mic" : "mic-off");
    setIcon(/** @type {HTMLElement} */ (row.querySelector(".pm-cam")), p.video ? "camera" : "camera-off");
    /** @type {HTMLElement} */ (row.querySelector(".pm-mic")).classList.toggle("off", !p.audio);
    /** @type {HTMLElement} */ (row.querySelector(".pm-cam")).classList.toggle("off", !p.video);
    let actions = /** @type {HTMLElement | null} */ (row.querySelector(".person-actions"));
    if (!model.isHost) {
      actions?.remove();
      return;
    }
    if (!actions) row.append((actions = this.#hostActions()));
    const controls = actions;
    /** @param {string} id @param {string} label @param {boolean} show @param {boolean} [enabled] */
    const set = (id, label, show, enabled = true) => {
      const b = /** @type {HTMLButtonElement} */ (controls.querySelector(`[data-testid=${id}]`));
      b.hidden = !show;
      b.disabled = !enabled;
      b.setAttribute("aria-label", label);
      b.title = label;
    };
    // On my own row a host has the spotlight only (muting or removing oneself is done elsewhere).
    const other = !p.isMe;
    set("person-mute", t("people.mute", { name }), other && !viewer, p.audio);
    set("person-camera-off", t("people.cameraOff", { name }), other && !viewer, p.video);
    const lit = model.spotlight === p.id;
    set("person-spotlight", lit ? t("people.unspotlight", { name }) : t("people.spotlight", { name }), !viewer);
    /** @type {HTMLElement} */ (controls.querySelector("[data-testid=person-spotlight]")).setAttribute("aria-pressed", String(lit));
    set("person-remove", t("people.remove", { name }), other);
  }

  #knockRow() {
    const inputId = `knock-msg-${Math.random().toString(36).slice(2)}`;
    return h("li", { class: "knock", dataset: { testid: "knock" } },
      h("div", { class: "knock-head" },
        h("span", { class: "avatar", attrs: { "aria-hidden": "true" } }),
        h("div", { class: "person-main" }, h("span", { class: "person-name" }), h("span", { class: "person-status" }))),
      h("label", { class: "sr-only", htmlFor: inputId }),
      h("input", { id: inputId, class: "input knock-message", type: "text", maxLength: 500, dataset: { testid: "knock-hold-message" } }),
      h("div", { class: "knock-actions" },
        h("button", { type: "button", class: "btn btn-primary btn-small", dataset: { testid: "knock-admit", action: "knock-admit" } }),
        h("button", { type: "button", class: "btn btn-small", dataset: { testid: "knock-hold", action: "knock-hold" } }),
        h("button", { type: "button", class: "btn btn-small btn-danger", dataset: { testid: "knock-reject", action: "knock-reject" } })));
  }

  /** @param {HTMLElement} row @param {KnockRequest} k */
  #updateKnock(row, k) {
    const name = nameOf(k);
    row.dataset.participantId = k.id;
    row.dataset.held = String(k.held);
    /** @type {HTMLElement} */ (row.querySelector(".avatar")).textContent = initials(name);
    /** @type {HTMLElement} */ (row.querySelector(".person-name")).textContent = name;
    /** @type {HTMLElement} */ (row.querySelector(".person-status")).textContent =
      k.held ? t("knock.heldWith", { message: k.message ?? "" }) : t("knock.since", { time: k.at ? formatTime(k.at) : "" });
    /** @type {HTMLElement} */ (row.querySelector("label")).textContent = t("knock.messageLabel", { name });
    /** @type {HTMLInputElement} */ (row.querySelector("input")).placeholder = t("knock.messagePlaceholder");
    /** @param {string} id @param {string} text @param {string} label */
    const set = (id, text, label) => {
      const b = /** @type {HTMLElement} */ (row.querySelector(`[data-testid=${id}]`));
      b.textContent = text;
      b.setAttribute("aria-label", label);
    };
    set("knock-admit", t("knock.admit"), t("knock.admitName", { name }));
    set("knock-hold", t("knock.hold"), t("knock.holdName", { name }));
    set("knock-reject", t("knock.reject"), t("knock.rejectName", { name }));
  }
}

export function registerSalonPeople() {
  adoptStyle(new URL("../panel.css", import.meta.url).href);
  adoptStyle(new URL("./salon-people.css", import.meta.url).href);
  if (!customElements.get("salon-people")) customElements.define("salon-people", SalonPeople);
}
