// The pre-call checks (precall-checks.js): the result's shape, and when joining skips or waits.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { checkResult, createPrecallChecks } from "../../src/salon/static/room/precall-checks.js";

const PASSED = checkResult({ camera: "passed", speaker: "passed", microphone: "passed", bandwidth: "passed" });

describe("checkResult", () => {
  it("has Whereby's shape: a status and a {status} per step", () => {
    assert.deepEqual(PASSED, { status: "passed", steps: { camera: { status: "passed" }, speaker: { status: "passed" }, microphone: { status: "passed" }, bandwidth: { status: "passed" } } });
  });

  it("fails when a step fails, not when one is skipped", () => {
    assert.equal(checkResult({ camera: "skipped", speaker: "passed", microphone: "passed", bandwidth: "passed" }).status, "passed");
    assert.equal(checkResult({ camera: "passed", speaker: "passed", microphone: "failed", bandwidth: "passed" }).status, "failed");
  });
});

/** A run that finishes when the test says so. */
function deferred() {
  /** @type {(value: any) => void} */
  let resolve = () => {};
  const promise = new Promise((r) => (resolve = r));
  return { promise, resolve };
}

describe("createPrecallChecks", () => {
  it("emits completed with the result once the checks finish", async () => {
    const events = [];
    const checks = createPrecallChecks({ enabled: true, canSkip: false, run: async () => PASSED, emit: (...e) => events.push(e) });
    checks.start();
    await checks.beforeJoin();
    assert.deepEqual(events, [["precall_check_completed", PASSED]]);
    assert.equal(checks.state, "done");
  });

  it("skips when joining during the checks if skipping is allowed, and never completes after", async () => {
    const events = [];
    const run = deferred();
    const checks = createPrecallChecks({ enabled: true, canSkip: true, run: () => run.promise, emit: (...e) => events.push(e) });
    checks.start();
    await checks.beforeJoin();
    run.resolve(PASSED);
    await new Promise((r) => setTimeout(r, 0));
    assert.deepEqual(events, [["precall_check_skipped"]]);
  });

  it("makes the join wait for the checks when skipping is not allowed", async () => {
    const events = [];
    const run = deferred();
    const checks = createPrecallChecks({ enabled: true, canSkip: false, run: () => run.promise, emit: (...e) => events.push(e) });
    checks.start();
    let joined = false;
    const join = checks.beforeJoin().then(() => (joined = true));
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(joined, false);
    run.resolve(PASSED);
    await join;
    assert.deepEqual(events, [["precall_check_completed", PASSED]]);
  });

  it("does nothing without precallCeremony", async () => {
    const events = [];
    const checks = createPrecallChecks({ enabled: false, canSkip: false, run: async () => PASSED, emit: (...e) => events.push(e) });
    checks.start();
    await checks.beforeJoin();
    assert.deepEqual(events, []);
  });
});
