/**
 * Picture-in-Picture: pops the active speaker's video out of the page, where the browser has the
 * API (`document.pictureInPictureEnabled`: Chromium and Safari; Firefox has its own PiP button and
 * no API, so the button is hidden there). While the window is open it follows the active speaker.
 * Reports open/closed through `onChange` (the `pip_toggle` event).
 */

/** @typedef {import('./components/salon-tile/salon-tile.js').TileModel} TileModel */

/**
 * Which tile to pop out: the other participant who spoke last, else the one on the stage, else
 * the first other participant with the camera on, else my own camera. Only tiles whose video
 * plays (`hasVideo`). Pure.
 * @param {TileModel[]} tiles @param {string | null} stageKey @param {string | null} lastSpeaker
 * @param {(key: string) => boolean} hasVideo
 * @returns {string | null}
 */
export function pipKey(tiles, stageKey, lastSpeaker, hasVideo) {
  const usable = tiles.filter((t) => t.stream && (t.kind === "screen" || t.video) && hasVideo(t.key));
  const others = usable.filter((t) => !t.isMe);
  const pick =
    others.find((t) => t.participantId === lastSpeaker && t.kind === "camera") ??
    others.find((t) => t.key === stageKey) ??
    others.find((t) => t.kind === "camera") ??
    others[0] ??
    usable.find((t) => t.kind === "camera");
  return pick?.key ?? null;
}

/**
 * @param {{videoFor: (key: string) => HTMLVideoElement | null, onChange: (open: boolean) => void,
 *   doc?: Document}} options
 */
export function createPip({ videoFor, onChange, doc = document }) {
  const supported = Boolean(doc.pictureInPictureEnabled && typeof HTMLVideoElement.prototype.requestPictureInPicture === "function");
  let open = false;
  /** Moving the window from one video to another fires leave then enter: report settled states. */
  const settle = () =>
    setTimeout(() => {
      const now = Boolean(doc.pictureInPictureElement);
      if (now !== open) {
        open = now;
        onChange(open);
      }
    }, 0);
  doc.addEventListener("enterpictureinpicture", settle, true);
  doc.addEventListener("leavepictureinpicture", settle, true);

  /** @param {string | null} key @returns {Promise<boolean>} */
  async function show(key) {
    const video = key ? videoFor(key) : null;
    if (!video) return false;
    try {
      await video.requestPictureInPicture();
      return true;
    } catch (error) {
      console.warn("salon: Picture-in-Picture refused", error);
      return false;
    }
  }

  return {
    supported,
    get open() {
      return Boolean(doc.pictureInPictureElement);
    },
    /**
     * Open (on a user's click) or close the window. Resolves whether it is open afterwards.
     * @param {string | null} key the tile to show @param {boolean} [want] undefined flips
     */
    async toggle(key, want) {
      const isOpen = Boolean(doc.pictureInPictureElement);
      if ((want ?? !isOpen) === isOpen) return isOpen;
      if (isOpen) {
        await doc.exitPictureInPicture().catch(() => {});
        return false;
      }
      return show(key);
    },
    /** While open, show another tile (no user gesture needed once the window is open). @param {string | null} key */
    follow(key) {
      const current = doc.pictureInPictureElement;
      if (!current || !key) return;
      const video = videoFor(key);
      if (video && video !== current) show(key);
    },
    close() {
      if (doc.pictureInPictureElement) doc.exitPictureInPicture().catch(() => {});
    },
  };
}
