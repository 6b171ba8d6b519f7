// <salon-embed>'s room URL (docs/embedding.md): attributes become URL parameters.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { ALLOW, FORWARDED, OBSERVED, roomUrl, SalonEmbed } from "../../src/salon/static/embed.js";

const ROOM = "https://acme.meet.example/3f1c2a9e";
const query = (url) => Object.fromEntries(url.searchParams);

describe("roomUrl", () => {
  it("always turns on the postMessage API", () => {
    assert.deepEqual(query(roomUrl(ROOM, [])), { jsApi: "true", we: "1", iframeSource: "acme" });
  });

  it("maps lower-cased attribute names back to the parameters' spelling", () => {
    const url = roomUrl(ROOM, [["displayname", "Ada"], ["externalid", "u-1"], ["floatself", ""], ["precallreview", "off"], ["highlightactivespeaker", "on"]]);
    const q = query(url);
    assert.equal(q.displayName, "Ada");
    assert.equal(q.externalId, "u-1");
    assert.equal(q.floatSelf, "");
    assert.equal(q.precallReview, "off");
    assert.equal(q.highlightActiveSpeaker, "on");
    assert.ok(!("displayname" in q));
  });

  it("sends minimal as embed, with its value", () => {
    assert.equal(query(roomUrl(ROOM, [["minimal", ""]])).embed, "");
    assert.equal(query(roomUrl(ROOM, [["minimal", "off"]])).embed, "off");
    assert.ok(!("minimal" in query(roomUrl(ROOM, [["minimal", ""]]))));
  });

  it("lets parameters already on the room URL win", () => {
    const url = roomUrl(`${ROOM}?roomKey=abc.def.ghi&chat=off&minimal`, [["chat", "on"], ["minimal", "off"], ["lang", "fr"]]);
    const q = query(url);
    assert.equal(q.roomKey, "abc.def.ghi");
    assert.equal(q.chat, "off");
    assert.equal(q.minimal, "");
    assert.ok(!("embed" in q));
    assert.equal(q.lang, "fr");
  });

  it("ignores attributes that are not room parameters (room, title, style, roomKey)", () => {
    const q = query(roomUrl(ROOM, [["room", ROOM], ["title", "Call"], ["style", "height: 1px"], ["roomkey", "x"], ["class", "a"]]));
    assert.deepEqual(Object.keys(q).sort(), ["iframeSource", "jsApi", "we"]);
  });

  it("resolves a relative room against the page, and refuses other schemes", () => {
    assert.equal(roomUrl("/room-1", [], "http://localhost:8000/app/").origin, "http://localhost:8000");
    assert.equal(query(roomUrl("http://127.0.0.1:8000/r", [])).iframeSource, "127.0.0.1");
    assert.throws(() => roomUrl("javascript:alert(1)", []), TypeError);
    assert.throws(() => roomUrl("not a url", []), TypeError);
  });

  it("encodes values, so an attribute cannot add parameters of its own", () => {
    const url = roomUrl(ROOM, [["displayname", "Ada&roomKey=stolen"], ["metadata", "a=b c"]]);
    assert.equal(url.searchParams.get("displayName"), "Ada&roomKey=stolen");
    assert.equal(url.searchParams.get("roomKey"), null);
    assert.equal(url.searchParams.get("metadata"), "a=b c");
  });
});

describe("the element", () => {
  it("observes every forwarded attribute in lower case, plus room, title and minimal", () => {
    for (const name of FORWARDED) assert.ok(OBSERVED.includes(name.toLowerCase()), name);
    for (const name of ["room", "title", "minimal"]) assert.ok(OBSERVED.includes(name));
    assert.ok(OBSERVED.every((name) => name === name.toLowerCase()));
  });

  it("allows what a meeting needs", () => {
    assert.equal(ALLOW, "camera; microphone; fullscreen; speaker; display-capture; autoplay");
  });

  it("has the documented commands as methods", () => {
    for (const method of ["toggleCamera", "toggleMicrophone", "toggleScreenshare", "toggleChat", "togglePeople", "leaveRoom",
      "knock", "cancelKnock", "endMeeting", "toggleBreakout", "openSettings", "startRecording", "stopRecording"]) {
      assert.equal(typeof SalonEmbed.prototype[method], "function", method);
    }
  });
});
