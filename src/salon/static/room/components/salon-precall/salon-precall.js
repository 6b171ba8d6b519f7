/**
 * <salon-precall>: the review before joining: camera preview, microphone level, device choice,
 * name entry (unless the URL gave one) and Join. Viewers get the name step only.
 * Set `precall.model` (a PrecallModel); Join is an intent `join` with `{displayName}`.
 *
 * `permission: "ask"` is the permission step: while the browser has not yet been asked for the
 * camera and microphone, the preview explains why and waits for "Allow" (intent `allow-devices`)
 * before the browser's own prompt. `skipMediaPermissionPrompt` skips it (main.js).
 */

import { adoptStyle, h, html, intent, part, setHTML } from "../../dom.js";
import { icon, setIcon } from "../../icons.js";
import { t } from "../../i18n.js";
import { watchLevel } from "../../media/level.js";
import { cleanDisplayName } from "../../params.js";

/**
 * @typedef {{withMedia: boolean, stream: MediaStream | null, audio: boolean, video: boolean,
 *   micMissing: boolean, problems: {audio: string | null, video: string | null},
 *   devices: MediaDeviceInfo[], chosen: {audio: string | null, video: string | null},
 *   presetName: string | null, savedName: string, cameraAccess: boolean, helpLink: string | null,
 *   busy: boolean, permission: 'ask' | null}} PrecallModel
 */

export class SalonPrecall extends HTMLElement {
  #built = false;
  /** @type {PrecallModel | null} */ #model = null;
  /** @type {(() => void) | null} */ #stopLevel = null;
  /** @type {MediaStreamTrack | null} */ #meterTrack = null;

