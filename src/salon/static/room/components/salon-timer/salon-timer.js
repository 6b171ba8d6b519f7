/**
 * <salon-timer>: the meeting clock ("12:34"), counting up from `startedAt`; hidden while there is
 * none. Set `timer.model = {startedAt}` (epoch ms or null). `data-testid="meeting-timer"`,
 * `data-running="true|false"`. A `timer` role (polite screen readers do not read every tick).
 */

import { t } from "../../i18n.js";
import { formatDuration } from "../../ui.js";

export class SalonTimer extends HTMLElement {
  /** @type {number | null} */ #startedAt = null;
  /** @type {ReturnType<typeof setInterval> | null} */ #tick = null;

  connectedCallback() {
    this.dataset.testid = "meeting-timer";
    this.setAttribute("role", "timer");
    this.#render();
  }

  disconnectedCallback() {
    this.#stop();
  }

  /** @param {{startedAt: number | null}} model */
  set model({ startedAt }) {
    this.setAttribute("aria-label", t("timer.label"));
    this.title = t("timer.label");
    if (startedAt === this.#startedAt) return;
    this.#startedAt = startedAt;
    this.#stop();
    if (startedAt !== null) this.#tick = setInterval(() => this.#render(), 1000);
    this.#render();
  }

  #stop() {
    if (this.#tick !== null) clearInterval(this.#tick);
    this.#tick = null;
  }

  #render() {
    const running = this.#startedAt !== null;
    this.hidden = !running;
    this.dataset.running = String(running);
    this.textContent = running ? formatDuration(Date.now() - /** @type {number} */ (this.#startedAt)) : "";
    if (running) this.dataset.startedAt = String(this.#startedAt);
    else delete this.dataset.startedAt;
  }
}

export function registerSalonTimer() {
  if (!customElements.get("salon-timer")) customElements.define("salon-timer", SalonTimer);
}
