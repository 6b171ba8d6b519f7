/**
 * <salon-grid>: the tiles. Everyone in an even grid sized to fill the space; when someone is
 * spotlighted (or shares a screen) that tile takes the stage and the others line up beside it.
 *
 * Set `grid.model = {tiles, stageKey, selfKey, alone, shareUrl, first}`. Tiles are keyed, so
 * videos survive updates. `selfKey` (floatSelf) floats my own tile to the bottom right, in
 * `data-testid="self-view"` with `data-floating="true"`.
 *
 * Paged (paging.js): as many tiles as fit the window (up to 25) are on screen, the rest on further
 * pages behind the page controls (buttons, so Tab reaches them; PageUp/PageDown and [ ] turn the
 * pages too, keyboard.js). `first` (the active speaker, the spotlight) stays on the first page;
 * while one of them is off screen the page bar names them.
 * `shownTiles()` is what is on screen: only those videos are received in a group room.
 */

import { adoptStyle, html, intent, part, setHTML } from "../../dom.js";
import { icon } from "../../icons.js";
import { t } from "../../i18n.js";
import { paginate, pageSize, turnedPage } from "../../paging.js";
import { registerSalonTile } from "../salon-tile/salon-tile.js";

/** @typedef {import('../salon-tile/salon-tile.js').SalonTile} SalonTile */

/** @typedef {import('../salon-tile/salon-tile.js').TileModel} TileModel */
/** @typedef {{tiles: TileModel[], stageKey: string | null, selfKey: string | null, alone: boolean, shareUrl: string, first?: (string | null)[]}} GridModel */

const ASPECT = 16 / 9;
const GAP = 12;

/**
 * The tile width that fills a box best with n tiles of 16:9. Pure.
 * @param {number} n @param {number} width @param {number} height
 */
export function bestTileWidth(n, width, height) {
  let best = 0;
  for (let cols = 1; cols <= Math.max(1, n); cols += 1) {
    const rows = Math.ceil(n / cols);
    const w = Math.min((width - GAP * (cols - 1)) / cols, ((height - GAP * (rows - 1)) / rows) * ASPECT);
    best = Math.max(best, w);
  }
  return Math.max(0, Math.floor(best));
}

export class SalonGrid extends HTMLElement {
  /** @type {Map<string, SalonTile>} */ #tiles = new Map();
  /** @type {GridModel | null} */ #model = null;
  /** @type {TileModel[]} */ #shown = [];
  #page = 0;
  #pageCount = 1;
  #pageSize = 0;
  #built = false;
  #observer = new ResizeObserver(() => this.#resized());

