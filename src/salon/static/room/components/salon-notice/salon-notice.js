/**
 * <salon-notice>: the screens after a room: left, removed, ended, full, rejected, deleted, error.
 * Set `notice.model = {kind, reason, message, capacity}`. "Rejoin" reloads the page.
 */

import { adoptStyle, html, intent, part, setHTML } from "../../dom.js";
import { icon, setIcon } from "../../icons.js";
import { t } from "../../i18n.js";

/** @typedef {import('../../state.js').Notice} Notice */

/** @type {Record<string, string>} */
const ICONS = { left: "leave", removed: "remove", ended: "power", full: "people", rejected: "lock", deleted: "alert", error: "wifi" };
/** Kinds after which trying again makes sense. */
const CAN_REJOIN = new Set(["left", "full", "error"]);

export class SalonNotice extends HTMLElement {
  #built = false;

  #build() {
    this.#built = true;
    this.setAttribute("data-testid", "notice");
    this.classList.add("screen-center");
    setHTML(this, html`
      <section class="card" role="alert" aria-labelledby="salon-notice-title">
        <span class="card-icon" data-part="icon">${icon("leave")}</span>
        <h1 id="salon-notice-title" data-part="title" tabindex="-1"></h1>
        <p data-part="text"></p>
        <blockquote class="quote" data-part="message" hidden></blockquote>
        <div class="card-actions"><button type="button" class="btn btn-primary" data-part="rejoin"></button></div>
      </section>`);
    part(this, "rejoin").addEventListener("click", () => intent(this, "rejoin"));
  }

  /** @param {Notice} model */
  set model(model) {
    if (!this.#built) this.#build();
    this.dataset.kind = model.kind;
    this.dataset.reason = model.reason ?? "";
    const key = model.reason === "replaced" ? "notice.replaced" : model.reason === "no-such-room" ? "notice.noRoom" : `notice.${model.kind}`;
    setIcon(part(this, "icon"), ICONS[model.kind] ?? "alert");
    part(this, "title").textContent = t(`${key}.title`);
    // `count` picks the plural form ("It holds 1 person").
    part(this, "text").textContent = t(`${key}.text`, { capacity: model.capacity ?? "", count: model.capacity ?? 0 });
    const message = part(this, "message");
    message.hidden = !model.message;
    message.textContent = model.message ? t("notice.hostSaid", { message: model.message }) : "";
    const rejoin = part(this, "rejoin");
    rejoin.hidden = !CAN_REJOIN.has(model.kind);
    rejoin.textContent = model.kind === "left" ? t("notice.rejoin") : t("notice.tryAgain");
  }

  focusTitle() {
    part(this, "title").focus();
  }
}

export function registerSalonNotice() {
  adoptStyle(new URL("./salon-notice.css", import.meta.url).href);
  if (!customElements.get("salon-notice")) customElements.define("salon-notice", SalonNotice);
}
