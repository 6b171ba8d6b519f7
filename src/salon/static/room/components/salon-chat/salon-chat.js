/**
 * <salon-chat>: the room's chat. Messages show sender and time; text is always text (never HTML).
 * Enter sends, Shift+Enter starts a new line. Set `chat.model = {messages, canSend}`; sending is
 * an intent `chat-send` with `{text}`.
 */

import { adoptStyle, h, html, intent, part, setHTML } from "../../dom.js";
import { icon } from "../../icons.js";
import { formatTime, t } from "../../i18n.js";
import { nameOf } from "../../names.js";
import { CHAT_MAX_CHARS } from "../../protocol.js";

/** @typedef {import('../../state.js').ChatMessage} ChatMessage */

export class SalonChat extends HTMLElement {
  #built = false;
  /** @type {Set<string>} */ #shown = new Set();

  #build() {
    this.#built = true;
    this.setAttribute("role", "complementary");
    setHTML(this, html`
      <header class="panel-header">
        <h2 data-part="title"></h2>
        <button type="button" class="btn btn-ghost btn-icon btn-small" data-part="close">${icon("close")}</button>
      </header>
      <ol class="chat-log" data-part="log" role="log" aria-live="polite" tabindex="0"></ol>
      <p class="chat-empty" data-part="empty"></p>
      <form class="chat-form" data-part="form">
        <label class="sr-only" for="salon-chat-input" data-part="input-label"></label>
        <textarea id="salon-chat-input" class="input chat-input" data-testid="chat-input" data-part="input" rows="1" maxlength="${CHAT_MAX_CHARS}"></textarea>
        <button type="submit" class="btn btn-primary btn-icon" data-testid="chat-send" data-part="send">${icon("send")}</button>
      </form>`);
    const input = /** @type {HTMLTextAreaElement} */ (part(this, "input"));
    part(this, "close").addEventListener("click", () => intent(this, "toggle-chat"));
    part(this, "form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.#send();
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.#send();
      }
    });
    input.addEventListener("input", () => {
      input.style.height = "auto";
      input.style.height = `${Math.min(input.scrollHeight, 140)}px`;
    });
  }

  #send() {
    const input = /** @type {HTMLTextAreaElement} */ (part(this, "input"));
    const text = input.value.trim();
    if (!text) return;
    intent(this, "chat-send", { text });
    input.value = "";
    input.style.height = "auto";
    input.focus();
  }

  focusInput() {
    /** @type {HTMLTextAreaElement} */ (part(this, "input")).focus();
  }

  /** @param {{messages: ChatMessage[], canSend: boolean}} model */
  set model(model) {
    if (!this.#built) this.#build();
    this.setAttribute("aria-label", t("chat.title"));
    part(this, "title").textContent = t("chat.title");
    part(this, "close").setAttribute("aria-label", t("chat.close"));
    part(this, "input-label").textContent = t("chat.inputLabel");
    part(this, "input").setAttribute("placeholder", t("chat.placeholder"));
    part(this, "send").setAttribute("aria-label", t("chat.send"));
    part(this, "empty").textContent = t("chat.empty");
    part(this, "empty").hidden = model.messages.length > 0;
    part(this, "form").hidden = !model.canSend;

    const log = part(this, "log");
    const nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 48;
    const ids = new Set(model.messages.map((m) => m.id));
    for (const item of [...log.children]) {
      const id = /** @type {HTMLElement} */ (item).dataset.id ?? "";
      if (!ids.has(id)) {
        item.remove(); // dropped off the history limit
        this.#shown.delete(id);
      }
    }
    let added = false;
    for (const message of model.messages) {
      if (this.#shown.has(message.id)) continue;
      this.#shown.add(message.id);
      log.append(this.#line(message));
      added = true;
    }
    if (added && (nearBottom || model.messages.at(-1)?.mine)) log.scrollTop = log.scrollHeight;
  }

  /** @param {ChatMessage} m */
  #line(m) {
    const when = new Date(m.at);
    return h("li", { class: m.mine ? "chat-message mine" : "chat-message", dataset: { id: m.id, from: m.from, testid: "chat-message", broadcast: String(m.broadcast) } },
      h("div", { class: "chat-meta" },
        h("span", { class: "chat-name", text: m.mine ? t("chat.you", { name: nameOf(m) }) : nameOf(m) }),
        m.broadcast && h("span", { class: "chat-broadcast", text: t("chat.broadcast") }),
        h("time", { class: "chat-time", dateTime: when.toISOString(), text: formatTime(m.at) })),
      h("p", { class: "chat-text", text: m.text }));
  }
}

export function registerSalonChat() {
  adoptStyle(new URL("../panel.css", import.meta.url).href);
  adoptStyle(new URL("./salon-chat.css", import.meta.url).href);
  if (!customElements.get("salon-chat")) customElements.define("salon-chat", SalonChat);
}
