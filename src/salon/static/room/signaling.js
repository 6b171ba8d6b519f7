/**
 * The signaling client: owns the WebSocket to `/_salon/signal`. No DOM.
 *
 *   connect(join) ─► socket open ─► `join` (with `resume` after a drop) ─► `joined` …
 *        ▲                                                          │ drop (not final)
 *        └──────────── backoff ◄─── state "reconnecting" ◄──────────┘
 *
 * Emits a CustomEvent per server message (named by its `type`, detail = the message) and
 * `message` for all of them; `state` ({state, previous}) on every change; `reconnecting`
 * ({attempt, delay}); `closed` ({code, reason}) once, when the connection is over for good;
 * `protocol-error` ({error}) for a frame it could not read. `joined` carries a client-side
 * `resumed` flag: true when the server gave the same participant back.
 *
 * The codec lives in protocol.js (pure) and is re-exported here.
 */

import { backoffDelay, CLOSE, decode, encode, FINAL_CLOSE_CODES, PROTOCOL_VERSION, ProtocolError, SIGNAL_PATH } from "./protocol.js";

export * from "./protocol.js";

/** @typedef {'idle' | 'connecting' | 'open' | 'joined' | 'reconnecting' | 'leaving' | 'closed'} ClientState */
/** @typedef {import('./protocol.js').JoinFields} JoinFields */

/** Messages kept while the socket is away, sent after the next `joined`. */
const KEPT_WHILE_AWAY = new Set(["chat", "media", "set-name"]);
const OUTBOX_LIMIT = 50;
/** Messages after which the server closes: that close is final whatever its code. */
const FINAL_MESSAGES = new Set(["removed", "room-full", "knock-rejected"]);

