// Every room URL parameter of the developer guide and Whereby's newer ones (docs/embedding.md), as the
// room page reads it: flags bare or with on/off/true/false, minimal's combinations, validation.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";

import { cleanAvatarUrl, MAX_GROUPS, parseGroups, parseParams, UI_LANGUAGES } from "../../src/salon/static/room/params.js";

let warnings = [];
const originalWarn = console.warn;
beforeEach(() => {
  warnings = [];
  console.warn = (message) => warnings.push(String(message));
});
afterEach(() => {
  console.warn = originalWarn;
});

describe("the developer guide's parameters", () => {
  const offs = ["video", "audio", "people", "background", "logo", "locking", "participantCount", "settingsButton", "pipButton", "moreButton"];
  for (const name of offs) {
    it(`${name}=off turns it off (on by default)`, () => {
      assert.equal(parseParams("")[name], true);
      assert.equal(parseParams(`${name}=off`)[name], false);
    });
  }
  for (const name of ["screenshare", "chat", "leaveButton", "breakout", "precallReview", "personality"]) {
    it(`${name}=<on|off>`, () => {
      assert.equal(parseParams(`${name}=on`)[name], true);
      assert.equal(parseParams(`${name}=off`)[name], false);
    });
  }
  it("timer is off until asked for", () => {
    assert.equal(parseParams("").timer, false);
    assert.equal(parseParams("timer=on").timer, true);
    assert.equal(parseParams("timer").timer, true);
  });
  it("flags work bare and with on, off, true, false", () => {
    for (const flag of ["floatSelf", "skipMediaPermissionPrompt", "autoSpotlight", "minimal"]) {
      assert.equal(parseParams("")[flag], false, flag);
      assert.equal(parseParams(`?${flag}`)[flag], true, flag);
      assert.equal(parseParams(`${flag}=on`)[flag], true, flag);
      assert.equal(parseParams(`${flag}=true`)[flag], true, flag);
      assert.equal(parseParams(`${flag}=off`)[flag], false, flag);
      assert.equal(parseParams(`${flag}=false`)[flag], false, flag);
    }
    assert.deepEqual(warnings, []);
  });
  it("lang takes the guide's seven, jp included", () => {
    for (const lang of UI_LANGUAGES) assert.equal(parseParams(`lang=${lang}`).lang, lang);
    assert.deepEqual([...UI_LANGUAGES].sort(), ["de", "en", "es", "fr", "jp", "nb", "pt"]);
  });
  it("groups: up to 20 comma-separated names", () => {
    assert.deepEqual(parseParams("groups=Orange,Banana,Coconut").groups, ["Orange", "Banana", "Coconut"]);
    assert.deepEqual(parseGroups(" A , B "), ["A", "B"]);
    assert.equal(parseGroups(Array.from({ length: MAX_GROUPS + 1 }, (_, i) => `g${i}`).join(",")), null);
    assert.equal(parseGroups("A,,B"), null);
    assert.equal(parseParams("groups=A,,B").groups, null);
    assert.equal(warnings.length, 1);
  });
});

describe("minimal", () => {
  it("hides chat, screen share, leave, the top toolbar, the logo and the settings, PiP and … buttons", () => {
    const p = parseParams("?minimal");
    for (const name of ["chat", "screenshare", "leaveButton", "topToolbar", "logo", "settingsButton", "pipButton", "moreButton", "roomIntegrations"]) {
      assert.equal(p[name], false, name);
    }
    for (const name of ["audio", "video", "people", "participantCount", "bottomToolbar"]) assert.equal(p[name], true, name);
  });
  it("gives back what the URL asks for, in any order", () => {
    assert.equal(parseParams("?minimal&chat=on").chat, true);
    assert.equal(parseParams("?chat=on&minimal").chat, true);
    assert.equal(parseParams("?embed&moreButton=on&leaveButton=true").moreButton, true);
    assert.equal(parseParams("?embed&moreButton=on&leaveButton=true").leaveButton, true);
    assert.equal(parseParams("?minimal=off").chat, true);
  });
  it("embed is its alias and does not show up as a value of its own", () => {
    const p = parseParams("embed=");
    assert.equal(p.minimal, true);
    assert.ok(!("embed" in p));
  });
});

describe("Whereby's newer parameters", () => {
  for (const name of ["cameraAccess", "topToolbar", "bottomToolbar", "localization", "aec", "agc"]) {
    it(`${name} is on by default and turns off`, () => {
      assert.equal(parseParams("")[name], true);
      assert.equal(parseParams(`${name}=off`)[name], false);
    });
  }
  for (const name of ["lowData", "highlightActiveSpeaker"]) {
    it(`${name} is off by default and turns on`, () => {
      assert.equal(parseParams("")[name], false);
      assert.equal(parseParams(`${name}=on`)[name], true);
    });
  }
  it("avatarUrl: https (or http on localhost) without a query string", () => {
    assert.equal(cleanAvatarUrl("https://cdn.example.com/a.png"), "https://cdn.example.com/a.png");
    assert.equal(cleanAvatarUrl("http://localhost:3000/a.png"), "http://localhost:3000/a.png");
    assert.equal(cleanAvatarUrl("http://cdn.example.com/a.png"), null);
    assert.equal(cleanAvatarUrl("https://cdn.example.com/a.png?size=64"), null);
    assert.equal(cleanAvatarUrl("https://cdn.example.com/a.png?"), null);
    assert.equal(cleanAvatarUrl("javascript:alert(1)"), null);
    assert.equal(cleanAvatarUrl("data:image/png;base64,AAAA"), null);
    assert.equal(parseParams("avatarUrl=https%3A%2F%2Fcdn.example.com%2Fa.png").avatarUrl, "https://cdn.example.com/a.png");
  });
  it("metadata and externalId are carried as given", () => {
    const p = parseParams("metadata=%7B%22crm%22%3A42%7D&externalId=9b2e-4f_x");
    assert.equal(p.metadata, '{"crm":42}');
    assert.equal(p.externalId, "9b2e-4f_x");
  });
  it("cameraEffect takes Whereby's values", () => {
    assert.equal(parseParams("cameraEffect=blur").cameraEffect, "blur");
    assert.equal(parseParams("cameraEffect=sparkles").cameraEffect, null);
  });
});

describe("invalid values never break the room", () => {
  it("are ignored with a warning, and listed as rejected", () => {
    const p = parseParams("chat=maybe&displayName=a%3Bb&externalId=not%20ok&avatarUrl=ftp%3A%2F%2Fx&lang=xx&floatSelf=2");
    assert.equal(p.chat, true);
    assert.equal(p.displayName, null); // the user is asked for a name instead
    assert.equal(p.externalId, null);
    assert.equal(p.avatarUrl, null);
    assert.equal(p.lang, null);
    assert.equal(p.floatSelf, false);
    assert.deepEqual(p.rejected.sort(), ["avatarUrl", "chat", "displayName", "externalId", "floatSelf", "lang"]);
    assert.equal(warnings.length, 6);
  });
  it("a display name with any of $ ! < > : ; is refused", () => {
    for (const c of "$!<>:;") assert.equal(parseParams(`displayName=${encodeURIComponent(`Ada${c}`)}`).displayName, null, c);
    assert.equal(parseParams("displayName=Ada%20L.").displayName, "Ada L.");
  });
  it("accepts the embed element's own parameters silently", () => {
    parseParams("jsApi=true&we=1&iframeSource=acme&sdkPlatform=react-native-embed&needancestor");
    assert.deepEqual(warnings, []);
  });
});
