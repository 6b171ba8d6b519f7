/**
 * <salon-knock>: the page a visitor sees in front of a locked room. Knock, wait (with a host's
 * "on hold" message when there is one), or cancel. Set `knock.model = {status, message}`.
 */

import { adoptStyle, html, intent, part, setHTML } from "../../dom.js";
import { icon } from "../../icons.js";
import { t } from "../../i18n.js";

export class SalonKnock extends HTMLElement {
  #built = false;

  #build() {
    this.#built = true;
    this.setAttribute("data-testid", "knock-page");
    this.classList.add("screen-center");
    setHTML(this, html`
      <section class="card" aria-labelledby="salon-knock-title">
        <span class="card-icon" data-part="icon">${icon("lock")}</span>
        <h1 id="salon-knock-title" data-part="title"></h1>
        <p data-part="text"></p>
        <div class="knock-status" data-testid="knock-status" data-part="status" role="status" aria-live="polite">
          <div class="spinner" data-part="spinner" aria-hidden="true" hidden></div>
          <p data-part="status-text"></p>
          <blockquote class="quote" data-part="message" hidden></blockquote>
        </div>
        <div class="card-actions">
          <button type="button" class="btn btn-primary" data-testid="knock-button" data-part="knock">${icon("door")}<span data-part="knock-text"></span></button>
          <button type="button" class="btn" data-testid="knock-cancel" data-part="cancel"></button>
        </div>
      </section>`);
    part(this, "knock").addEventListener("click", () => intent(this, "knock"));
    part(this, "cancel").addEventListener("click", () => intent(this, "cancel-knock"));
  }

  /** @param {{status: 'idle' | 'knocking' | 'held', message: string | null}} model */
  set model(model) {
    if (!this.#built) this.#build();
    const waiting = model.status !== "idle";
    const status = part(this, "status");
    status.dataset.status = model.status;
    part(this, "title").textContent = waiting ? t("knock.waitingTitle") : t("knock.lockedTitle");
    part(this, "text").textContent = waiting ? t("knock.waitingText") : t("knock.lockedText");
    part(this, "spinner").hidden = !waiting;
    part(this, "status-text").textContent =
      model.status === "held" ? t("knock.heldStatus") : model.status === "knocking" ? t("knock.knockingStatus") : "";
    const message = part(this, "message");
    message.hidden = !(model.status === "held" && model.message);
    message.textContent = model.message ?? "";
    const knock = part(this, "knock");
    knock.hidden = waiting;
    part(this, "knock-text").textContent = t("knock.knock");
    const cancel = part(this, "cancel");
    cancel.hidden = !waiting;
    cancel.textContent = t("knock.cancel");
  }

  focusAction() {
    const knock = part(this, "knock");
    (knock.hidden ? part(this, "cancel") : knock).focus();
  }
}

export function registerSalonKnock() {
  adoptStyle(new URL("./salon-knock.css", import.meta.url).href);
  if (!customElements.get("salon-knock")) customElements.define("salon-knock", SalonKnock);
}
