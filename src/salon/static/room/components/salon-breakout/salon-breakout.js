/**
 * <salon-breakout>: the host's breakout groups panel. Before a session it edits a plan (group
 * names, who goes where, shuffle, "let participants choose") and starts it; during a session it
 * moves people at once, lets the host visit a group or come back, broadcast to every group, and
 * end the session. People move by dragging their row onto a group, or with the row's select
 * (keyboard and touch). Set `breakout.model` (a BreakoutModel); everything is sent as intents.
 *
 * data-testid: breakout-panel (data-running), breakout-close, breakout-group (data-group) with
 * breakout-group-name (an input while planning), breakout-group-remove, breakout-visit;
 * breakout-main; breakout-person (data-participant-id, data-group, "" for the main room) with
 * breakout-assign (a select); breakout-add-group, breakout-shuffle, breakout-allow-choose,
 * breakout-start, breakout-problem, breakout-return, breakout-broadcast-input,
 * breakout-broadcast-send, breakout-end.
 */

import { adoptStyle, h, html, intent, part, setHTML } from "../../dom.js";
import { icon, setIcon } from "../../icons.js";
import { t } from "../../i18n.js";
import { MAX_GROUPS } from "../../params.js";
import { GROUP_NAME_MAX } from "../../breakout.js";
import { CHAT_MAX_CHARS } from "../../protocol.js";

/**
 * @typedef {{id: string, name: string}} BreakoutPerson
 * @typedef {{running: boolean, groups: string[], assignments: Record<string, number>,
 *   allowChoose: boolean, people: BreakoutPerson[], myGroup: number | null,
 *   problem: string | null}} BreakoutModel
 */

/** Whose row is being dragged (dataTransfer cannot be read during dragover). */
const DRAG_TYPE = "application/x-salon-participant";

export class SalonBreakout extends HTMLElement {
  #built = false;
  /** @type {Map<string, HTMLElement>} */ #rows = new Map();
  /** @type {HTMLElement[]} */ #groups = [];

