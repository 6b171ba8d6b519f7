"""Where a join's time goes, step by step, for bench/first_frame.py and bench/sfu.py.

`MARKS_JS` is installed in the page before the room's own scripts (Playwright's init script). It
keeps every time in the page's own clock (milliseconds since navigation started), so a busy
benchmark process cannot skew it:

- the room's page marks (`performance.mark`): `salon:modules` (the module graph is loaded),
  `salon:ready` (Join works), `salon:join` (the Join click, or the automatic join);
- the signaling socket (a subclass of `WebSocket`): opened, `join` sent, `joined` received, the
  first offer and answer sent and received (`signal`, `sfu-publish`/`sfu-published`,
  `sfu-offer`/`sfu-answer`);
- `getUserMedia` resolved (local media ready);
- each `RTCPeerConnection` (a subclass): its remote answer applied, ICE connected, connection
  (DTLS) connected, and, polled with `getStats()` every 10 ms, its first video packet received and
  its first video frame decoded.

`collect(page)` reads them once a frame has decoded and returns the steps relative to the join
(the click), plus the page load before it and the offers the page sent and received (`offers`:
one per pair, more is a renegotiation); `Breakdown` prints runs and medians.
"""

import statistics
from typing import Any

MARKS_JS = """
(() => {
  const join = (window.__join = { marks: {}, pcs: [], offers: 0 });
  const mark = (name) => { if (!(name in join.marks)) join.marks[name] = performance.now(); };
  const described = (m) => m && m.description && m.description.type;
  const isOffer = (m) => (m.type === 'signal' && described(m) === 'offer')
    || m.type === 'sfu-offer';
  const Socket = window.WebSocket;
  window.WebSocket = class extends Socket {
    constructor(...args) {
      super(...args);
      mark('socket-created');
      this.addEventListener('open', () => mark('socket-open'));
      this.addEventListener('message', (event) => {
        let m;
        try { m = JSON.parse(event.data); } catch { return; }
        if (isOffer(m)) join.offers += 1;
        if (m.type === 'joined') mark('joined');
        else if (m.type === 'signal' && described(m) === 'answer') mark('answer-received');
        else if (m.type === 'signal' && described(m) === 'offer') mark('offer-received');
        else if (m.type === 'sfu-offer') mark('offer-received');
        else if (m.type === 'sfu-published') mark('answer-received');
      });
    }
    send(data) {
      try {
        const m = JSON.parse(data);
        if (isOffer(m) || m.type === 'sfu-publish') join.offers += 1;
        if (m.type === 'join') mark('join-sent');
        else if (m.type === 'signal' && described(m) === 'offer') mark('offer-sent');
        else if (m.type === 'signal' && described(m) === 'answer') mark('answer-sent');
        else if (m.type === 'sfu-publish') mark('offer-sent');
        else if (m.type === 'sfu-answer') mark('answer-sent');
      } catch {}
      super.send(data);
    }
  };
  const devices = navigator.mediaDevices;
  if (devices) {
    const getUserMedia = devices.getUserMedia.bind(devices);
    devices.getUserMedia = async (...args) => {
      mark('media-requested');
      const stream = await getUserMedia(...args);
      mark('media-ready');
      return stream;
    };
  }
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      const marks = { created: performance.now() };
      const at = (name) => { if (!(name in marks)) marks[name] = performance.now(); };
      join.pcs.push(marks);
      this.addEventListener('iceconnectionstatechange', () => {
        if (['connected', 'completed'].includes(this.iceConnectionState)) at('ice-connected');
      });
      this.addEventListener('negotiationneeded', () => at('negotiation-needed'));
      this.addEventListener('icecandidate', (event) => event.candidate && at('first-candidate'));
      this.addEventListener('connectionstatechange', () => {
        if (this.connectionState === 'connected') at('dtls-connected');
      });
      this.__marks = marks;
      const poll = async () => {
        if (this.signalingState === 'closed') return;
        for (const s of (await this.getStats()).values()) {
          if (s.type !== 'inbound-rtp' || s.kind !== 'video') continue;
          if (s.packetsReceived > 0) at('first-packet');
          if (s.framesDecoded > 0) at('first-frame');
        }
        if (!('first-frame' in marks)) setTimeout(poll, 10);
      };
      setTimeout(poll, 10);
    }
    async setLocalDescription(...args) {
      await super.setLocalDescription(...args);
      const type = this.localDescription && this.localDescription.type;
      const name = type === 'offer' ? 'offer-set' : 'answer-set';
      if (!(name in this.__marks)) this.__marks[name] = performance.now();
    }
    async setRemoteDescription(description) {
      const type = description && description.type;
      await super.setRemoteDescription(description);
      if (type === 'answer' && !('answer-applied' in this.__marks)) {
        this.__marks['answer-applied'] = performance.now();
      }
    }
  };
})();
"""

