/**
 * Actions on this page's own view: the side panels, settings, language, Picture-in-Picture, the
 * floating self view, the grid's pages, the share link and full screen.
 */

import { bcp47, language, loadLanguage, t } from "../i18n.js";
import { pipKey } from "../pip.js";

/** @param {import('./context.js').ActionContext} ctx @returns {import('./context.js').Handlers} */
export function pageActions({ state, inRoom, togglePanel, ui, params, pip, view, notify, announce, shareUrl }) {
  /**
   * Turn the grid's page (keyboard.js). A new page is announced by the page bar's live text; at
   * the first or the last page nothing moves, so the announcer says where the user is.
   * @param {number} delta
   */
  function turnPage(delta) {
    if (!inRoom()) return;
    const { page, pages, moved } = view.turnPage(delta);
    if (!moved && pages > 1) announce(t("grid.page", { page: page + 1, pages }));
  }

  return {
    "toggle-chat": ({ on }) => togglePanel("chat", on),
    "toggle-people": ({ on }) => togglePanel("people", on),
    "close-panel": () => {
      const open = state().panel;
      if (!open) return;
      togglePanel(open, false);
      /** @type {HTMLElement | null} */ (document.querySelector(`[data-testid="toggle-${open}"]`))?.focus();
    },
    "open-chat": () => togglePanel("chat", true),
    "open-people": () => togglePanel("people", true),
    // settings, language, Picture-in-Picture and the "…" menu
    "toggle-settings": ({ on }) => inRoom() && ui.dispatch({ type: "ui/settings", on }),
    "open-settings": () => inRoom() && ui.dispatch({ type: "ui/settings", on: true }),
    "close-settings": () => ui.dispatch({ type: "ui/settings", on: false }),
    "set-language": async ({ language: wanted }) => {
      if (!params.localization) return;
      const loaded = await loadLanguage(wanted, { personality: params.personality });
      document.documentElement.lang = bcp47(language());
      ui.dispatch({ type: "ui/language", language: loaded });
    },
    "toggle-pip": async ({ on }) => {
      if (!inRoom() || !pip.supported || !params.pipButton) return;
      const { tiles, stageKey } = view.tiles();
      const key = pipKey(tiles, stageKey, ui.getState().lastSpeaker, (k) => (view.videoFor(k)?.readyState ?? 0) >= 1);
      if ((on ?? !pip.open) && !key) return notify({ text: t("toast.pipUnavailable"), key: "pip" });
      await pip.toggle(key, on);
    },
    "grid-next-page": () => turnPage(1),
    "grid-previous-page": () => turnPage(-1),
    "toggle-float-self": () => inRoom() && state().me?.role !== "viewer" && ui.dispatch({ type: "ui/float-self" }),
    "copy-link": async () => {
      try {
        await navigator.clipboard.writeText(shareUrl);
        notify({ text: t("toast.linkCopied"), key: "link" });
      } catch {
        notify({ text: shareUrl, key: "link" }); // no clipboard in this frame: show it to copy by hand
      }
    },
    "toggle-fullscreen": async () => {
      if (document.fullscreenElement) await document.exitFullscreen();
      else await document.documentElement.requestFullscreen();
    },
  };
}
