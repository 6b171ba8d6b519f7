/**
 * <salon-tile>: one video tile (a participant's camera, or a screen they share) with the name,
 * microphone and camera state, a "reconnecting" badge and the spotlight mark.
 *
 * Set `tile.model` (a TileModel); the element keeps its <video> across updates.
 */

import { adoptStyle, html, intent, part, setHTML } from "../../dom.js";
import { icon, setIcon } from "../../icons.js";
import { t } from "../../i18n.js";
import { initials } from "../../names.js";

/**
 * `speaking` marks the active speaker (`highlightActiveSpeaker`); `avatarUrl` replaces the
 * initials while the camera is off; `sinkId` is the speaker output chosen in the settings.
 * @typedef {{key: string, participantId: string, kind: 'camera' | 'screen', name: string,
 *   isMe: boolean, audio: boolean, video: boolean, reconnecting: boolean, spotlight: boolean,
 *   host: boolean, stream: MediaStream | null, speaking?: boolean, avatarUrl?: string | null,
 *   sinkId?: string | null}} TileModel
 */

export class SalonTile extends HTMLElement {
  /** @type {TileModel | null} */ #model = null;
  #built = false;

  #build() {
    this.#built = true;
    this.setAttribute("role", "group");
    setHTML(this, html`
      <div class="tile-media">
        <video data-part="video" playsinline autoplay></video>
        <div class="tile-avatar" data-part="avatar" aria-hidden="true"><span data-part="initials"></span><img data-part="avatar-img" alt="" hidden></div>
      </div>
      <div class="tile-badges">
        <span class="tile-badge tile-spotlight" data-part="spotlight" hidden>${icon("star")}<span data-part="spotlight-text"></span></span>
        <span class="tile-badge tile-reconnecting" data-part="reconnecting" data-testid="tile-reconnecting" hidden>
          <span class="spinner" aria-hidden="true"></span><span data-part="reconnecting-text"></span>
        </span>
      </div>
      <div class="tile-label">
        <span class="tile-mic" data-part="mic" aria-hidden="true"></span>
        <span class="tile-name" data-part="name"></span>
      </div>`);
    const video = part(this, "video");
    video.addEventListener("loadedmetadata", () => this.#play());
  }

  /** @param {TileModel} model */
  set model(model) {
    if (!this.#built) this.#build();
    const old = this.#model;
    this.#model = model;
    const video = /** @type {HTMLVideoElement} */ (part(this, "video"));
    // Camera and screen tiles are both `tile`, told apart by data-kind.
    this.dataset.testid = "tile";
    this.dataset.participantId = model.participantId;
    this.dataset.spotlight = String(model.spotlight);
    this.dataset.kind = model.kind;
    this.dataset.audio = model.audio ? "on" : "off";
    this.dataset.video = model.video ? "on" : "off";
    this.dataset.reconnecting = String(model.reconnecting);
    this.classList.toggle("is-me", model.isMe);
    this.classList.toggle("is-screen", model.kind === "screen");
    this.classList.toggle("is-spotlight", model.spotlight);
    this.classList.toggle("video-off", !model.video || !model.stream);
    this.dataset.speaking = String(Boolean(model.speaking));
    this.classList.toggle("is-speaking", Boolean(model.speaking));

    // Audio plays from remote camera tiles; my own tile and screens stay muted (no echo).
    video.muted = model.isMe || model.kind === "screen";
    video.classList.toggle("mirrored", model.isMe && model.kind === "camera");
    if (old?.stream !== model.stream) {
      video.srcObject = model.stream;
      if (model.stream) this.#play();
    }

    const label = model.kind === "screen" ? t("tile.screenOf", { name: model.name }) : model.isMe ? t("tile.you", { name: model.name }) : model.name;
    part(this, "name").textContent = label;
    part(this, "initials").textContent = initials(model.name);
    const avatar = /** @type {HTMLImageElement} */ (part(this, "avatar-img"));
    if (model.avatarUrl && avatar.getAttribute("src") !== model.avatarUrl) avatar.src = model.avatarUrl;
    avatar.hidden = !model.avatarUrl;
    part(this, "initials").hidden = Boolean(model.avatarUrl);
    this.#sink(video, model);
    const mic = part(this, "mic");
    mic.hidden = model.kind === "screen";
    mic.classList.toggle("off", !model.audio);
    setIcon(mic, model.audio ? "mic" : "mic-off");
    part(this, "spotlight").hidden = !model.spotlight;
    part(this, "spotlight-text").textContent = t("tile.spotlight");
    part(this, "reconnecting").hidden = !model.reconnecting;
    part(this, "reconnecting-text").textContent = t("tile.reconnecting");

    const states = [label];
    if (model.kind === "camera") {
      states.push(model.audio ? t("tile.micOn") : t("tile.micOff"));
      states.push(model.video ? t("tile.cameraOn") : t("tile.cameraOff"));
    }
    if (model.spotlight) states.push(t("tile.spotlight"));
    if (model.reconnecting) states.push(t("tile.reconnecting"));
    this.setAttribute("aria-label", states.join(", "));
  }

  get model() {
    return /** @type {TileModel} */ (this.#model);
  }

  /** The tile's video element (Picture-in-Picture). */
  get video() {
    return /** @type {HTMLVideoElement} */ (part(this, "video"));
  }

  /** Play remote sound on the chosen speaker, where the browser can. @param {HTMLVideoElement} video @param {TileModel} model */
  #sink(video, model) {
    const wanted = model.sinkId ?? "";
    const media = /** @type {HTMLVideoElement & {sinkId?: string, setSinkId?: (id: string) => Promise<void>}} */ (video);
    if (model.isMe || typeof media.setSinkId !== "function" || media.sinkId === wanted) return;
    media.setSinkId(wanted).catch((error) => console.warn("salon: cannot use that speaker", error));
  }

  /** Try again to play (after the user allowed sound). */
  play() {
    this.#play();
  }

  #play() {
    const video = /** @type {HTMLVideoElement} */ (part(this, "video"));
    if (!video.srcObject) return;
    video.play().catch((error) => {
      if (error?.name === "NotAllowedError") intent(this, "autoplay-blocked");
    });
  }
}

export function registerSalonTile() {
  adoptStyle(new URL("./salon-tile.css", import.meta.url).href);
  if (!customElements.get("salon-tile")) customElements.define("salon-tile", SalonTile);
}
