/**
 * Keyboard shortcuts in the room (README, Keyboard): M microphone, V camera, C chat, Shift+S
 * screen share, Shift+L lock, Shift+P float my video, Shift+C captions, PageDown or ] the grid's next page, PageUp
 * or [ its previous page. Ignored while typing, inside a dialog, and with Ctrl, Alt or Meta held;
 * PageUp and PageDown also inside the side panel, where they scroll. Escape closes the side
 * panel, even from its text field (a dialog closes itself on Escape). Actions check the URL
 * parameters (`locking=off`, `cameraAccess=off`).
 */

import { lookup } from "./store.js";

/** @type {Record<string, string>} */
const KEYS = {
  m: "toggle-mic", v: "toggle-camera", c: "toggle-chat", "shift+s": "toggle-screenshare", "shift+l": "toggle-lock",
  "shift+p": "toggle-float-self", "shift+c": "toggle-captions",
  pagedown: "grid-next-page", "]": "grid-next-page", pageup: "grid-previous-page", "[": "grid-previous-page",
};

/** Keys that scroll what has focus: left to the side panel (the chat's log, the people list). */
const SCROLL_KEYS = new Set(["PageUp", "PageDown"]);

/**
 * The action a key press asks for, or null (no shortcut). Pure.
 * @param {{key: string, shiftKey: boolean}} event
 */
export function shortcutFor({ key, shiftKey }) {
  return lookup(KEYS, `${shiftKey ? "shift+" : ""}${key.toLowerCase()}`) ?? null;
}

/**
 * @param {(action: string) => void} run
 * @param {() => boolean} active whether the room is on screen
 */
export function bindShortcuts(run, active) {
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.altKey || event.metaKey || event.repeat || !active()) return;
    if (/** @type {HTMLElement} */ (event.target).closest?.("dialog")) return;
    if (event.key === "Escape") {
      run("close-panel");
      return;
    }
    const target = /** @type {HTMLElement} */ (event.target);
    if (target.closest("input, textarea, select, [contenteditable]")) return;
    if (SCROLL_KEYS.has(event.key) && target.closest("#salon-panel")) return;
    const action = shortcutFor(event);
    if (!action) return;
    event.preventDefault();
    run(action);
  });
}
