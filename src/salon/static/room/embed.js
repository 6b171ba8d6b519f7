/**
 * The seam for embedding (docs/embedding.md, Events and commands): events to the embedding page and commands from it,
 * as `{type, payload}` and `{command, args}` postMessages. On only when the room URL asks for the
 * API (`jsApi=true` or `we=1`, which `<salon-embed>` adds) and the page is framed, or runs in a
 * React Native WebView (`window.ReactNativeWebView`: events go out as JSON strings, commands come
 * in as `window.postMessage({command, args})`, docs/embedding.md).
 *
 * Origins: the server lists the organization's allowed domains in
 * `<meta name="salon-allowed-origins">` (and in the CSP's frame-ancestors, so only those pages can
 * frame the room at all). Commands are obeyed only from the parent window, and only when its
 * origin is allowed. Events go only to the embedding page's origin: the one the browser reports
 * (`location.ancestorOrigins`, else the referrer's origin) when it is allowed. When the browser
 * reports neither, each event is posted once per exact allowed origin (and the page's own): the
 * browser delivers only the copy whose target origin is the parent's, never "*".
 */

/** Commands a parent may send, with their wire names (docs/embedding.md), that the room obeys. */
export const COMMANDS = Object.freeze([
  "toggle_camera", "toggle_microphone", "toggle_screenshare", "toggle_chat", "toggle_people",
  "leave_room", "end_meeting", "knock", "cancel_knock", "toggle_breakout", "open_settings",
  "start_recording", "stop_recording",
  "start_streaming", "stop_streaming",
  "start_live_transcription", "stop_live_transcription",
]);

/**
 * Does an origin match one of the allowed-domain entries (`https://host`, `https://*.host`,
 * `https://host:port`, `http://localhost:port`)? Pure.
 * @param {string} origin @param {string[]} entries @param {string} self the room page's own origin
 */
export function originAllowed(origin, entries, self) {
  if (origin === self) return true;
  for (const entry of entries) {
    if (entry === origin) return true;
    const wildcard = /^(https?):\/\/\*\.(.+)$/.exec(entry);
    if (wildcard) {
      const [, scheme, rest] = wildcard;
      if (origin.startsWith(`${scheme}://`) && origin.slice(scheme.length + 3).endsWith(`.${rest}`)) return true;
    }
  }
  return false;
}

/** The allowed origins the server put in the page. @param {Document} doc */
export function allowedOrigins(doc) {
  const content = doc.querySelector('meta[name="salon-allowed-origins"]')?.getAttribute("content") ?? "";
  return content.split(/\s+/).filter(Boolean);
}

/** @param {string} url @returns {string | null} */
function originOf(url) {
  try {
    const origin = new URL(url).origin;
    return origin === "null" ? null : origin;
  } catch {
    return null;
  }
}

/**
 * The target origins for events: the embedding page's origin when the browser tells it (and it is
 * allowed), else every exact allowed origin and the page's own (postMessage delivers only to the
 * one that matches the parent). Never "*". Pure.
 * @param {{ancestor: string | null, referrer: string, allowed: string[], self: string}} where
 * @returns {string[]}
 */
export function eventTargets({ ancestor, referrer, allowed, self }) {
  if (ancestor) return ancestor !== "null" && originAllowed(ancestor, allowed, self) ? [ancestor] : [];
  const fromReferrer = referrer ? originOf(referrer) : null;
  if (fromReferrer && originAllowed(fromReferrer, allowed, self)) return [fromReferrer];
  return [...new Set([self, ...allowed.filter((entry) => !entry.includes("*"))])];
}

/** @param {unknown} data @returns {{command?: unknown, args?: unknown}} */
function commandOf(data) {
  if (typeof data === "string") {
    try {
      return JSON.parse(data) ?? {};
    } catch {
      return {};
    }
  }
  return data && typeof data === "object" ? /** @type {any} */ (data) : {};
}

/**
 * @typedef {{postMessage: (message: any, target?: any) => void}} MessageTarget
 * @param {{enabled: boolean, parent?: Window | MessageTarget | null, self?: any,
 *   allowed?: string[], referrer?: string}} options
 */
export function createEmbedBridge({ enabled, parent = globalThis.parent, self = globalThis.window, allowed = [], referrer = globalThis.document?.referrer ?? "" }) {
  const framed = Boolean(enabled && parent && self && parent !== self);
  /** @type {{postMessage: (json: string) => void} | null} */
  const nativeView = enabled && !framed ? (self?.ReactNativeWebView ?? null) : null;
  const own = self?.location?.origin ?? "";
  const targets = framed ? eventTargets({ ancestor: self.location?.ancestorOrigins?.[0] ?? null, referrer, allowed, self: own }) : [];
  return {
    framed,
    native: Boolean(nativeView),
    targets,
    /** @param {string} type @param {unknown} [payload] */
    emit(type, payload = null) {
      if (framed) for (const target of targets) /** @type {MessageTarget} */ (parent).postMessage({ type, payload }, target);
      else if (nativeView) nativeView.postMessage(JSON.stringify({ type, payload }));
    },
    /** @param {(command: string, args: unknown[]) => void} handler */
    onCommand(handler) {
      if (!framed && !nativeView) return;
      const from = framed ? parent : self;
      self.addEventListener("message", (/** @type {MessageEvent} */ event) => {
        if (event.source !== from || !originAllowed(event.origin, allowed, own)) return;
        const { command, args } = commandOf(event.data);
        if (typeof command !== "string") return;
        if (COMMANDS.includes(command)) handler(command, Array.isArray(args) ? args : []);
        else console.warn(`salon: unknown command ${command}`);
      });
    },
  };
}