  #build() {
    this.#built = true;
    this.dataset.testid = "breakout-panel";
    this.setAttribute("role", "complementary");
    setHTML(this, html`
      <header class="panel-header">
        <h2 data-part="title"></h2>
        <button type="button" class="btn btn-ghost btn-icon btn-small" data-part="close" data-testid="breakout-close">${icon("close")}</button>
      </header>
      <div class="bo-scroll">
        <p class="bo-hint" data-part="hint"></p>
        <div class="bo-groups" data-part="groups"></div>
        <section class="bo-group bo-main" data-testid="breakout-main" data-part="main" data-group="">
          <h3 class="bo-group-title"><span data-part="main-title"></span> <span class="bo-count" data-part="main-count"></span></h3>
          <ul class="bo-people" data-part="main-people"></ul>
        </section>
        <div class="bo-actions" data-part="plan-actions">
          <button type="button" class="btn btn-small" data-testid="breakout-add-group" data-part="add"></button>
          <button type="button" class="btn btn-small" data-testid="breakout-shuffle" data-part="shuffle"></button>
        </div>
        <label class="bo-check" data-part="choose-row">
          <input type="checkbox" data-testid="breakout-allow-choose" data-part="allow-choose"><span data-part="allow-choose-label"></span>
        </label>
        <p class="field-error" role="alert" data-testid="breakout-problem" data-part="problem" hidden></p>
        <form class="bo-broadcast" data-part="broadcast" hidden>
          <label class="field"><span data-part="broadcast-label"></span>
            <textarea class="input" rows="2" maxlength="${CHAT_MAX_CHARS}" data-testid="breakout-broadcast-input" data-part="broadcast-input"></textarea>
          </label>
          <button type="submit" class="btn btn-small" data-testid="breakout-broadcast-send" data-part="broadcast-send"></button>
        </form>
      </div>
      <footer class="bo-footer">
        <button type="button" class="btn btn-small" data-testid="breakout-return" data-part="return" hidden></button>
        <button type="button" class="btn btn-primary" data-testid="breakout-start" data-part="start"></button>
        <button type="button" class="btn btn-danger" data-testid="breakout-end" data-part="end" hidden></button>
      </footer>`);
    part(this, "close").addEventListener("click", () => intent(this, "toggle-breakout", { on: false }));
    part(this, "add").addEventListener("click", () => intent(this, "breakout-add-group"));
    part(this, "shuffle").addEventListener("click", () => intent(this, "breakout-shuffle"));
    part(this, "start").addEventListener("click", () => intent(this, "breakout-start"));
    part(this, "end").addEventListener("click", () => intent(this, "breakout-end"));
    part(this, "return").addEventListener("click", () => intent(this, "breakout-visit", { group: null }));
    const allow = /** @type {HTMLInputElement} */ (part(this, "allow-choose"));
    allow.addEventListener("change", () => intent(this, "breakout-plan", { op: { type: "allow-choose", on: allow.checked } }));
    const form = part(this, "broadcast");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const input = /** @type {HTMLTextAreaElement} */ (part(this, "broadcast-input"));
      const text = input.value.trim();
      if (!text) return;
      intent(this, "breakout-broadcast", { text });
      input.value = "";
    });
    this.#droppable(part(this, "main"));
    this.addEventListener("change", (event) => {
      const select = /** @type {HTMLElement} */ (event.target);
      if (!(select instanceof HTMLSelectElement) || select.dataset.testid !== "breakout-assign") return;
      const row = /** @type {HTMLElement} */ (select.closest("[data-participant-id]"));
      intent(this, "breakout-assign", { participantId: row.dataset.participantId, group: select.value === "" ? null : Number(select.value) });
    });
  }

  /** A group (or the main room) that people can be dropped on. @param {HTMLElement} target */
  #droppable(target) {
    target.addEventListener("dragover", (event) => {
      if (!event.dataTransfer?.types.includes(DRAG_TYPE)) return;
      event.preventDefault();
      target.classList.add("is-drop");
    });
    target.addEventListener("dragleave", () => target.classList.remove("is-drop"));
    target.addEventListener("drop", (event) => {
      target.classList.remove("is-drop");
      const id = event.dataTransfer?.getData(DRAG_TYPE);
      if (!id) return;
      event.preventDefault();
      const group = target.dataset.group === "" ? null : Number(target.dataset.group);
      intent(this, "breakout-assign", { participantId: id, group });
    });
  }

  /** @param {BreakoutModel} model */
  set model(model) {
    if (!this.#built) this.#build();
    this.dataset.running = String(model.running);
    this.setAttribute("aria-label", t("breakout.title"));
    part(this, "title").textContent = t("breakout.title");
    part(this, "close").setAttribute("aria-label", t("breakout.close"));
    part(this, "hint").textContent = model.people.length === 0 ? t("breakout.empty") : t("breakout.hint");
    part(this, "main-title").textContent = t("breakout.mainRoom");
    part(this, "add").textContent = t("breakout.addGroup");
    part(this, "add").hidden = model.running;
    /** @type {HTMLButtonElement} */ (part(this, "add")).disabled = model.groups.length >= MAX_GROUPS;
    part(this, "shuffle").textContent = t("breakout.shuffle");
    /** @type {HTMLButtonElement} */ (part(this, "shuffle")).disabled = model.people.length === 0;
    const allow = /** @type {HTMLInputElement} */ (part(this, "allow-choose"));
    allow.checked = model.allowChoose;
    allow.disabled = model.running; // the server fixes it when the session starts
    part(this, "allow-choose-label").textContent = t("breakout.allowChoose");
    const problem = part(this, "problem");
    problem.hidden = model.running || model.problem === null;
    problem.textContent = model.problem ? t(`breakout.problem.${model.problem}`) : "";
    part(this, "start").textContent = t("breakout.start");
    part(this, "start").hidden = model.running;
    /** @type {HTMLButtonElement} */ (part(this, "start")).disabled = model.problem !== null;
    part(this, "end").textContent = t("breakout.end");
    part(this, "end").hidden = !model.running;
    part(this, "return").textContent = t("breakout.return");
    part(this, "return").hidden = !model.running || model.myGroup === null;
    part(this, "broadcast").hidden = !model.running;
    part(this, "broadcast-label").textContent = t("breakout.broadcastLabel");
    part(this, "broadcast-input").setAttribute("placeholder", t("breakout.broadcastPlaceholder"));
    part(this, "broadcast-send").textContent = t("breakout.broadcastSend");
    this.#renderGroups(model);
    this.#renderPeople(model);
  }

  /** One section per group, kept by index so a name being typed keeps its focus. @param {BreakoutModel} model */
  #renderGroups(model) {
    const holder = part(this, "groups");
    while (this.#groups.length > model.groups.length) /** @type {HTMLElement} */ (this.#groups.pop()).remove();
    while (this.#groups.length < model.groups.length) {
      const section = this.#groupSection(this.#groups.length);
      this.#groups.push(section);
      holder.append(section);
    }
    model.groups.forEach((name, index) => {
      const section = this.#groups[index];
      const input = /** @type {HTMLInputElement} */ (section.querySelector("[data-testid=breakout-group-name]"));
      const label = /** @type {HTMLElement} */ (section.querySelector(".bo-name"));
      input.hidden = model.running;
      label.hidden = !model.running;
      label.textContent = name;
      if (document.activeElement !== input) input.value = name;
      input.setAttribute("aria-label", t("breakout.groupName", { n: index + 1 }));
      input.setAttribute("aria-invalid", String(model.problem !== null && !model.running && name.trim() === ""));
      const remove = /** @type {HTMLButtonElement} */ (section.querySelector("[data-testid=breakout-group-remove]"));
      remove.hidden = model.running;
      remove.disabled = model.groups.length <= 1;
      remove.setAttribute("aria-label", t("breakout.removeGroup", { group: name }));
      remove.title = t("breakout.removeGroup", { group: name });
      const visit = /** @type {HTMLElement} */ (section.querySelector("[data-testid=breakout-visit]"));
      visit.hidden = !model.running || model.myGroup === index;
      visit.textContent = t("breakout.visit");
      visit.setAttribute("aria-label", t("breakout.visitName", { group: name }));
      section.classList.toggle("is-mine", model.running && model.myGroup === index);
    });
  }

  /** @param {number} index */
  #groupSection(index) {
    const input = h("input", { class: "input bo-name-input", type: "text", maxLength: GROUP_NAME_MAX, dataset: { testid: "breakout-group-name" } });
    input.addEventListener("input", () => intent(this, "breakout-plan", { op: { type: "rename", group: index, name: /** @type {HTMLInputElement} */ (input).value } }));
    const remove = h("button", { type: "button", class: "btn btn-ghost btn-icon btn-small", dataset: { testid: "breakout-group-remove" } });
    setIcon(remove, "close");
    remove.addEventListener("click", () => intent(this, "breakout-plan", { op: { type: "remove", group: index } }));
    const visit = h("button", { type: "button", class: "btn btn-small", dataset: { testid: "breakout-visit" } });
    visit.addEventListener("click", () => intent(this, "breakout-visit", { group: index }));
    const section = h("section", { class: "bo-group", dataset: { testid: "breakout-group", group: String(index) } },
      h("div", { class: "bo-group-head" }, h("h3", { class: "bo-group-title" }, h("span", { class: "bo-name" }), input, h("span", { class: "bo-count" })), visit, remove),
      h("ul", { class: "bo-people" }));
    this.#droppable(section);
    return section;
  }

  /** Each person's row sits in their group's list (or the main room's). @param {BreakoutModel} model */
  #renderPeople(model) {
    const lists = [...this.#groups.map((section) => /** @type {HTMLElement} */ (section.querySelector(".bo-people"))), part(this, "main-people")];
    const counts = new Array(lists.length).fill(0);
    const seen = new Set();
    const options = ["", ...model.groups.map((_, i) => String(i))];
    const labels = [t("breakout.mainRoom"), ...model.groups];
    for (const person of model.people) {
      seen.add(person.id);
      const row = this.#rows.get(person.id) ?? this.#personRow(person.id);
      this.#rows.set(person.id, row);
      const group = model.assignments[person.id] ?? null;
      row.dataset.group = group === null ? "" : String(group);
      /** @type {HTMLElement} */ (row.querySelector(".bo-person-name")).textContent = person.name;
      const select = /** @type {HTMLSelectElement} */ (row.querySelector("select"));
      select.setAttribute("aria-label", t("breakout.assignLabel", { name: person.name }));
      const signature = labels.join("\u0000");
      if (select.dataset.signature !== signature) {
        select.dataset.signature = signature;
        select.replaceChildren(...options.map((value, i) => h("option", { value, text: labels[i] })));
      }
      select.value = row.dataset.group;
      const index = group === null ? lists.length - 1 : group;
      counts[index] += 1;
      lists[index].append(row);
    }
    for (const [id, row] of this.#rows) {
      if (!seen.has(id)) {
        row.remove();
        this.#rows.delete(id);
      }
    }
    this.#groups.forEach((section, i) => {
      /** @type {HTMLElement} */ (section.querySelector(".bo-count")).textContent = t("breakout.groupCount", { count: counts[i] });
    });
    part(this, "main-count").textContent = t("breakout.groupCount", { count: counts[counts.length - 1] });
  }

  /** @param {string} id */
  #personRow(id) {
    const row = h("li", { class: "bo-person", draggable: true, dataset: { testid: "breakout-person", participantId: id } },
      h("span", { class: "bo-grip", attrs: { "aria-hidden": "true" }, text: "⠿" }),
      h("span", { class: "bo-person-name" }),
      h("select", { class: "select bo-select", dataset: { testid: "breakout-assign" } }));
    row.addEventListener("dragstart", (event) => {
      event.dataTransfer?.setData(DRAG_TYPE, id);
      if (event.dataTransfer) event.dataTransfer.effectAllowed = "move";
    });
    return row;
  }
}

export function registerSalonBreakout() {
  adoptStyle(new URL("../panel.css", import.meta.url).href);
  adoptStyle(new URL("./salon-breakout.css", import.meta.url).href);
  if (!customElements.get("salon-breakout")) customElements.define("salon-breakout", SalonBreakout);
}
