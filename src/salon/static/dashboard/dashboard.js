// Progressive enhancements for the server-rendered dashboard: copy buttons, the CSP preview and
// the live rooms list. Every page works without this script; nothing here sets innerHTML.
import { previewHeader } from "./csp.js";
import { pollLiveRooms } from "./live.js";

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
  const list = root?.querySelector("[data-live-list]");
  if (!root || !list) return;
  const every = Number(root.getAttribute("data-refresh-ms") || 2000);
  pollLiveRooms(list, root.querySelector("[data-live-status]"), root.getAttribute("data-source") || "", every);
}

setUpCopyButtons();
setUpCspPreview();
setUpLiveRooms();
