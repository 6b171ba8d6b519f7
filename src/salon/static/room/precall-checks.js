/**
 * The pre-call checks (`precallCeremony=on`, with the pre-call review): once the devices have
 * started, the page checks the camera, the microphone, the speaker and the connection, and tells
 * the embedding page `precall_check_completed` with `{status, steps: {camera, speaker,
 * microphone, bandwidth: {status}}}`. Joining while the checks still run skips them
 * (`precall_check_skipped`) when skipping is allowed (`precallCeremonyCanSkip=on`, or a host
 * key); otherwise the join waits for them. A step is `passed`, `failed`, or `skipped` (a camera
 * the URL turned off); the whole is `passed` when no step failed.
 */

export const PROBE_TIMEOUT_MS = 5000;

/**
 * @typedef {'passed' | 'failed' | 'skipped'} StepStatus
 * @typedef {{status: 'passed' | 'failed', steps: {camera: {status: StepStatus}, speaker: {status: StepStatus},
 *   microphone: {status: StepStatus}, bandwidth: {status: StepStatus}}}} CheckResult
 */

/**
 * The result from each step's outcome. @param {{camera: StepStatus, speaker: StepStatus,
 * microphone: StepStatus, bandwidth: StepStatus}} outcome @returns {CheckResult}
 */
export function checkResult(outcome) {
  const failed = Object.values(outcome).includes("failed");
  return {
    status: failed ? "failed" : "passed",
    steps: {
      camera: { status: outcome.camera },
      speaker: { status: outcome.speaker },
      microphone: { status: outcome.microphone },
      bandwidth: { status: outcome.bandwidth },
    },
  };
}

/**
 * Run the checks against this page's devices.
 * @param {{media: import('./media/local.js').LocalMedia, cameraWanted: boolean,
 *   probeUrl: string, fetch?: typeof fetch, devices?: () => Promise<MediaDeviceInfo[]>}} options
 * @returns {Promise<CheckResult>}
 */
export async function runChecks({ media, cameraWanted, probeUrl, fetch: get = globalThis.fetch,
  devices = () => navigator.mediaDevices.enumerateDevices() }) {
  const live = /** @param {'audio' | 'video'} slot */ (slot) => media.track(slot)?.readyState === "live" && !media.problems[slot];
  let speaker = /** @type {StepStatus} */ ("passed");
  try {
    const outputs = (await devices()).filter((d) => d.kind === "audiooutput");
    // Browsers that cannot pick an output list none and play on the default one.
    if (outputs.length === 0 && "setSinkId" in HTMLMediaElement.prototype) speaker = "failed";
  } catch {
    speaker = "failed";
  }
  let bandwidth = /** @type {StepStatus} */ ("failed");
  try {
    const answer = await get(probeUrl, { cache: "no-store", signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    if (answer.ok) {
      await answer.arrayBuffer();
      bandwidth = "passed";
    }
  } catch {
    // unreachable or too slow: failed
  }
  return checkResult({
    camera: cameraWanted ? (live("video") ? "passed" : "failed") : "skipped",
    speaker,
    microphone: live("audio") ? "passed" : "failed",
    bandwidth,
  });
}

/**
 * When the checks run and when a join waits for them.
 * @param {{enabled: boolean, canSkip: boolean, run: () => Promise<CheckResult>,
 *   emit: (type: string, payload?: unknown) => void}} options
 */
export function createPrecallChecks({ enabled, canSkip, run, emit }) {
  /** @type {'idle' | 'running' | 'done' | 'skipped'} */
  let state = "idle";
  /** @type {Promise<void> | null} */
  let finished = null;

  function start() {
    if (!enabled || state !== "idle") return;
    state = "running";
    finished = run().then((result) => {
      if (state !== "running") return;
      state = "done";
      emit("precall_check_completed", result);
    });
  }

  /** Resolves when the join may go on. */
  async function beforeJoin() {
    if (!enabled || state === "done" || state === "skipped") return;
    if (canSkip) {
      state = "skipped";
      emit("precall_check_skipped");
      return;
    }
    start();
    await finished;
  }

  return { start, beforeJoin, get state() { return state; } };
}
