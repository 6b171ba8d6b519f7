/**
 * <salon-embed>: a Salon room in your page, the way Whereby Embedded's <whereby-embed> works
 * (docs/embedding.md, "The `<salon-embed>` element"). One ES module, no dependencies:
 *
 *   <script type="module" src="https://meet.example.com/embed.js"></script>
 *   <salon-embed room="https://meet.example.com/3f1c…?roomKey=…" displayName="Ada" minimal
 *     style="height: 600px"></salon-embed>
 *
 * - Renders an iframe (`border: none; width: 100%; height: 100%`; the page sets the element's
 *   height) allowed to use the camera, microphone, speaker, screen sharing, full screen and
 *   autoplay. Its URL is `room` plus the room URL parameters from the attributes:
 *   HTML lower-cases attribute names, so `displayName` arrives as `displayname` and still becomes
 *   `displayName`; `minimal` becomes `embed`; a parameter already on the `room` URL wins; and
 *   `jsApi=true`, `we=1` and `iframeSource` turn on the room's postMessage API. `title` sets the
 *   iframe's title. Changing an attribute reloads the room with the new URL.
 * - Re-dispatches the room's events as DOM CustomEvents on the element (`ready`, `join`, `leave`,
 *   `participant_join`, …; `event.detail` is the payload), taking messages only from its own
 *   iframe and the room's origin.
 * - Offers the commands (docs/embedding.md) as methods (`toggleCamera(enabled?)`, `leaveRoom()`, …).
 *   The room obeys them only when this page's origin is one of the organization's allowed domains
 *   (`salon domains add https://your.site`).
 *
 * The pure part (`roomUrl`, the attribute lists) is exported for tests and tools.
 */

/** Value-carrying parameters, forwarded by name (as `<whereby-embed>` does). */
const VALUES = ["displayName", "lang", "metadata", "externalId", "groups", "virtualBackgroundUrl", "avatarUrl", "cameraEffect", "emojiSkinTone"];

/** Switch-style parameters, forwarded as-is whenever the attribute is present, empty included. */
const SWITCHES = [
  "aec", "agc", "audio", "audioDenoiser", "autoHideSelfView", "autoSpotlight", "background", "bottomToolbar", "breakout",
  "callQualityMonitoring", "cameraAccess", "chat", "embed", "emptyRoomInvitation", "floatSelf", "help", "hideLegend",
  "leaveButton", "locking", "localization", "logo", "lowData", "moreButton", "participantCount", "personality",
  "pipButton", "precallCeremony", "precallCeremonyCanSkip", "precallPermissionsHelpLink", "precallReview", "people",
  "reactions", "recording", "roomIntegrations", "screenshare", "settingsButton", "skipMediaPermissionPrompt",
  "subgridLabels", "timer", "toolbarDarkText", "toolbarText", "topToolbar", "video",
  // Documented room parameters Whereby's element leaves out; Salon's forwards them too.
  "chatDownload", "fileSharing", "highlightActiveSpeaker", "precallPermissionHelpLink",
];

/** Every attribute forwarded to the room URL, in its URL spelling. */
export const FORWARDED = Object.freeze([...VALUES, ...SWITCHES]);

/** Attribute name as the browser reports it (lower case) → URL parameter name. */
const BY_ATTRIBUTE = new Map(FORWARDED.map((name) => [name.toLowerCase(), name]));

/** Attributes the element watches. */
export const OBSERVED = Object.freeze(["room", "title", "minimal", ...BY_ATTRIBUTE.keys()]);

/** What the iframe may use. */
export const ALLOW = "camera; microphone; fullscreen; speaker; display-capture; autoplay";

/** The organization's name in a room host (`acme` in `acme.meet.example`), or the host itself. @param {string} hostname */
function subdomainOf(hostname) {
  return /^[\d.]+$|:/.test(hostname) ? hostname : hostname.split(".")[0];
}

/**
 * The room URL the iframe loads. Throws a TypeError when `room` is not an http(s) URL. Pure.
 * @param {string} room the `room` attribute (absolute, or relative to `base`)
 * @param {Iterable<[string, string]>} attributes name (any case) and value of each attribute
 * @param {string} [base] the embedding page's URL
 * @returns {URL}
 */
export function roomUrl(room, attributes, base) {
  const url = base ? new URL(room, base) : new URL(room);
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new TypeError(`not an http(s) URL: ${room}`);
  const query = url.searchParams;
  /** @param {string} name @param {string} value */
  const add = (name, value) => {
    if (!query.has(name)) query.set(name, value);
  };
  add("jsApi", "true");
  add("we", "1");
  add("iframeSource", subdomainOf(url.hostname));
  for (const [attribute, value] of attributes) {
    const lower = attribute.toLowerCase();
    if (lower === "minimal") {
      if (!query.has("minimal")) add("embed", value);
    } else {
      const name = BY_ATTRIBUTE.get(lower);
      if (name) add(name, value);
    }
  }
  return url;
}

