// Room URL parameters (docs/embedding.md, URL parameters): typed values, defaults, warnings for bad input.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";

import { cleanDisplayName, parseParams, roleHintFromRoomKey, roomNameFromPath } from "../../src/salon/static/room/params.js";

let warnings = [];
const originalWarn = console.warn;
beforeEach(() => {
  warnings = [];
  console.warn = (message) => warnings.push(String(message));
});
afterEach(() => {
  console.warn = originalWarn;
});

describe("defaults", () => {
  it("turns everything on and presets nothing", () => {
    const p = parseParams("");
    assert.equal(p.audio, true);
    assert.equal(p.video, true);
    assert.equal(p.precallReview, true);
    assert.equal(p.chat, true);
    assert.equal(p.minimal, false);
    assert.equal(p.displayName, null);
    assert.equal(p.roomKey, null);
    assert.equal(p.lang, null);
    assert.deepEqual(warnings, []);
  });
});

describe("values", () => {
  it("reads on/off, flags, true/false and empty values", () => {
    const p = parseParams("?video=off&audio=false&chat=on&precallReview=off&floatSelf&screenshare=&leaveButton=true");
    assert.equal(p.video, false);
    assert.equal(p.audio, false);
    assert.equal(p.chat, true);
    assert.equal(p.precallReview, false);
    assert.equal(p.floatSelf, true);
    assert.equal(p.screenshare, true);
    assert.equal(p.leaveButton, true);
  });

  it("takes roomKey, displayName, externalId, metadata and lang", () => {
    const p = parseParams("roomKey=a.b.c&displayName=Ada%20Lovelace&externalId=user_42-x&metadata=%7B%22a%22%3A1%7D&lang=fr");
    assert.equal(p.roomKey, "a.b.c");
    assert.equal(p.displayName, "Ada Lovelace");
    assert.equal(p.externalId, "user_42-x");
    assert.equal(p.metadata, '{"a":1}');
    assert.equal(p.lang, "fr");
  });

  it("minimal turns chat, screen share and leave off unless asked back", () => {
    const p = parseParams("?minimal&chat=on");
    assert.equal(p.minimal, true);
    assert.equal(p.chat, true);
    assert.equal(p.screenshare, false);
    assert.equal(p.leaveButton, false);
    assert.equal(parseParams("?embed").minimal, true);
  });

  it("accepts both spellings of the help link", () => {
    assert.equal(parseParams("precallPermissionsHelpLink=https://help.example/x").precallPermissionHelpLink, "https://help.example/x");
  });

  it("turns on the embed API for jsApi=true or we=1", () => {
    assert.equal(parseParams("jsApi=true").jsApi, true);
    assert.equal(parseParams("we=1").jsApi, true);
    assert.equal(parseParams("").jsApi, false);
  });
});

describe("invalid values are ignored with a warning", () => {
  const cases = [
    ["video=maybe", "video", true],
    ["displayName=%3Cimg%20src%3Dx%3E", "displayName", null],
    ["displayName=%20%20", "displayName", null],
    [`displayName=${"x".repeat(101)}`, "displayName", null],
    ["externalId=has%20space", "externalId", null],
    [`externalId=${"a".repeat(37)}`, "externalId", null],
    [`metadata=${"m".repeat(513)}`, "metadata", null],
    ["lang=ja", "lang", null],
    ["precallPermissionHelpLink=javascript:alert(1)", "precallPermissionHelpLink", null],
  ];
  for (const [query, name, expected] of cases) {
    it(query.slice(0, 40), () => {
      assert.equal(parseParams(query)[name], expected);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], new RegExp(name));
    });
  }

  it("warns about unknown parameters", () => {
    const p = parseParams("nonsense=1");
    assert.equal(/** @type {any} */ (p).nonsense, undefined);
    assert.match(warnings[0], /unknown parameter/);
  });

  it("accepts known parameters meant for later without a warning", () => {
    parseParams("avatarUrl=https://x/y.png&groups=A,B&iframeSource=sub&sdkPlatform=react-native-embed");
    assert.deepEqual(warnings, []);
  });
});

describe("names", () => {
  it("trims and checks typed names the way the protocol does", () => {
    assert.equal(cleanDisplayName("  Ada "), "Ada");
    assert.equal(cleanDisplayName("<img src=x onerror=alert(1)>"), "<img src=x onerror=alert(1)>");
    assert.equal(cleanDisplayName("a\u0007b"), null);
    assert.equal(cleanDisplayName(""), null);
    assert.equal(cleanDisplayName("😀".repeat(100)), "😀".repeat(100));
  });
});

describe("room name and role hint", () => {
  it("reads the room name from the path", () => {
    assert.equal(roomNameFromPath("/3f1c2a9e-0000"), "/3f1c2a9e-0000");
    assert.equal(roomNameFromPath("/abc/"), "/abc");
    assert.equal(roomNameFromPath("/caf%C3%A9"), "/café");
  });

  it("reads roleName from a JWT-shaped room key, and nothing from anything else", () => {
    const encode = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const key = (role) => `${encode({ alg: "HS256" })}.${encode({ meetingId: "1", roleName: role })}.sig`;
    assert.equal(roleHintFromRoomKey(key("viewer")), "viewer");
    assert.equal(roleHintFromRoomKey(key("host")), "host");
    assert.equal(roleHintFromRoomKey(key("owner")), null);
    assert.equal(roleHintFromRoomKey("garbage"), null);
    assert.equal(roleHintFromRoomKey("a.%%%.c"), null);
    assert.equal(roleHintFromRoomKey(null), null);
  });
});
