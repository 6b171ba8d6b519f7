/**
 * Quality samples for insights: every `SAMPLE_MS`, the page sums `getStats()` over its peer
 * connections and sends one `stats` message (docs/signaling-protocol.md): packet loss in percent
 * and bitrate in bits per second, sent and received, and whether the microphone, camera and
 * screen share are on. The server stores them; nothing in the room depends on them.
 */

export const SAMPLE_MS = 2000;

/** @typedef {{bytesSent: number, bytesReceived: number, packetsSent: number,
 *   packetsReceived: number, packetsLost: number, remoteLost: number}} Totals */

/** @returns {Totals} */
export function emptyTotals() {
  return { bytesSent: 0, bytesReceived: 0, packetsSent: 0, packetsReceived: 0, packetsLost: 0, remoteLost: 0 };
}

/**
 * Add one stats report's entries to `totals`: what this page sent and received, what it lost,
 * and what the far ends say they lost of ours (`remote-inbound-rtp`).
 * @param {Totals} totals @param {Iterable<any>} report
 */
export function addReport(totals, report) {
  for (const entry of report) {
    if (entry.type === "outbound-rtp") {
      totals.bytesSent += entry.bytesSent ?? 0;
      totals.packetsSent += entry.packetsSent ?? 0;
    } else if (entry.type === "inbound-rtp") {
      totals.bytesReceived += entry.bytesReceived ?? 0;
      totals.packetsReceived += entry.packetsReceived ?? 0;
      totals.packetsLost += Math.max(0, entry.packetsLost ?? 0);
    } else if (entry.type === "remote-inbound-rtp") {
      totals.remoteLost += Math.max(0, entry.packetsLost ?? 0);
    }
  }
  return totals;
}

/** @param {number} lost @param {number} total */
const percent = (lost, total) => (total > 0 ? Math.min(100, Math.max(0, Math.round((lost / total) * 10000) / 100)) : 0);
/** @param {number} bytes @param {number} ms */
const bitrate = (bytes, ms) => (ms > 0 ? Math.max(0, Math.round((bytes * 8 * 1000) / ms)) : 0);

/**
 * The sample between two totals `elapsedMs` apart. Connections that closed meanwhile make a
 * total shrink: a negative difference counts as nothing.
 * @param {Totals} before @param {Totals} now @param {number} elapsedMs
 */
export function sampleBetween(before, now, elapsedMs) {
  const d = /** @param {keyof Totals} key */ (key) => Math.max(0, now[key] - before[key]);
  return {
    packetLossSend: percent(d("remoteLost"), d("packetsSent")),
    packetLossRecv: percent(d("packetsLost"), d("packetsReceived") + d("packetsLost")),
    bitrateSend: bitrate(d("bytesSent"), elapsedMs),
    bitrateRecv: bitrate(d("bytesReceived"), elapsedMs),
  };
}

/**
 * Sample every `SAMPLE_MS` until the returned function is called.
 * @param {{connections: () => RTCPeerConnection[], flags: () => {audio: boolean, video: boolean, screen: boolean},
 *   send: (type: string, fields: Record<string, unknown>) => unknown, now?: () => number}} options
 */
export function startQualitySampling({ connections, flags, send, now = () => performance.now() }) {
  let before = emptyTotals();
  let beforeAt = now();
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      const totals = emptyTotals();
      for (const pc of connections()) {
        if (pc.connectionState === "closed") continue;
        try {
          addReport(totals, (await pc.getStats()).values());
        } catch {
          // a connection closing under us: its numbers are gone, the others still count
        }
      }
      const at = now();
      send("stats", { ...sampleBetween(before, totals, at - beforeAt), ...flags() });
      before = totals;
      beforeAt = at;
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(tick, SAMPLE_MS);
  return () => clearInterval(timer);
}
