/**
 * Salon signaling protocol, version 1 (docs/signaling-protocol.md): the pure codec, the browser
 * twin of the server's `signaling/protocol.py`. Text frames in, typed messages out, and back:
 *
 *   encode(type, fields) ─► text frame        text frame ─► decode(text) ─► message
 *
 * No socket, no clock, no DOM, no imports: Node runs it in the unit tests. signaling.js owns the
 * socket and re-exports everything here.
 */

export const PROTOCOL_VERSION = 1;
export const MAX_FRAME_BYTES = 64 * 1024;
export const CHAT_MAX_CHARS = 4000;
export const SIGNAL_PATH = "/_salon/signal";

/** Close codes (server → client). */
export const CLOSE = Object.freeze({
  NORMAL: 1000, TOO_BIG: 1009, LEFT: 4000, REMOVED: 4001, ENDED: 4002, DELETED: 4003, FULL: 4004,
  REJECTED: 4005, TOO_SLOW: 4008, REPLACED: 4009, FLOODING: 4029, PROTOCOL: 4400, NO_SFU: 4503,
});

/**
 * Codes after which reconnecting would not help: the page shows why instead.
 * @type {ReadonlySet<number>}
 */
export const FINAL_CLOSE_CODES = new Set([
  CLOSE.LEFT, CLOSE.REMOVED, CLOSE.ENDED, CLOSE.DELETED, CLOSE.FULL, CLOSE.REJECTED, CLOSE.REPLACED, CLOSE.PROTOCOL, CLOSE.NO_SFU,
]);

export class ProtocolError extends Error {}

// ---- field checks ---------------------------------------------------------------------------

/** @typedef {(value: unknown) => boolean} Check */
const str = /** @type {Check} */ ((v) => typeof v === "string");
const bool = /** @type {Check} */ ((v) => typeof v === "boolean");
const obj = /** @type {Check} */ ((v) => typeof v === "object" && v !== null && !Array.isArray(v));
const nullableStr = /** @type {Check} */ ((v) => v === null || typeof v === "string");
const num = /** @type {Check} */ ((v) => typeof v === "number" && Number.isFinite(v));
const arr = /** @type {Check} */ ((v) => Array.isArray(v));
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** @param {unknown} v */
const displayName = (v) => typeof v === "string" && !CONTROL.test(v) && chars(v.trim()) >= 1 && chars(v.trim()) <= 100;
/** @param {unknown} v */
const chatText = (v) => typeof v === "string" && chars(v) >= 1 && chars(v) <= CHAT_MAX_CHARS;
/** @param {unknown} v */
const description = (v) => obj(v) && str(/** @type {any} */ (v).type) && str(/** @type {any} */ (v).sdp);
/** @param {unknown} v */
const candidate = (v) => v === null || (obj(v) && str(/** @type {any} */ (v).candidate));
/** A breakout group's index, or null for the main room. @param {unknown} v */
const groupIndex = (v) => v === null || (Number.isInteger(v) && /** @type {number} */ (v) >= 0 && /** @type {number} */ (v) < 20);
/** Code points, as the server counts them. @param {string} s */
function chars(s) {
  let n = 0;
  for (const _ of s) n += 1;
  return n;
}

/** @param {unknown} v */
const percent = (v) => typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= 100;
/** @param {unknown} v */
const bitsPerSecond = (v) => typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= 1e10;

/**
 * Client → server messages: field → [check, required].
 * @type {Record<string, Record<string, [Check, boolean]>>}
 */
const CLIENT = {
  join: {
    v: [num, true], room: [str, true], roomKey: [str, false], displayName: [displayName, false],
    externalId: [(v) => typeof v === "string" && /^[A-Za-z0-9_-]{1,36}$/.test(v), false],
    metadata: [(v) => typeof v === "string" && v.length <= 512, false], resume: [obj, false],
  },
  knock: { displayName: [displayName, false] },
  "cancel-knock": {},
  leave: {},
  signal: { to: [str, true], description: [description, false], candidate: [candidate, false] },
  media: { audio: [bool, true], video: [bool, true], screen: [bool, true] },
  chat: { text: [chatText, true] },
  "set-name": { displayName: [displayName, true] },
  lock: { locked: [bool, true] },
  admit: { participantId: [str, true] },
  reject: { participantId: [str, true], message: [str, false] },
  hold: { participantId: [str, true], message: [str, true] },
  remove: { participantId: [str, true] },
  mute: { participantId: [str, true] },
  "camera-off": { participantId: [str, true] },
  spotlight: { participantId: [nullableStr, true] },
  "end-meeting": {},
  "breakout-start": { groups: [(v) => Array.isArray(v) && v.length >= 1 && v.length <= 20 && v.every(str), true], allowChoose: [bool, false] },
  "breakout-assign": { participantId: [str, true], group: [groupIndex, true] },
  "breakout-choose": { group: [groupIndex, true] },
  "breakout-broadcast": { text: [chatText, true] },
  "breakout-end": {},
  timer: { running: [bool, true] },
  "start-recording": {},
  "stop-recording": {},
  "start-streaming": {},
  "stop-streaming": {},
  "start-live-transcription": {},
  "stop-live-transcription": {},
  ping: { id: [(v) => str(v) || num(v), false] },
  "sfu-publish": { description: [description, true], screenMid: [nullableStr, false], restart: [bool, false], publication: [num, false] },
  "sfu-answer": { description: [description, true], subscription: [num, false] },
  "sfu-candidate": { target: [(v) => v === "publisher" || v === "subscriber", true], candidate: [candidate, true] },
  "sfu-subscribe": {},
  "sfu-quality": { participantId: [str, true], substream: [(v) => v === 0 || v === 1 || v === 2, true] },
  stats: {
    packetLossSend: [percent, true], packetLossRecv: [percent, true], bitrateSend: [bitsPerSecond, true],
    bitrateRecv: [bitsPerSecond, true], audio: [bool, false], video: [bool, false], screen: [bool, false],
  },
  "sfu-view": {
    videos: [(v) => Array.isArray(v) && v.length <= 49 && v.every((x) => obj(x) && str(x.participantId) && (x.kind === "camera" || x.kind === "screen") && [0, 1, 2].includes(x.substream)), true],
    pinned: [(v) => Array.isArray(v) && v.length <= 10 && v.every(str), false],
  },
};

