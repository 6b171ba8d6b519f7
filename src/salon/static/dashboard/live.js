// Keeps the live rooms list current: fetches the list the server draws (dashboard/live_page.py,
// the same template as the page's first paint) and swaps it in. The fragment is parsed inert
// by DOMParser and its nodes moved into the page; no markup is built here.

/**
 * Replaces the children of `list` with the nodes of an HTML fragment.
 * @param {Element} list @param {string} markup
 */
export function swapIn(list, markup) {
  const parsed = new DOMParser().parseFromString(markup, "text/html");
  list.replaceChildren(...Array.from(parsed.body.childNodes));
}

/**
 * Polls `source` every `every` ms and swaps each answer into `list`; `status` says how it went.
 * A signed-out session (401, or a redirect to the sign-in page) reloads the page.
 * @param {Element} list @param {Element | null} status @param {string} source @param {number} every
 */
export function pollLiveRooms(list, status, source, every) {
  const refresh = async () => {
    try {
      const response = await fetch(source, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (response.status === 401 || response.redirected) { location.reload(); return; }
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      swapIn(list, await response.text());
      if (status) status.textContent = `Updated ${new Date().toLocaleTimeString()}. Refreshes every few seconds.`;
    } catch {
      if (status) status.textContent = "Cannot reach the server; retrying.";
    }
    setTimeout(refresh, every);
  };
  setTimeout(refresh, every);
}