  #build() {
    this.#built = true;
    this.classList.add("screen-center");
    setHTML(this, html`
      <div class="precall">
        <section class="precall-preview" data-part="preview">
          <div class="card precall-ask" data-part="ask" hidden>
            <span class="card-icon">${icon("camera")}</span>
            <h2 data-part="ask-title"></h2>
            <p data-part="ask-text"></p>
            <button type="button" class="btn btn-primary" data-testid="precall-allow" data-part="allow"></button>
          </div>
          <div class="precall-video" data-part="stage">
            <video data-part="video" class="mirrored" muted playsinline autoplay></video>
            <p class="precall-camoff" data-part="camoff"></p>
            <div class="precall-controls">
              <button type="button" class="round-btn" data-testid="precall-toggle-mic" data-part="mic"></button>
              <button type="button" class="round-btn" data-testid="precall-toggle-camera" data-part="camera"></button>
            </div>
            <div class="level" aria-hidden="true"><span data-part="level"></span></div>
          </div>
          <div class="precall-problem" data-part="problem" role="alert" hidden>
            ${icon("alert")}<p data-part="problem-text"></p>
            <a data-part="help" target="_blank" rel="noopener noreferrer" hidden></a>
          </div>
        </section>
        <form class="card precall-form" data-part="form" novalidate>
          <h1 data-part="title"></h1>
          <p data-part="subtitle"></p>
          <label class="field" data-part="name-field">
            <span data-part="name-label"></span>
            <input class="input" data-testid="precall-name" data-part="name" type="text" autocomplete="name" maxlength="100" aria-describedby="salon-precall-name-error">
            <span class="field-error" id="salon-precall-name-error" data-part="name-error" aria-live="polite"></span>
          </label>
          <p class="precall-as" data-part="as" hidden></p>
          <div class="precall-devices" data-part="devices">
            <label class="field"><span data-part="camera-label"></span><select class="select" data-part="video-select"></select></label>
            <label class="field"><span data-part="mic-label"></span><select class="select" data-part="audio-select"></select></label>
          </div>
          <button type="submit" class="btn btn-primary precall-join" data-testid="precall-join" data-part="join"></button>
        </form>
      </div>`);
    part(this, "allow").addEventListener("click", () => intent(this, "allow-devices"));
    part(this, "mic").addEventListener("click", () => intent(this, "toggle-mic"));
    part(this, "camera").addEventListener("click", () => intent(this, "toggle-camera"));
    for (const kind of /** @type {const} */ (["audio", "video"])) {
      part(this, `${kind}-select`).addEventListener("change", (e) =>
        intent(this, "choose-device", { kind, deviceId: /** @type {HTMLSelectElement} */ (e.target).value }));
    }
    part(this, "form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.#join();
    });
  }

  #join() {
    const model = /** @type {PrecallModel} */ (this.#model);
    if (model.busy) return;
    const input = /** @type {HTMLInputElement} */ (part(this, "name"));
    const name = model.presetName ?? cleanDisplayName(input.value);
    const error = part(this, "name-error");
    if (!name) {
      error.textContent = t("precall.nameRequired");
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    error.textContent = "";
    input.removeAttribute("aria-invalid");
    intent(this, "join", { displayName: name });
  }

  /** @param {PrecallModel} m */
  set model(m) {
    const first = !this.#built;
    if (first) this.#build();
    this.#model = m;
    const input = /** @type {HTMLInputElement} */ (part(this, "name"));
    if (first) input.value = m.savedName;
    part(this, "title").textContent = t("precall.title");
    part(this, "subtitle").textContent = m.withMedia ? t("precall.subtitle") : t("precall.subtitleViewer");
    part(this, "name-label").textContent = t("precall.nameLabel");
    input.placeholder = t("precall.namePlaceholder");
    part(this, "name-field").hidden = m.presetName !== null;
    const as = part(this, "as");
    as.hidden = m.presetName === null;
    as.textContent = m.presetName ? t("precall.joiningAs", { name: m.presetName }) : "";
    const join = /** @type {HTMLButtonElement} */ (part(this, "join"));
    join.textContent = m.busy ? t("precall.joining") : t("precall.join");
    join.disabled = m.busy;

    this.classList.toggle("name-only", !m.withMedia);
    part(this, "preview").hidden = !m.withMedia;
    part(this, "devices").hidden = !m.withMedia;
    if (!m.withMedia) {
      this.#meter(null);
      return;
    }

    const asking = m.permission === "ask";
    part(this, "ask").hidden = !asking;
    part(this, "stage").hidden = asking;
    part(this, "devices").hidden = asking;
    part(this, "ask-title").textContent = t("precall.permissionTitle");
    part(this, "ask-text").textContent = m.cameraAccess ? t("precall.permissionText") : t("precall.permissionTextAudio");
    part(this, "allow").textContent = m.cameraAccess ? t("precall.permissionAllow") : t("precall.permissionAllowAudio");
    if (asking) {
      part(this, "problem").hidden = true;
      this.#meter(null);
      return;
    }

    const video = /** @type {HTMLVideoElement} */ (part(this, "video"));
    const cameraShown = m.video && Boolean(m.stream?.getVideoTracks().length);
    // Only a stream with a camera track: a media element waiting on a stream without video holds
    // back the page's load event.
    const source = cameraShown ? m.stream : null;
    if (video.srcObject !== source) video.srcObject = source;
    video.hidden = !cameraShown;
    part(this, "camoff").hidden = cameraShown;
    part(this, "camoff").textContent = t("precall.cameraOff");
    this.#toggle("mic", m.audio, m.audio ? "mic" : "mic-off", m.audio ? t("toolbar.micOff") : t("toolbar.micOn"));
    this.#toggle("camera", m.video, m.video ? "camera" : "camera-off", m.video ? t("toolbar.cameraOff") : t("toolbar.cameraOn"));
    part(this, "camera").hidden = !m.cameraAccess;
    part(this, "camera-label").textContent = t("precall.camera");
    part(this, "mic-label").textContent = t("precall.microphone");
    this.#options("audio", m);
    this.#options("video", m);
    /** @type {HTMLElement} */ (part(this, "video-select").closest("label")).hidden = !m.cameraAccess;
    this.#problem(m);
    this.#meter(m.micMissing ? null : (m.stream?.getAudioTracks()[0] ?? null));
  }

  /** @param {string} name @param {boolean} on @param {string} iconName @param {string} label */
  #toggle(name, on, iconName, label) {
    const button = part(this, name);
    setIcon(button, iconName);
    button.classList.toggle("is-off", !on);
    button.setAttribute("aria-pressed", String(on));
    button.setAttribute("aria-label", name === "mic" ? t("toolbar.mic") : t("toolbar.camera"));
    button.title = label;
  }

  /** @param {'audio' | 'video'} kind @param {PrecallModel} m */
  #options(kind, m) {
    const select = /** @type {HTMLSelectElement} */ (part(this, `${kind}-select`));
    const devices = m.devices.filter((d) => d.kind === `${kind}input`);
    const signature = devices.map((d) => `${d.deviceId}:${d.label}`).join("|");
    if (select.dataset.signature !== signature) {
      select.dataset.signature = signature;
      select.replaceChildren(...devices.map((d, i) => h("option", { value: d.deviceId, text: d.label || t(kind === "audio" ? "precall.micN" : "precall.cameraN", { n: i + 1 }) })));
    }
    select.disabled = devices.length === 0;
    const current = m.stream?.[kind === "audio" ? "getAudioTracks" : "getVideoTracks"]()[0]?.getSettings().deviceId;
    const chosen = m.chosen[kind] ?? current;
    if (chosen && devices.some((d) => d.deviceId === chosen)) select.value = chosen;
  }

  /** @param {PrecallModel} m */
  #problem(m) {
    const problems = [];
    if (m.problems.video && m.cameraAccess) problems.push(t(`precall.problem.video.${m.problems.video}`));
    if (m.problems.audio) problems.push(t(`precall.problem.audio.${m.problems.audio}`));
    part(this, "problem").hidden = problems.length === 0;
    part(this, "problem-text").textContent = problems.join(" ");
    const help = /** @type {HTMLAnchorElement} */ (part(this, "help"));
    const denied = m.problems.audio === "denied" || m.problems.video === "denied";
    help.hidden = !(denied && m.helpLink);
    if (m.helpLink) help.href = m.helpLink;
    help.textContent = t("precall.help");
  }

  /** @param {MediaStreamTrack | null} track */
  #meter(track) {
    if (track === this.#meterTrack) return;
    this.#stopLevel?.();
    this.#stopLevel = null;
    this.#meterTrack = track;
    const bar = part(this, "level");
    bar.style.setProperty("--level", "0");
    if (!track || typeof AudioContext === "undefined") return;
    this.#stopLevel = watchLevel(track, (level) => bar.style.setProperty("--level", level.toFixed(3)));
  }

  focusFirst() {
    const input = /** @type {HTMLInputElement} */ (part(this, "name"));
    if (!input.closest("[hidden]")) input.focus();
    else part(this, "join").focus();
  }

  disconnectedCallback() {
    this.#meter(null);
  }

  /** Stop the level meter when the page moves on. */
  release() {
    this.#meter(null);
    /** @type {HTMLVideoElement} */ (part(this, "video")).srcObject = null;
  }
}

export function registerSalonPrecall() {
  adoptStyle(new URL("./salon-precall.css", import.meta.url).href);
  if (!customElements.get("salon-precall")) customElements.define("salon-precall", SalonPrecall);
}
