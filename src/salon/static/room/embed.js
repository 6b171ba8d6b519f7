/**
 * The seam for embedding (contract 4.4 and 4.5): events to the embedding page and commands from
 * it, as `{type, payload}` and `{command, args}` postMessages. On only when the room URL asks for
 * the API (`jsApi=true` or `we=1`, which the embed element adds) and the page is framed.
 *
 * Origins: the server lists the organization's allowed domains in
 * `<meta name="salon-allowed-origins">` (and in the CSP's frame-ancestors, so only those pages can
 * frame the room at all). Commands are obeyed only from the parent window, and only when its
 * origin is allowed. Events go to the parent's origin when the browser tells it
 * (`location.ancestorOrigins`), else to "*": the CSP already decided who may be our parent.
 */

/** Commands a parent may send, with the wire names of contract 4.5. */
export const COMMANDS = Object.freeze([
  "toggle_camera", "toggle_microphone", "toggle_screenshare", "toggle_chat", "toggle_people",
  "leave_room", "end_meeting", "knock", "cancel_knock",
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

/**
 * @param {{enabled: boolean, parent?: Window | null, self?: Window, allowed?: string[]}} options
 */
export function createEmbedBridge({ enabled, parent = globalThis.parent, self = globalThis.window, allowed = [] }) {
  const framed = Boolean(enabled && parent && self && parent !== self);
  const ancestor = self?.location?.ancestorOrigins?.[0];
  const target = ancestor && originAllowed(ancestor, allowed, self.location.origin) ? ancestor : "*";
  return {
    framed,
    /** @param {string} type @param {unknown} [payload] */
    emit(type, payload = null) {
      if (framed) /** @type {Window} */ (parent).postMessage({ type, payload }, target);
    },
    /** @param {(command: string, args: unknown[]) => void} handler */
    onCommand(handler) {
      if (!framed) return;
      self.addEventListener("message", (event) => {
        if (event.source !== parent || !originAllowed(event.origin, allowed, self.location.origin)) return;
        const { command, args } = event.data ?? {};
        if (typeof command === "string" && COMMANDS.includes(command)) handler(command, Array.isArray(args) ? args : []);
      });
    },
  };
}