/** The message types a client may send. */
export const CLIENT_TYPES = Object.freeze(Object.keys(CLIENT));

/**
 * Server → client messages: the fields this page relies on. Others pass through untouched.
 * @type {Record<string, Record<string, Check>>}
 */
const SERVER = {
  joined: { v: num, participantId: str, resumeToken: str, role: str, room: obj, participants: arr },
  "room-locked": { room: obj },
  knocking: {},
  "knock-held": { message: str },
  "knock-rejected": {},
  knocks: { knocks: arr, total: num },
  "participant-joined": { participant: obj },
  "participant-left": { participantId: str },
  "participant-updated": { participant: obj },
  "room-updated": { room: obj },
  signal: { from: str },
  chat: { from: str, text: str },
  muted: {},
  "camera-turned-off": {},
  removed: { reason: str },
  "room-full": {},
  error: { code: str },
  pong: {},
  "sfu-published": { description: description },
  "sfu-offer": { description: description, streams: arr },
  "sfu-state": { state: str },
  caption: { participantId: str, displayName: str, text: str },
  "transcription-status": { transcribing: bool },
};

/** The message types this client understands. */
export const SERVER_TYPES = Object.freeze(Object.keys(SERVER));

/** @param {string} text */
function utf8Length(text) {
  return new TextEncoder().encode(text).length;
}

/**
 * One client message as a text frame. Throws ProtocolError for an unknown type, a missing or
 * malformed field, or a frame over the size limit. Undefined fields are left out.
 * @param {string} type
 * @param {Record<string, unknown>} [fields]
 * @returns {string}
 */
export function encode(type, fields = {}) {
  const spec = CLIENT[type];
  if (!spec) throw new ProtocolError(`unknown message type ${type}`);
  /** @type {Record<string, unknown>} */
  const message = { type };
  for (const [name, [check, required]] of Object.entries(spec)) {
    const value = fields[name];
    if (value === undefined) {
      if (required) throw new ProtocolError(`${type}: missing ${name}`);
      continue;
    }
    if (!check(value)) throw new ProtocolError(`${type}: bad ${name}`);
    message[name] = value;
  }
  if (type === "signal" && (message.description === undefined) === (message.candidate === undefined)) {
    throw new ProtocolError("signal: exactly one of description or candidate");
  }
  const frame = JSON.stringify(message);
  if (utf8Length(frame) > MAX_FRAME_BYTES) throw new ProtocolError(`${type}: frame over ${MAX_FRAME_BYTES} bytes`);
  return frame;
}

/**
 * One server frame as a message object. Throws ProtocolError for a frame that is not a JSON
 * object with a string `type`, or a known type missing a field this page relies on. Unknown types
 * are returned as they are (later versions may add some).
 * @param {string} text
 * @returns {{type: string, [field: string]: any}}
 */
export function decode(text) {
  let message;
  try {
    message = JSON.parse(text);
  } catch {
    throw new ProtocolError("frame is not JSON");
  }
  if (!obj(message) || !str(message.type)) throw new ProtocolError("frame is not an object with a type");
  const spec = SERVER[message.type];
  if (spec) {
    for (const [name, check] of Object.entries(spec)) {
      if (!check(message[name])) throw new ProtocolError(`${message.type}: bad ${name}`);
    }
  }
  return message;
}

/** The join fields of a page: everything but `v` and `resume`, which the client adds. */
/** @typedef {{room: string, roomKey?: string, displayName?: string, externalId?: string, metadata?: string}} JoinFields */

/**
 * Delay before reconnect attempt `attempt` (1, 2, …): exponential with full jitter.
 * @param {number} attempt @param {{base?: number, max?: number, random?: () => number}} [options]
 */
export function backoffDelay(attempt, { base = 500, max = 10_000, random = Math.random } = {}) {
  const ceiling = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
