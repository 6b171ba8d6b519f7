/**
 * The paged grid of a large room: how many tiles fit a page, which tiles are on the page shown,
 * and what the SFU should send for them. Pure (sizes are passed in), unit-tested in Node.
 *
 *   tiles (tiles.js) ─► paginate(stage, floating self, first-page people, page size, page)
 *        ─► the tiles on screen ─► viewOf(sizes) ─► `sfu-view` (only these videos are received)
 *
 * The stage (a screen share or the spotlight) and my floating self view are always on screen and
 * never take a page slot. The active speaker and the spotlighted person are kept on the first
 * page: one who is not on it under the natural order is moved to its front.
 */

/** A laptop shows at most 5 × 5 tiles; a phone fewer (the size that fits decides). */
export const MAX_PAGE_SIZE = 25;
/** The smallest tile worth showing a face in, 16:9. */
export const MIN_TILE_WIDTH = 160;
const ASPECT = 16 / 9;
const GAP = 12;

/**
 * How many tiles of at least MIN_TILE_WIDTH fit a box (1 … MAX_PAGE_SIZE).
 * @param {number} width @param {number} height
 */
export function pageSize(width, height) {
  if (!(width > 0) || !(height > 0)) return MAX_PAGE_SIZE;
  const cols = Math.max(1, Math.floor((width + GAP) / (MIN_TILE_WIDTH + GAP)));
  const rows = Math.max(1, Math.floor((height + GAP) / (MIN_TILE_WIDTH / ASPECT + GAP)));
  return Math.max(1, Math.min(MAX_PAGE_SIZE, cols * rows));
}

/**
 * @template {{key: string, participantId: string}} T
 * @param {T[]} tiles every tile, in the room's order
 * @param {{stageKey: string | null, selfKey: string | null, first: (string | null)[], size: number, page: number}} options
 *   `first`: participants kept on the first page (active speaker, spotlight)
 * @returns {{tiles: T[], page: number, pages: number, offPage: string[]}} the tiles on screen
 *   (stage and floating self included), the page shown (clamped), how many pages, and the
 *   participants of `first` that are not on screen
 */
export function paginate(tiles, { stageKey, selfKey, first, size, page }) {
  const fixed = tiles.filter((t) => t.key === stageKey || t.key === selfKey);
  const strip = tiles.filter((t) => t.key !== stageKey && t.key !== selfKey);
  const per = Math.max(1, Math.floor(size));
  const natural = new Set(strip.slice(0, per).map((t) => t.key));
  const wanted = first.filter((id) => id !== null);
  const promoted = strip.filter((t) => t.participantId !== undefined && wanted.includes(t.participantId) && !natural.has(t.key));
  const ordered = [...promoted, ...strip.filter((t) => !promoted.includes(t))];
  const pages = Math.max(1, Math.ceil(ordered.length / per));
  const shownPage = Math.min(Math.max(0, Math.floor(page)), pages - 1);
  const onPage = ordered.slice(shownPage * per, (shownPage + 1) * per);
  const shown = [...fixed, ...onPage];
  const offPage = wanted.filter((id) => !shown.some((t) => t.participantId === id));
  return { tiles: tiles.filter((t) => shown.includes(t)), page: shownPage, pages, offPage };
}

/**
 * The page a turn leads to: `delta` pages on from `page`, kept within the first and the last of
 * `pages`. Pure.
 * @param {number} page @param {number} pages @param {number} delta
 */
export function turnedPage(page, pages, delta) {
  return Math.min(Math.max(0, page + delta), Math.max(1, pages) - 1);
}

/** The simulcast layer a tile of this height needs. @param {number} height */
export function layerFor(height) {
  return height >= 360 ? 2 : height >= 160 ? 1 : 0;
}

/**
 * What `sfu-view` says for the remote tiles on screen: each video with its layer.
 * @param {{key: string, participantId: string, kind: string, isMe: boolean}[]} tiles on screen
 * @param {(key: string) => number} heightOf a tile's video height in CSS pixels (0 when unknown)
 * @returns {{participantId: string, kind: string, substream: number}[]}
 */
export function viewOf(tiles, heightOf) {
  return tiles
    .filter((t) => !t.isMe)
    .map((t) => ({ participantId: t.participantId, kind: t.kind, substream: layerFor(heightOf(t.key)) }));
}