FRAME_DECODED_JS = "() => (window.__join?.pcs ?? []).some((pc) => 'first-frame' in pc)"
OFFERS_JS = "() => window.__join.offers"
"""Offers this page sent and received so far (`signal` offers, `sfu-publish`, `sfu-offer`): one
per pair in a P2P join, two (publish, subscribe) in a group room; more is a renegotiation."""

COLLECT_JS = """
() => {
  const marks = { ...window.__join.marks };
  for (const name of ['salon:modules', 'salon:ready', 'salon:join']) {
    const entry = performance.getEntriesByName(name)[0];
    if (entry) marks[name] = entry.startTime;
  }
  const decoded = window.__join.pcs.filter((pc) => 'first-frame' in pc);
  decoded.sort((a, b) => a['first-frame'] - b['first-frame']);
  const pc = decoded[0] ?? window.__join.pcs[0] ?? {};
  return { marks, pc, origin: performance.timeOrigin, offers: window.__join.offers };
}
"""

STEPS = [
    ("socket", "socket-open"),
    ("joined", "joined"),
    ("media", "media-ready"),
    ("pc", "created"),
    ("nneeded", "negotiation-needed"),
    ("offer-set", "offer-set"),
    ("cand", "first-candidate"),
    ("offer", "offer-sent"),
    ("offer-in", "offer-received"),
    ("answer-set", "answer-set"),
    ("answer", "answer-sent"),
    ("ans-in", "answer-applied"),
    ("ice", "ice-connected"),
    ("dtls", "dtls-connected"),
    ("packet", "first-packet"),
    ("frame", "first-frame"),
]
"""(column, mark): each printed as milliseconds after the join (negative: before it)."""
OTHER_SIDE = {"pc", "nneeded", "offer-in", "answer-set", "answer", "ice", "dtls", "packet"}
"""The steps the other side reports (the peer who answers the joiner's offer)."""
LOAD = [("modules", "salon:modules"), ("ready", "salon:ready"), ("join", "salon:join")]
"""Page load: milliseconds after navigation started."""


async def collect(
    page: Any, click_ms: float | None = None, origin_mark: str = "salon:ready"
) -> dict[str, float]:
    """The steps of the join that just decoded a frame: each relative to `click_ms` (in the page's
    clock), or else to the page's `origin_mark` (by default `salon:ready`, for an automatic join:
    from the moment it could join, so that waiting for the devices counts); page load steps from
    navigation start."""
    found = await page.evaluate(COLLECT_JS)
    marks: dict[str, float] = {**found["marks"], **found["pc"]}
    origin = click_ms if click_ms is not None else marks[origin_mark]
    row = {column: marks[mark] - origin for column, mark in STEPS if mark in marks}
    row.update({column: marks[mark] for column, mark in LOAD if mark in marks})
    row["offers"] = found["offers"]
    row["join-at"] = origin
    row["time-origin"] = found["origin"]
    return row


async def collect_other(page: Any, joiner: dict[str, float], prefix: str) -> dict[str, float]:
    """The other side's steps (e.g. the peer who answers), on the joiner's clock, as
    `prefix` + column."""
    found = await page.evaluate(COLLECT_JS)
    marks: dict[str, float] = {**found["marks"], **found["pc"]}
    shift = found["origin"] - joiner["time-origin"] - joiner["join-at"]
    return {
        prefix + column: marks[mark] + shift
        for column, mark in STEPS
        if mark in marks and column in OTHER_SIDE
    }


class Breakdown:
    """Rows of steps for one path (e.g. "auto-join"), printed per run and as medians."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.rows: list[dict[str, float]] = []

    def columns(self) -> list[str]:
        present = {key for row in self.rows for key in row}
        every = [c for c, _ in STEPS] + [c for c, _ in LOAD] + ["offers", "join-at"]
        others = dict.fromkeys(k for row in self.rows for k in row if "." in k)
        return [c for c in every if c in present] + list(others)

    def add(self, row: dict[str, float]) -> str:
        row = {k: v for k, v in row.items() if k != "time-origin"}
        self.rows.append(row)
        return f"  {self.name}: " + " ".join(
            f"{k}={row[k]:.0f}" for k in self.columns() if k in row
        )

    def medians(self) -> dict[str, float]:
        return {c: statistics.median(r[c] for r in self.rows if c in r) for c in self.columns()}

    def table(self) -> str:
        medians = self.medians()
        head = f"{self.name} (median ms; steps from the join, load from navigation start):"
        return head + "\n  " + "  ".join(f"{c}={medians[c]:.0f}" for c in self.columns())
