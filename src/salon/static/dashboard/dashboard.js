// Progressive enhancements for the server-rendered dashboard: copy buttons, the CSP preview and
// the live rooms list. Every page works without this script; nothing here sets innerHTML.
import { previewHeader } from "./csp.js";
import { renderRooms } from "./live.js";

function setUpCopyButtons() {
  for (const button of document.querySelectorAll("[data-copy]")) {
    button.addEventListener("click", async () => {
      const input = /** @type {HTMLInputElement | null} */ (document.getElementById(button.getAttribute("data-copy") || ""));
      if (!input) return;
      input.select();
      try {
        await navigator.clipboard.writeText(input.value);
      } catch {
        document.execCommand("copy");
      }
      button.textContent = "Copied";
      setTimeout(() => { button.textContent = "Copy"; }, 2000);
    });
  }
}

function setUpCspPreview() {
  const input = /** @type {HTMLInputElement | null} */ (document.querySelector("[data-csp-input]"));
  const preview = document.querySelector("[data-csp-preview]");
  if (!input || !preview) return;
  const current = preview.getAttribute("data-current") || "";
  const update = () => {
    const { header, valid } = previewHeader(current, input.value);
    preview.textContent = `Content-Security-Policy: ${header}`;
    preview.classList.toggle("invalid-preview", !valid);
  };
  input.addEventListener("input", update);
  update();
}

function setUpLiveRooms() {
  const root = document.querySelector("[data-live-rooms]");
  if (!root) return;
  const list = root.querySelector("[data-live-list]");
  const status = root.querySelector("[data-live-status]");
  const empty = /** @type {HTMLTemplateElement | null} */ (root.querySelector("[data-live-empty]"));
  const source = root.getAttribute("data-source") || "";
  const every = Number(root.getAttribute("data-refresh-ms") || 2000);
  const refresh = async () => {
    try {
      const response = await fetch(source, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.status === 401 || response.redirected) { location.reload(); return; }
      const body = await response.json();
      if (list && empty) renderRooms(list, body.rooms, body.at, empty);
      if (status) status.textContent = `Updated ${new Date().toLocaleTimeString()}. Refreshes every few seconds.`;
    } catch {
      if (status) status.textContent = "Cannot reach the server; retrying.";
    }
    setTimeout(refresh, every);
  };
  setTimeout(refresh, every);
}

setUpCopyButtons();
setUpCspPreview();
setUpLiveRooms();
