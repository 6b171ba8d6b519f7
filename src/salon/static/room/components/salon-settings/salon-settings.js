/**
 * <salon-settings>: the settings dialog, opened by the toolbar's settings button (or the embed
 * command `open_settings`): camera, microphone and speaker, the language (unless
 * `localization=off`) and low-data mode. A modal <dialog>: focus stays inside and Escape closes it.
 *
 * Set `settings.model` (a SettingsModel). Every change is an intent: `choose-device`
 * {kind, deviceId}, `choose-speaker` {sinkId}, `set-language` {language}, `set-low-data` {on},
 * and `close-settings` when the dialog closes.
 */

import { adoptStyle, h, html, intent, part, setHTML } from "../../dom.js";
import { icon } from "../../icons.js";
import { bcp47, t } from "../../i18n.js";

/**
 * @typedef {{open: boolean, devices: MediaDeviceInfo[], current: {audio: string | null, video: string | null},
 *   sinkId: string | null, speakerSupported: boolean, canSend: boolean, cameraAccess: boolean,
 *   languages: string[] | null, language: string, lowData: boolean}} SettingsModel
 */

/** A language's own name ("français", "日本語"), capitalised. @param {string} code */
function languageName(code) {
  const tag = bcp47(code);
  let name = code;
  try {
    name = new Intl.DisplayNames([tag], { type: "language" }).of(tag) ?? code;
  } catch {
    // an engine without Intl.DisplayNames: the code itself
  }
  return name.charAt(0).toLocaleUpperCase(tag) + name.slice(1);
}

/**
 * Fill a select once per distinct option list, then pick the value.
 * @param {HTMLSelectElement} select @param {{value: string, label: string}[]} options @param {string | null} value
 */
function fill(select, options, value) {
  const signature = options.map((o) => `${o.value}:${o.label}`).join("|");
  if (select.dataset.signature !== signature) {
    select.dataset.signature = signature;
    select.replaceChildren(...options.map((o) => h("option", { value: o.value, text: o.label })));
  }
  select.disabled = options.length === 0;
  if (value !== null && options.some((o) => o.value === value)) select.value = value;
}

export class SalonSettings extends HTMLElement {
  #built = false;

