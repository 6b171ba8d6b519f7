/**
 * <salon-more>: the "…" toolbar button and its menu of secondary actions, after the ARIA menu
 * button pattern: Enter, Space or ArrowDown open the menu on its first item, ArrowUp on its last;
 * ArrowUp/ArrowDown, Home and End move; Escape closes it and returns to the button; Tab or a click
 * elsewhere closes it. Choosing an item closes the menu and sends the item's intent.
 *
 * Set `more.model = {label, title, showLabel, items}`; each item `{id, intent, label, checked?}`
 * becomes `data-testid="more-<id>"` (a `menuitemcheckbox` with aria-checked when `checked` is a
 * boolean). The button is `data-testid="toggle-more"`, the menu `data-testid="more-menu"`.
 */

import { adoptStyle, h, html, intent, part, setHTML } from "../../dom.js";
import { setIcon } from "../../icons.js";

/** @typedef {{id: string, intent: string, label: string, checked?: boolean, detail?: Record<string, unknown>}} MoreItem */
/** @typedef {{label: string, title: string, items: MoreItem[]}} MoreModel */

export class SalonMore extends HTMLElement {
  #built = false;
  /** @type {MoreItem[]} */ #items = [];
  #rebuilding = false;
  #onOutside = (/** @type {Event} */ event) => {
    if (!this.contains(/** @type {Node} */ (event.target))) this.close();
  };

  #build() {
    this.#built = true;
    setHTML(this, html`
      <button type="button" class="tb-btn" data-testid="toggle-more" data-part="button" aria-haspopup="menu" aria-expanded="false" aria-controls="salon-more-menu">
        <span class="tb-icon" data-part="icon"></span><span class="tb-label" data-part="label"></span>
      </button>
      <div class="more-menu" id="salon-more-menu" role="menu" data-testid="more-menu" data-part="menu" hidden></div>`);
    setIcon(part(this, "icon"), "more");
    const button = part(this, "button");
    button.addEventListener("click", () => (this.isOpen ? this.close() : this.open(0)));
    button.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        event.stopPropagation();
        this.open(event.key === "ArrowDown" ? 0 : -1);
      }
    });
    const menu = part(this, "menu");
    menu.addEventListener("keydown", (event) => this.#keys(event));
    menu.addEventListener("click", (event) => {
      const item = /** @type {HTMLElement} */ (event.target).closest("[data-index]");
      if (item instanceof HTMLElement) this.#choose(Number(item.dataset.index));
    });
    this.addEventListener("focusout", (event) => {
      if (this.isOpen && !this.#rebuilding && !this.contains(/** @type {Node | null} */ (event.relatedTarget))) this.close(false);
    });
  }

  get isOpen() {
    return this.#built && !part(this, "menu").hidden;
  }

  /** @param {MoreModel} model */
  set model(model) {
    if (!this.#built) this.#build();
    const button = part(this, "button");
    part(this, "label").textContent = model.label;
    button.setAttribute("aria-label", model.label);
    button.title = model.title;
    const menu = part(this, "menu");
    menu.setAttribute("aria-label", model.title);
    this.#items = model.items;
    // Same items as before: update them in place, so an open menu keeps its focus.
    const signature = model.items.map((item) => `${item.id}:${typeof item.checked}`).join("|");
    if (menu.dataset.signature !== signature) {
      const focused = this.isOpen ? [...menu.children].indexOf(/** @type {Element} */ (document.activeElement)) : -1;
      menu.dataset.signature = signature;
      this.#rebuilding = true;
      menu.replaceChildren(...model.items.map((item, index) => h("button", {
        type: "button", class: "more-item", tabIndex: -1,
        dataset: { testid: `more-${item.id}`, index: String(index) },
        attrs: { role: typeof item.checked === "boolean" ? "menuitemcheckbox" : "menuitem" },
      })));
      this.#rebuilding = false;
      if (focused >= 0) this.#focus(Math.min(focused, model.items.length - 1));
    }
    model.items.forEach((item, index) => {
      const element = /** @type {HTMLElement} */ (menu.children[index]);
      element.textContent = item.label;
      if (typeof item.checked === "boolean") element.setAttribute("aria-checked", String(item.checked));
    });
    if (model.items.length === 0) this.close(false);
  }

  /** Open the menu with focus on item `index` (negative counts from the end). @param {number} index */
  open(index) {
    if (this.#items.length === 0) return;
    part(this, "menu").hidden = false;
    part(this, "button").setAttribute("aria-expanded", "true");
    document.addEventListener("pointerdown", this.#onOutside, true);
    this.#focus(index < 0 ? this.#items.length + index : index);
  }

  /** @param {boolean} [refocus] put the focus back on the button */
  close(refocus = true) {
    if (!this.isOpen) return;
    part(this, "menu").hidden = true;
    part(this, "button").setAttribute("aria-expanded", "false");
    document.removeEventListener("pointerdown", this.#onOutside, true);
    if (refocus) part(this, "button").focus();
  }

  /** @param {number} index */
  #focus(index) {
    const items = /** @type {HTMLElement[]} */ ([...part(this, "menu").children]);
    items[(index + items.length) % items.length]?.focus();
  }

  /** @param {number} index */
  #choose(index) {
    const item = this.#items[index];
    this.close();
    if (item) intent(this, item.intent, item.detail ?? {});
  }

  /** @param {KeyboardEvent} event */
  #keys(event) {
    const items = [...part(this, "menu").children];
    const at = items.indexOf(/** @type {Element} */ (document.activeElement));
    const moves = /** @type {Record<string, number>} */ ({ ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: items.length - 1 });
    if (event.key in moves) this.#focus(moves[event.key]);
    else if (event.key === "Escape") this.close();
    else if (event.key === "Tab") return this.close(false);
    else return;
    event.preventDefault();
    event.stopPropagation(); // the toolbar's arrows and the page's Escape are not for the menu
  }
}

export function registerSalonMore() {
  adoptStyle(new URL("./salon-more.css", import.meta.url).href);
  if (!customElements.get("salon-more")) customElements.define("salon-more", SalonMore);
}