  connectedCallback() {
    if (!this.#built) this.#build();
    this.#observer.observe(this);
  }

  disconnectedCallback() {
    this.#observer.disconnect();
  }

  #build() {
    this.#built = true;
    this.setAttribute("role", "region");
    setHTML(this, html`
      <div class="grid-stage" data-part="stage"></div>
      <div class="grid-tiles" data-part="tiles"></div>
      <nav class="grid-pages" data-part="pages" data-testid="grid-pages" hidden>
        <button type="button" class="btn btn-small" data-part="prev" data-testid="grid-prev"><span aria-hidden="true">‹</span></button>
        <span data-part="page-text" data-testid="grid-page" aria-live="polite"></span>
        <button type="button" class="btn btn-small" data-part="next" data-testid="grid-next"><span aria-hidden="true">›</span></button>
        <span class="grid-offpage" data-part="offpage" data-testid="grid-offpage-speaker" hidden></span>
      </nav>
      <div class="grid-self" data-testid="self-view" data-part="self" data-floating="false" role="group" hidden></div>
      <div class="grid-invite" data-part="invite" hidden>
        <p data-part="invite-text"></p>
        <button type="button" class="btn btn-small" data-part="copy">${icon("link")}<span data-part="copy-text"></span></button>
      </div>
      <button type="button" class="btn btn-primary grid-sound" data-part="sound" hidden>${icon("volume")}<span data-part="sound-text"></span></button>`);
    part(this, "copy").addEventListener("click", () => this.#copyLink());
    part(this, "prev").addEventListener("click", () => this.turnPage(-1));
    part(this, "next").addEventListener("click", () => this.turnPage(1));
    part(this, "sound").addEventListener("click", () => {
      part(this, "sound").hidden = true;
      for (const tile of this.#tiles.values()) tile.play();
    });
    this.addEventListener("salon-intent", (event) => {
      if (/** @type {CustomEvent} */ (event).detail.action !== "autoplay-blocked") return;
      event.stopPropagation();
      part(this, "sound").hidden = false;
    });
  }

  /**
   * Show the next (1) or previous (-1) page, if there is one; the page bar's live text says which
   * page is on screen.
   * @param {number} delta @returns {{page: number, pages: number, moved: boolean}} the page shown (from 0)
   */
  turnPage(delta) {
    const before = this.#page;
    this.#page = turnedPage(this.#page, this.#pageCount, delta);
    if (this.#model) this.model = this.#model;
    return { page: this.#page, pages: this.#pageCount, moved: this.#page !== before };
  }

  /** The tiles on screen now (stage and self view included). @returns {TileModel[]} */
  shownTiles() {
    return this.#shown;
  }

  #resized() {
    const size = this.#measurePageSize();
    if (size !== this.#pageSize && this.#model) this.model = this.#model;
    else this.#layout();
  }

  #measurePageSize() {
    const { width, height } = part(this, "tiles").getBoundingClientRect();
    return pageSize(width, height);
  }

  /** @param {GridModel} full */
  set model(full) {
    if (!this.#built) this.#build();
    this.#model = full;
    this.#pageSize = this.#measurePageSize();
    const paged = paginate(full.tiles, { stageKey: full.stageKey, selfKey: full.selfKey, first: full.first ?? [], size: this.#pageSize, page: this.#page });
    this.#page = paged.page;
    this.#pageCount = paged.pages;
    this.#shown = paged.tiles;
    const model = { ...full, tiles: paged.tiles };
    this.#pages(paged, full.tiles);
    this.setAttribute("aria-label", t("grid.label"));
    const stage = part(this, "stage");
    const strip = part(this, "tiles");
    const self = part(this, "self");
    const seen = new Set();
    for (const tileModel of model.tiles) {
      seen.add(tileModel.key);
      let tile = this.#tiles.get(tileModel.key);
      if (!tile) {
        tile = /** @type {SalonTile} */ (document.createElement("salon-tile"));
        this.#tiles.set(tileModel.key, tile);
      }
      tile.model = tileModel;
      const parent = tileModel.key === model.stageKey ? stage : tileModel.key === model.selfKey ? self : strip;
      parent.append(tile); // in order; a synchronous move keeps the video playing
    }
    for (const [key, tile] of this.#tiles) {
      if (!seen.has(key)) {
        tile.remove();
        this.#tiles.delete(key);
      }
    }
    const staged = model.stageKey !== null && this.#tiles.has(model.stageKey);
    this.classList.toggle("has-stage", staged);
    stage.hidden = !staged;
    const floating = model.selfKey !== null && model.selfKey !== model.stageKey && this.#tiles.has(model.selfKey);
    self.hidden = !floating;
    self.dataset.floating = String(floating);
    self.setAttribute("aria-label", t("grid.selfView"));
    part(this, "invite").hidden = !model.alone;
    part(this, "invite-text").textContent = t("grid.alone");
    part(this, "copy-text").textContent = t("grid.copyLink");
    part(this, "sound-text").textContent = t("grid.enableSound");
    this.#layout();
  }

  /** @param {{page: number, pages: number, offPage: string[]}} paged @param {TileModel[]} all */
  #pages({ page, pages, offPage }, all) {
    const bar = part(this, "pages");
    bar.hidden = pages <= 1;
    this.classList.toggle("is-paged", pages > 1);
    bar.setAttribute("aria-label", t("grid.pages"));
    part(this, "page-text").textContent = t("grid.page", { page: page + 1, pages });
    const prev = /** @type {HTMLButtonElement} */ (part(this, "prev"));
    const next = /** @type {HTMLButtonElement} */ (part(this, "next"));
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
    prev.setAttribute("aria-label", t("grid.previousPage"));
    next.setAttribute("aria-label", t("grid.nextPage"));
    const speaker = all.find((tile) => tile.participantId === offPage[0]);
    const offpage = part(this, "offpage");
    offpage.hidden = !speaker;
    offpage.textContent = speaker ? t("grid.speakingElsewhere", { name: speaker.name }) : "";
    if (speaker) offpage.dataset.participantId = speaker.participantId;
  }

  /** The video element of a tile, if it is on screen. @param {string} key @returns {HTMLVideoElement | null} */
  videoFor(key) {
    return this.#tiles.get(key)?.video ?? null;
  }

  #layout() {
    if (!this.#model) return;
    const strip = part(this, "tiles");
    const count = strip.childElementCount;
    if (this.classList.contains("has-stage")) {
      strip.style.removeProperty("--tile-width");
      return;
    }
    const { width, height } = strip.getBoundingClientRect();
    if (width > 0 && height > 0) strip.style.setProperty("--tile-width", `${bestTileWidth(count, width, height)}px`);
  }

  async #copyLink() {
    const text = part(this, "copy-text");
    try {
      await navigator.clipboard.writeText(this.#model?.shareUrl ?? location.href);
      text.textContent = t("grid.copied");
      intent(this, "announce", { text: t("grid.copied") });
    } catch {
      text.textContent = this.#model?.shareUrl ?? "";
    }
  }
}

export function registerSalonGrid() {
  adoptStyle(new URL("./salon-grid.css", import.meta.url).href);
  registerSalonTile();
  if (!customElements.get("salon-grid")) customElements.define("salon-grid", SalonGrid);
}