  #build() {
    this.#built = true;
    setHTML(this, html`
      <dialog class="settings" data-testid="settings-dialog" data-part="dialog" aria-labelledby="salon-settings-title">
        <header class="panel-header">
          <h2 id="salon-settings-title" data-part="title"></h2>
          <button type="button" class="btn btn-ghost btn-icon btn-small" data-testid="settings-close" data-part="close">${icon("close")}</button>
        </header>
        <div class="settings-body">
          <label class="field" data-part="camera-field"><span data-part="camera-label"></span><select class="select" data-testid="settings-camera" data-part="video"></select></label>
          <label class="field" data-part="mic-field"><span data-part="mic-label"></span><select class="select" data-testid="settings-microphone" data-part="audio"></select></label>
          <label class="field" data-part="speaker-field"><span data-part="speaker-label"></span><select class="select" data-testid="settings-speaker" data-part="speaker" aria-describedby="salon-settings-speaker-hint"></select><small id="salon-settings-speaker-hint" data-testid="settings-speaker-hint" data-part="speaker-hint" hidden></small></label>
          <label class="field" data-part="language-field"><span data-part="language-label"></span><select class="select" data-testid="settings-language" data-part="language"></select></label>
          <label class="settings-check" data-part="low-data-field">
            <input type="checkbox" data-testid="settings-low-data" data-part="low-data" aria-describedby="salon-settings-low-data-hint">
            <span><span data-part="low-data-label"></span><small id="salon-settings-low-data-hint" data-part="low-data-hint"></small></span>
          </label>
        </div>
        <footer class="settings-footer"><button type="button" class="btn btn-primary" data-part="done"></button></footer>
      </dialog>`);
    const dialog = /** @type {HTMLDialogElement} */ (part(this, "dialog"));
    part(this, "close").addEventListener("click", () => dialog.close());
    part(this, "done").addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => intent(this, "close-settings"));
    for (const kind of /** @type {const} */ (["audio", "video"])) {
      part(this, kind).addEventListener("change", (e) => intent(this, "choose-device", { kind, deviceId: /** @type {HTMLSelectElement} */ (e.target).value }));
    }
    part(this, "speaker").addEventListener("change", (e) => intent(this, "choose-speaker", { sinkId: /** @type {HTMLSelectElement} */ (e.target).value }));
    part(this, "language").addEventListener("change", (e) => intent(this, "set-language", { language: /** @type {HTMLSelectElement} */ (e.target).value }));
    part(this, "low-data").addEventListener("change", (e) => intent(this, "set-low-data", { on: /** @type {HTMLInputElement} */ (e.target).checked }));
  }

  /** @param {SettingsModel} m */
  set model(m) {
    if (!this.#built) this.#build();
    const dialog = /** @type {HTMLDialogElement} */ (part(this, "dialog"));
    part(this, "title").textContent = t("settings.title");
    part(this, "close").setAttribute("aria-label", t("settings.close"));
    part(this, "done").textContent = t("settings.done");
    part(this, "camera-label").textContent = t("settings.camera");
    part(this, "mic-label").textContent = t("settings.microphone");
    part(this, "speaker-label").textContent = t("settings.speaker");
    part(this, "language-label").textContent = t("settings.language");
    part(this, "low-data-label").textContent = t("settings.lowData");
    part(this, "low-data-hint").textContent = t("settings.lowDataHint");

    /** @param {'audioinput' | 'videoinput' | 'audiooutput'} kind @param {string} numbered */
    const options = (kind, numbered) =>
      m.devices.filter((d) => d.kind === kind && d.deviceId).map((d, i) => ({ value: d.deviceId, label: d.label || t(numbered, { n: i + 1 }) }));
    part(this, "camera-field").hidden = !(m.canSend && m.cameraAccess);
    fill(/** @type {HTMLSelectElement} */ (part(this, "video")), options("videoinput", "precall.cameraN"), m.current.video);
    part(this, "mic-field").hidden = !m.canSend;
    fill(/** @type {HTMLSelectElement} */ (part(this, "audio")), options("audioinput", "precall.micN"), m.current.audio);
    const speakers = options("audiooutput", "settings.speakerN").filter((o) => o.value !== "default");
    part(this, "speaker-field").hidden = !m.speakerSupported;
    // Firefox lists no speaker until the person picks one through its own prompt: say that the
    // sound goes to the system's default, rather than offer a list with nothing to choose.
    part(this, "speaker-hint").hidden = speakers.length > 0;
    part(this, "speaker-hint").textContent = t("settings.speakerNone");
    fill(/** @type {HTMLSelectElement} */ (part(this, "speaker")), [{ value: "", label: t("settings.speakerDefault") }, ...speakers], m.sinkId ?? "");
    part(this, "language-field").hidden = m.languages === null;
    const languages = (m.languages ?? []).map((code) => ({ value: code, label: languageName(code) }));
    fill(/** @type {HTMLSelectElement} */ (part(this, "language")), languages, m.language);
    part(this, "low-data-field").hidden = !(m.canSend && m.cameraAccess);
    /** @type {HTMLInputElement} */ (part(this, "low-data")).checked = m.lowData;

    if (m.open && !dialog.open) dialog.showModal();
    else if (!m.open && dialog.open) dialog.close();
  }
}

export function registerSalonSettings() {
  adoptStyle(new URL("../panel.css", import.meta.url).href);
  adoptStyle(new URL("./salon-settings.css", import.meta.url).href);
  if (!customElements.get("salon-settings")) customElements.define("salon-settings", SalonSettings);
}
