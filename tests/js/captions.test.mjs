// Live captions in the room: the embed commands map to the host's messages, a speaker's
// interim line is replaced as their words grow, and the CC button's rules.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { CAPTION_LINES, captionsButton, nextCaptions, TRANSCRIPTION_COMMANDS, transcriptionActions, transcriptionStatus } from "../../src/salon/static/room/captions.js";
import { COMMANDS } from "../../src/salon/static/room/embed.js";
import { initialState } from "../../src/salon/static/room/state.js";

const said = (participantId, text, final = false) => ({ participantId, displayName: participantId.toUpperCase(), text, final });

describe("captions", () => {
  it("obeys startLiveTranscription() and stopLiveTranscription() by sending the host's messages", () => {
    const sent = [];
    const actions = transcriptionActions({ send: (type) => sent.push(type) });
    for (const [command, action] of Object.entries(TRANSCRIPTION_COMMANDS)) {
      assert.ok(COMMANDS.includes(command), command);
      actions[action]();
    }
    assert.deepEqual(sent, ["start-live-transcription", "stop-live-transcription"]);
  });

  it("replaces a speaker's interim line as their words grow, and keeps final lines", () => {
    let lines = nextCaptions([], said("ada", "the"));
    lines = nextCaptions(lines, said("bo", "please"));
    lines = nextCaptions(lines, said("ada", "the lighthouse"));
    assert.deepEqual(lines.map((l) => [l.name, l.text, l.final]), [["ADA", "the lighthouse", false], ["BO", "please", false]]);
    lines = nextCaptions(lines, said("ada", "the lighthouse project", true));
    lines = nextCaptions(lines, said("ada", "was"));
    assert.deepEqual(lines.map((l) => [l.name, l.text, l.final]), [["ADA", "the lighthouse project", true], ["BO", "please", false], ["ADA", "was", false]]);
    for (let n = 0; n < 5; n += 1) lines = nextCaptions(lines, said("cy", `line ${n}`, true));
    assert.equal(lines.length, CAPTION_LINES);
  });

  it("turns transcription-status into the indicator and transcription_status_change", () => {
    assert.deepEqual(transcriptionStatus({ transcribing: true }), { indicator: "on", event: { status: "started" } });
    assert.deepEqual(transcriptionStatus({ transcribing: false }), { indicator: "off", event: { status: "stopped" } });
  });

  it("shows the CC button to everyone while captions run, and to a host when the meeting offers them", () => {
    const base = initialState();
    const visitor = { ...base, phase: "room", me: { id: "me", role: "visitor" } };
    const host = { ...visitor, me: { id: "me", role: "host" } };
    const offered = { offered: true, on: false, shown: true };
    assert.equal(captionsButton({ ...visitor, transcription: offered }).show, false);
    assert.equal(captionsButton({ ...host, transcription: offered }).show, true);
    const running = captionsButton({ ...visitor, transcription: { offered: true, on: true, shown: true } });
    assert.deepEqual([running.show, running.on], [true, true]);
    assert.equal(captionsButton({ ...visitor, transcription: { offered: true, on: true, shown: false } }).on, false);
  });
});