const Base = /** @type {typeof HTMLElement} */ (globalThis.HTMLElement ?? class {});

export class SalonEmbed extends Base {
  static get observedAttributes() {
    return [...OBSERVED];
  }

  /** @type {HTMLIFrameElement | null} */ #iframe = null;
  /** @type {URL | null} */ #url = null;

  /** @param {MessageEvent} event */
  #onMessage = (event) => {
    if (!this.#iframe || !this.#url || event.source !== this.#iframe.contentWindow || event.origin !== this.#url.origin) return;
    const data = event.data;
    if (!data || typeof data !== "object" || typeof data.type !== "string") return;
    this.dispatchEvent(new CustomEvent(data.type, { detail: data.payload ?? null }));
  };

  connectedCallback() {
    window.addEventListener("message", this.#onMessage);
    this.#render();
  }

  disconnectedCallback() {
    window.removeEventListener("message", this.#onMessage);
  }

  /** @param {string} name @param {string | null} old @param {string | null} value */
  attributeChangedCallback(name, old, value) {
    if (old === value || !this.isConnected) return;
    if (name === "title" && this.#iframe) this.#iframe.title = this.#title();
    else this.#render();
  }

  #title() {
    return this.getAttribute("title") || "Video calling component";
  }

  #render() {
    const root = this.shadowRoot ?? this.attachShadow({ mode: "open" });
    const room = this.getAttribute("room");
    let url = null;
    let problem = "";
    if (!room) problem = "Missing room attribute";
    else {
      try {
        url = roomUrl(room, [...this.attributes].map((a) => [a.name, a.value]), document.baseURI);
      } catch {
        problem = "Could not parse room URL";
      }
    }
    if (!url) {
      this.#iframe = null;
      this.#url = null;
      const text = document.createElement("p");
      text.setAttribute("role", "alert");
      text.textContent = problem;
      root.replaceChildren(text);
      return;
    }
    if (this.#iframe && this.#url?.href === url.href) return;
    this.#url = url;
    const style = document.createElement("style");
    style.textContent = ":host { display: block; } iframe { border: none; width: 100%; height: 100%; display: block; }";
    const iframe = document.createElement("iframe");
    iframe.setAttribute("allow", ALLOW);
    iframe.setAttribute("part", "iframe");
    iframe.title = this.#title();
    iframe.src = url.href;
    this.#iframe = iframe;
    root.replaceChildren(style, iframe);
  }

  /** @param {string} command @param {unknown[]} [args] */
  #send(command, args = []) {
    if (!this.#iframe?.contentWindow || !this.#url) return;
    this.#iframe.contentWindow.postMessage({ command, args }, this.#url.origin);
  }

  /** Host only: end the meeting for everyone. */
  endMeeting() {
    this.#send("end_meeting");
  }

  /** Knock on a locked room. */
  knock() {
    this.#send("knock");
  }

  /** Stop knocking. */
  cancelKnock() {
    this.#send("cancel_knock");
  }

  leaveRoom() {
    this.#send("leave_room");
  }

  /** Open the room's settings (Salon has the `media` pane). @param {string} [pane] */
  openSettings(pane = "media") {
    this.#send("open_settings", [pane]);
  }

  /** @param {boolean} [enabled] undefined flips it */
  toggleCamera(enabled) {
    this.#send("toggle_camera", [enabled]);
  }

  /** @param {boolean} [enabled] undefined flips it */
  toggleMicrophone(enabled) {
    this.#send("toggle_microphone", [enabled]);
  }

  /** @param {boolean} [enabled] undefined flips it */
  toggleScreenshare(enabled) {
    this.#send("toggle_screenshare", [enabled]);
  }

  /** @param {boolean} [enabled] undefined opens or closes the chat */
  toggleChat(enabled) {
    this.#send("toggle_chat", [enabled]);
  }

  /** @param {boolean} [enabled] undefined opens or closes the people panel */
  togglePeople(enabled) {
    this.#send("toggle_people", [enabled]);
  }

  /** Breakout groups are not available in Salon yet: the room ignores this with a warning. @param {boolean} [open] */
  toggleBreakout(open) {
    this.#send("toggle_breakout", [open]);
  }

  // Cloud recording, live streaming and live transcription run when a host asks (the server
  // checks the role).
  startRecording() {
    this.#send("start_recording");
  }

  stopRecording() {
    this.#send("stop_recording");
  }

  /** Live streaming to the meeting's RTMP URL: a host's, in a group room (the server checks). */
  startStreaming() {
    this.#send("start_streaming");
  }

  stopStreaming() {
    this.#send("stop_streaming");
  }

  startLiveTranscription() {
    this.#send("start_live_transcription");
  }

  stopLiveTranscription() {
    this.#send("stop_live_transcription");
  }
}

if (globalThis.customElements && !customElements.get("salon-embed")) customElements.define("salon-embed", SalonEmbed);