/** The signaling URL for a page at `location`. @param {{protocol: string, host: string}} location */
export function signalingUrl(location) {
  return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}${SIGNAL_PATH}`;
}

export class SignalingClient extends EventTarget {
  /** @type {WebSocket | null} */ #ws = null;
  /** @type {ClientState} */ #state = "idle";
  /** @type {JoinFields | null} */ #join = null;
  /** @type {{participantId: string, token: string} | null} */ #resume = null;
  #resuming = false;
  #attempt = 0;
  #lastHeard = 0;
  /** @type {string | null} */ #finalMessage = null;
  /** @type {string[]} */ #outbox = [];
  /** @type {any} */ #pingTimer = null;
  /** @type {any} */ #retryTimer = null;
  /** @type {any} */ #closeTimer = null;

  /**
   * @param {{url: string, WebSocket?: typeof WebSocket, timers?: Pick<typeof globalThis,
   *   'setTimeout' | 'clearTimeout' | 'setInterval' | 'clearInterval'>, now?: () => number,
   *   pingEvery?: number, deadAfter?: number, random?: () => number}} options
   */
  constructor({ url, WebSocket: Socket, timers = globalThis, now = Date.now, pingEvery = 15_000, deadAfter = 40_000, random = Math.random }) {
    super();
    this.url = url;
    this.Socket = Socket ?? globalThis.WebSocket;
    this.timers = timers;
    this.now = now;
    this.pingEvery = pingEvery;
    this.deadAfter = deadAfter;
    this.random = random;
  }

  /** @returns {ClientState} */
  get state() {
    return this.#state;
  }

  /** My participant id once joined (kept across a resume). */
  get participantId() {
    return this.#resume?.participantId ?? null;
  }

  /** Open the socket and join. @param {JoinFields} join */
  connect(join) {
    if (this.#state !== "idle") throw new Error(`connect() in state ${this.#state}`);
    if (!this.Socket) throw new Error("no WebSocket in this environment");
    this.#join = join;
    this.#open("connecting");
  }

  /**
   * Send one message. Chat, media and name changes made while the socket is away are kept and
   * sent after the next `joined`; anything else is dropped then. Returns whether it was sent or kept.
   * @param {string} type @param {Record<string, unknown>} [fields]
   */
  send(type, fields = {}) {
    const frame = encode(type, fields); // throws ProtocolError on a malformed message: a bug
    if (this.#state === "joined" || (this.#state === "open" && !KEPT_WHILE_AWAY.has(type))) {
      if (this.#ws && this.#ws.readyState === 1) {
        this.#ws.send(frame);
        return true;
      }
    }
    if (KEPT_WHILE_AWAY.has(type) && this.#state !== "closed" && this.#state !== "leaving") {
      this.#outbox = [...this.#outbox, frame].slice(-OUTBOX_LIMIT);
      return true;
    }
    return false;
  }

  /** Leave the room: the server closes with CLOSE.LEFT (4000); `closed` follows. */
  leave() {
    if (this.#state === "closed" || this.#state === "leaving") return;
    const ws = this.#ws;
    if (ws && ws.readyState === 1) {
      ws.send(encode("leave"));
      this.#setState("leaving");
      this.#closeTimer = this.timers.setTimeout(() => this.#finish(CLOSE.LEFT, "left"), 2000);
    } else {
      this.#finish(CLOSE.LEFT, "left");
    }
  }

  /** Close without leaving (the page goes away): the server keeps us for its grace period. */
  close() {
    this.#finish(CLOSE.NORMAL, "closed by the page");
  }

  // ---- internals ----------------------------------------------------------------------------

  /** @param {ClientState} state */
  #setState(state) {
    if (state === this.#state) return;
    const previous = this.#state;
    this.#state = state;
    this.dispatchEvent(new CustomEvent("state", { detail: { state, previous } }));
  }

  /** @param {ClientState} state */
  #open(state) {
    this.#setState(state);
    const ws = new this.Socket(this.url);
    this.#ws = ws;
    ws.onopen = () => ws === this.#ws && this.#onOpen();
    ws.onmessage = (event) => ws === this.#ws && this.#onFrame(String(event.data));
    ws.onclose = (event) => ws === this.#ws && this.#onClose(event.code, event.reason);
    ws.onerror = () => {}; // a close event always follows
  }

  #onOpen() {
    this.#lastHeard = this.now();
    this.#setState("open");
    this.#sendJoin();
    this.#pingTimer = this.timers.setInterval(() => this.#keepAlive(), this.pingEvery);
  }

  #sendJoin() {
    const join = /** @type {JoinFields} */ (this.#join);
    this.#resuming = this.#resume !== null;
    const resume = this.#resume ? { participantId: this.#resume.participantId, token: this.#resume.token } : undefined;
    this.#ws?.send(encode("join", { v: PROTOCOL_VERSION, ...join, resume }));
  }

  #keepAlive() {
    if (this.now() - this.#lastHeard > this.deadAfter) {
      this.#drop(); // no frame for too long: the connection is dead even if the socket says not
      return;
    }
    if (this.#ws?.readyState === 1) this.#ws.send(encode("ping", { id: String(this.now()) }));
  }

  /** @param {string} text */
  #onFrame(text) {
    this.#lastHeard = this.now();
    /** @type {{type: string, [field: string]: any}} */
    let message;
    try {
      message = decode(text);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.dispatchEvent(new CustomEvent("protocol-error", { detail: { error } }));
      return;
    }
    if (message.type === "joined") {
      const resumed = this.#resuming && this.#resume?.participantId === message.participantId;
      this.#resume = { participantId: message.participantId, token: message.resumeToken };
      this.#attempt = 0;
      message = { ...message, resumed };
      this.#setState("joined");
    } else if (message.type === "error" && message.about === "join" && this.#resuming) {
      this.#resume = null; // too late to resume: join as someone new
      this.#sendJoin();
      return;
    } else if (FINAL_MESSAGES.has(message.type)) {
      this.#finalMessage = message.type;
      this.#closeTimer = this.timers.setTimeout(() => this.#finish(CLOSE.NORMAL, message.type), 3000);
    }
    this.dispatchEvent(new CustomEvent(message.type, { detail: message }));
    this.dispatchEvent(new CustomEvent("message", { detail: message }));
    if (message.type === "joined") this.#flush();
  }

  #flush() {
    const frames = this.#outbox;
    this.#outbox = [];
    for (const frame of frames) this.#ws?.send(frame);
  }

  /** @param {number} code @param {string} reason */
  #onClose(code, reason) {
    this.#stopTimers();
    this.#ws = null;
    if (this.#state === "leaving") this.#finish(CLOSE.LEFT, reason);
    else if (this.#finalMessage || FINAL_CLOSE_CODES.has(code)) this.#finish(code, reason || this.#finalMessage || "");
    else this.#retry();
  }

  #retry() {
    this.#attempt += 1;
    const delay = backoffDelay(this.#attempt, { random: this.random });
    this.#setState("reconnecting");
    this.dispatchEvent(new CustomEvent("reconnecting", { detail: { attempt: this.#attempt, delay } }));
    this.#retryTimer = this.timers.setTimeout(() => this.#open("reconnecting"), delay);
  }

  /** Give up on the current socket without waiting for its close event. */
  #drop() {
    const ws = this.#ws;
    this.#ws = null;
    this.#stopTimers();
    try {
      ws?.close();
    } catch {
      // already closing
    }
    this.#retry();
  }

  /** @param {number} code @param {string} reason */
  #finish(code, reason) {
    if (this.#state === "closed") return;
    const ws = this.#ws;
    this.#ws = null;
    this.#stopTimers();
    this.timers.clearTimeout(this.#retryTimer);
    try {
      if (ws && ws.readyState <= 1) ws.close(CLOSE.NORMAL);
    } catch {
      // already closing
    }
    this.#outbox = [];
    this.#setState("closed");
    this.dispatchEvent(new CustomEvent("closed", { detail: { code, reason } }));
  }

  #stopTimers() {
    this.timers.clearInterval(this.#pingTimer);
    this.timers.clearTimeout(this.#closeTimer);
    this.#pingTimer = null;
    this.#closeTimer = null;
  }
}
