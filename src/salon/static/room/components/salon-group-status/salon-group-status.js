/**
 * <salon-group-status>: during a breakout session, which group I am in ("You're in Orange", or
 * the main room), in the room header; when the host lets participants choose, a select to move
 * myself. Hidden outside a session. Set `status.model = {groups, group, allowChoose}` (groups
 * empty: no session). data-testid="breakout-status" (data-group: the index, "" for the main
 * room) with breakout-choose (the select).
 */

import { adoptStyle, h, intent } from "../../dom.js";
import { t } from "../../i18n.js";

/** @typedef {{groups: string[], group: number | null, allowChoose: boolean}} GroupStatusModel */

export class SalonGroupStatus extends HTMLElement {
  #built = false;
  /** @type {HTMLElement} */ #text = h("span", { class: "gs-text" });
  /** @type {HTMLSelectElement} */ #select = /** @type {HTMLSelectElement} */ (h("select", { class: "select gs-select", dataset: { testid: "breakout-choose" } }));

  #build() {
    this.#built = true;
    this.dataset.testid = "breakout-status";
    this.setAttribute("role", "status");
    this.append(this.#text, this.#select);
    this.#select.addEventListener("change", () => {
      intent(this, "breakout-choose", { group: this.#select.value === "" ? null : Number(this.#select.value) });
    });
  }

  /** @param {GroupStatusModel} model */
  set model({ groups, group, allowChoose }) {
    if (!this.#built) this.#build();
    this.hidden = groups.length === 0;
    this.dataset.group = group === null ? "" : String(group);
    this.#text.textContent = group === null ? t("breakout.statusMain") : t("breakout.status", { group: groups[group] });
    this.#select.hidden = !allowChoose;
    this.#select.setAttribute("aria-label", t("breakout.chooseLabel"));
    const labels = [t("breakout.mainRoom"), ...groups];
    const signature = labels.join("\u0000");
    if (this.#select.dataset.signature !== signature) {
      this.#select.dataset.signature = signature;
      this.#select.replaceChildren(...labels.map((text, i) => h("option", { value: i === 0 ? "" : String(i - 1), text })));
    }
    this.#select.value = this.dataset.group;
  }
}

export function registerSalonGroupStatus() {
  adoptStyle(new URL("./salon-group-status.css", import.meta.url).href);
  if (!customElements.get("salon-group-status")) customElements.define("salon-group-status", SalonGroupStatus);
}
