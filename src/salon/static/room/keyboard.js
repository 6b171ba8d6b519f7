/**
 * Keyboard shortcuts in the room (contract section 6): M microphone, V camera, C chat, Shift+S
 * screen share, Shift+L lock, Shift+P float my video. Ignored while typing, inside a dialog, and
 * with Ctrl, Alt or Meta held. Escape closes the side panel, even from its text field (a dialog
 * closes itself on Escape). Actions check the URL parameters (`locking=off`, `cameraAccess=off`).
 */

/** @type {Record<string, string>} */
const KEYS = {
  m: "toggle-mic", v: "toggle-camera", c: "toggle-chat", "shift+s": "toggle-screenshare", "shift+l": "toggle-lock",
  "shift+p": "toggle-float-self",
};

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
    const key = `${event.shiftKey ? "shift+" : ""}${event.key.toLowerCase()}`;
    const action = KEYS[key];
    if (!action) return;
    event.preventDefault();
    run(action);
  });
}
