/**
 * <salon-toasts>: short notifications ("Ada is knocking", "A host muted your microphone"), also
 * read out by screen readers. `toasts.show({text, action?: {label, intent, detail}})`.
 */

import { adoptStyle, h, intent } from "../../dom.js";
import { setIcon } from "../../icons.js";
import { t } from "../../i18n.js";

const SHOW_MS = 6000;

export class SalonToasts extends HTMLElement {
  connectedCallback() {
    this.setAttribute("role", "status");
    this.setAttribute("aria-live", "polite");
  }

  /** Remove every toast (the room is over). */
  clear() {
    this.replaceChildren();
  }

  /** @param {{text: string, action?: {label: string, intent: string, detail?: Record<string, unknown>}, key?: string}} toast */
  show({ text, action, key }) {
    if (key) this.querySelector(`[data-key="${CSS.escape(key)}"]`)?.remove();
    const close = h("button", { type: "button", class: "btn btn-ghost btn-icon btn-small", attrs: { "aria-label": t("toast.dismiss") } });
    setIcon(close, "close");
    const item = h("div", { class: "toast", dataset: { key: key ?? "" } },
      h("span", { class: "toast-text", text }),
      action ? h("button", { type: "button", class: "btn btn-small", text: action.label, on: { click: () => (intent(this, action.intent, action.detail), item.remove()) } }) : null,
      close);
    close.addEventListener("click", () => item.remove());
    this.append(item);
    while (this.childElementCount > 3) this.firstElementChild?.remove();
    setTimeout(() => item.remove(), SHOW_MS);
  }
}

export function registerSalonToasts() {
  adoptStyle(new URL("./salon-toasts.css", import.meta.url).href);
  if (!customElements.get("salon-toasts")) customElements.define("salon-toasts", SalonToasts);
}
