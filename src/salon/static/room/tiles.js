/**
 * Which tiles the grid shows, and which one takes the stage. Pure (streams are passed in).
 *
 * Everyone who can send media gets a camera tile (viewers get none); a screen being shared gets a
 * tile of its own. The stage goes to the spotlighted participant (their screen if they share one,
 * else their camera), otherwise to a shared screen, otherwise to nobody (an even grid).
 */

import { nameOf } from "./names.js";
import { hasHostRole } from "./state.js";

/**
 * @typedef {import('./state.js').RoomState} RoomState
 * @typedef {import('./components/salon-tile/salon-tile.js').TileModel} TileModel
 * @typedef {{camera: MediaStream | null, screen: MediaStream | null,
 *   remote: Map<string, {camera?: MediaStream, screen?: MediaStream}>}} Streams
 */

/**
 * @param {RoomState} state @param {Streams} streams
 * @returns {{tiles: TileModel[], stageKey: string | null}}
 */
export function tilesFor(state, streams) {
  /** @type {TileModel[]} */
  const tiles = [];
  const spotlight = state.room?.spotlight ?? null;
  const me = state.me;
  if (me && me.role !== "viewer") {
    const base = { participantId: me.id, name: nameOf(me), isMe: true, reconnecting: state.connection === "reconnecting", spotlight: spotlight === me.id, host: hasHostRole(me.role) };
    // My own tile only shows my camera (it never plays my audio): no stream while it is off.
    const camera = state.local.video && streams.camera?.getVideoTracks().length ? streams.camera : null;
    tiles.push({ ...base, key: `${me.id}:camera`, kind: "camera", audio: state.local.audio, video: state.local.video, stream: camera });
    if (state.local.screen && streams.screen) {
      tiles.push({ ...base, key: `${me.id}:screen`, kind: "screen", audio: false, video: true, stream: streams.screen });
    }
  }
  for (const p of state.participants) {
    if (p.role === "viewer") continue;
    const remote = streams.remote.get(p.id) ?? {};
    const base = { participantId: p.id, name: nameOf(p), isMe: false, reconnecting: p.reconnecting, spotlight: spotlight === p.id, host: hasHostRole(p.role) };
    tiles.push({ ...base, key: `${p.id}:camera`, kind: "camera", audio: p.audio, video: p.video, stream: remote.camera ?? null });
    if (p.screen && remote.screen) {
      tiles.push({ ...base, key: `${p.id}:screen`, kind: "screen", audio: false, video: true, stream: remote.screen });
    }
  }
  return { tiles, stageKey: stageKey(tiles, spotlight) };
}

/** @param {TileModel[]} tiles @param {string | null} spotlight */
function stageKey(tiles, spotlight) {
  if (spotlight) {
    const screen = tiles.find((t) => t.participantId === spotlight && t.kind === "screen");
    const camera = tiles.find((t) => t.participantId === spotlight && t.kind === "camera");
    const pick = screen ?? camera;
    if (pick) return pick.key;
  }
  // A screen someone else shares comes before my own (I know what I am sharing).
  const screens = tiles.filter((t) => t.kind === "screen");
  const screen = screens.find((t) => !t.isMe) ?? screens[0];
  return screen && tiles.length > 1 ? screen.key : null;
}
