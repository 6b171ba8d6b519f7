// The paged grid: page size by window, what is on each page, the first-page people, the view.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { MAX_PAGE_SIZE, layerFor, pageSize, paginate, turnedPage, viewOf } from "../../src/salon/static/room/paging.js";

const tile = (id, kind = "camera") => ({ key: `${id}:${kind}`, participantId: id, kind, isMe: id === "me" });
const people = (n) => Array.from({ length: n }, (_, i) => tile(`p${i}`));
const keys = (tiles) => tiles.map((t) => t.key);
const options = { stageKey: null, selfKey: null, first: [], size: 4, page: 0 };

describe("pageSize", () => {
  it("fits up to 25 tiles on a laptop and fewer on a phone", () => {
    assert.equal(pageSize(1400, 800), MAX_PAGE_SIZE);
    assert.equal(pageSize(360, 560), 10);
    assert.equal(pageSize(100, 50), 1);
    assert.equal(pageSize(0, 0), MAX_PAGE_SIZE); // not laid out yet
  });
});

describe("paginate", () => {
  it("shows one page at a time and clamps the page", () => {
    const tiles = people(10);
    const first = paginate(tiles, options);
    assert.deepEqual(keys(first.tiles), ["p0:camera", "p1:camera", "p2:camera", "p3:camera"]);
    assert.equal(first.pages, 3);
    const last = paginate(tiles, { ...options, page: 9 });
    assert.equal(last.page, 2);
    assert.deepEqual(keys(last.tiles), ["p8:camera", "p9:camera"]);
  });

  it("keeps the stage and my floating self on screen, outside the pages", () => {
    const tiles = [tile("me"), ...people(5), tile("p2", "screen")];
    const shown = paginate(tiles, { ...options, stageKey: "p2:screen", selfKey: "me:camera", page: 1 });
    assert.deepEqual(keys(shown.tiles), ["me:camera", "p4:camera", "p2:screen"]);
    assert.equal(shown.pages, 2);
  });

  it("brings the active speaker and the spotlight to the first page, and says who is off it", () => {
    const tiles = people(10);
    const first = paginate(tiles, { ...options, first: ["p7", "p1", null] });
    // p1 is on the first page anyway; p7 comes to it and pushes p3 to the second.
    assert.deepEqual(keys(first.tiles), ["p0:camera", "p1:camera", "p2:camera", "p7:camera"]);
    assert.deepEqual(first.offPage, []);
    const second = paginate(tiles, { ...options, first: ["p7"], page: 1 });
    assert.deepEqual(second.offPage, ["p7"]);
    assert.ok(!keys(second.tiles).includes("p7:camera"));
  });
});

describe("viewOf", () => {
  it("asks for the remote videos on screen, each in the layer its height needs", () => {
    const heights = { "a:camera": 400, "b:camera": 200, "b:screen": 100 };
    const view = viewOf([tile("me"), tile("a"), tile("b"), tile("b", "screen")], (key) => heights[key] ?? 0);
    assert.deepEqual(view, [
      { participantId: "a", kind: "camera", substream: 2 },
      { participantId: "b", kind: "camera", substream: 1 },
      { participantId: "b", kind: "screen", substream: 0 },
    ]);
    assert.deepEqual([layerFor(0), layerFor(160), layerFor(360)], [0, 1, 2]);
  });
});

describe("turnedPage", () => {
  it("turns by one page and stops at the first and the last", () => {
    assert.equal(turnedPage(0, 3, 1), 1);
    assert.equal(turnedPage(1, 3, -1), 0);
    assert.equal(turnedPage(2, 3, 1), 2);
    assert.equal(turnedPage(0, 3, -1), 0);
  });

  it("stays on the only page, whatever the count says", () => {
    assert.equal(turnedPage(0, 1, 1), 0);
    assert.equal(turnedPage(0, 0, 1), 0);
    assert.equal(turnedPage(4, 2, 1), 1);
  });
});
