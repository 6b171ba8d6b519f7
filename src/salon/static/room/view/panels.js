/**
 * The side panels' models: chat, people (knocks included) and a host's breakout groups; and the
 * settings dialog's.
 */

import { groupOf, groupsProblem } from "../breakout.js";
import { nameOf } from "../names.js";
import { isHost } from "../state.js";

/**
 * @typedef {import('../state.js').RoomState} RoomState
 * @typedef {import('../ui.js').UiState} UiState
 */

/**
 * The people panel: me first (as a participant), the others, and for hosts who knocks.
 * @param {RoomState} s @param {NonNullable<RoomState['me']>} me
 */
export function peopleModel(s, me) {
  const meAsPerson = {
    id: me.id, displayName: me.displayName, role: me.role, audio: s.local.audio, video: s.local.video,
    screen: s.local.screen, externalId: null, metadata: null, reconnecting: s.connection === "reconnecting", joinedAt: 0,
  };
  return { me: meAsPerson, participants: s.participants, knocks: s.knocks, knocksTotal: s.knocksTotal, isHost: isHost(s), spotlight: s.room?.spotlight ?? null };
}

/**
 * The host's breakout panel: the running session as the server has it, else the plan; null
 * when there is neither.
 * @param {RoomState} s @param {UiState} u
 */
export function breakoutModel(s, u) {
  const session = s.room?.breakout ?? null;
  const plan = session ?? u.breakoutDraft;
  if (!plan) return null;
  return {
    running: session !== null,
    groups: plan.groups,
    assignments: plan.assignments,
    allowChoose: plan.allowChoose,
    people: s.participants.map((p) => ({ id: p.id, name: nameOf(p) })),
    myGroup: groupOf(session, s.me?.id),
    problem: session ? null : groupsProblem(plan.groups),
  };
}

/**
 * The settings dialog: devices, speaker, language and low-data mode; open in the room only.
 * @param {RoomState} s @param {UiState} u
 * @param {{media: import('../media/local.js').LocalMedia, params: import('../params.js').RoomParams, languages: string[] | null}} deps
 */
export function settingsModel(s, u, { media, params, languages }) {
  const viewer = s.me?.role === "viewer";
  const current = (/** @type {'audio' | 'video'} */ kind) =>
    media.chosen[kind] ?? media.track(kind)?.getSettings().deviceId ?? null;
  return {
    open: u.settingsOpen && s.phase === "room",
    devices: media.devices,
    current: { audio: current("audio"), video: current("video") },
    sinkId: u.sinkId,
    speakerSupported: typeof (/** @type {any} */ (HTMLMediaElement.prototype).setSinkId) === "function",
    canSend: !viewer,
    cameraAccess: params.cameraAccess,
    languages,
    language: u.language,
    lowData: u.lowData,
  };
}
