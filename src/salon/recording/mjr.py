"""Reading Janus's `.mjr` track files, and placing a track on the server's clock.

A `.mjr` file is `MJR00002`, a JSON header, then one record per RTP packet: `MEET`, the
milliseconds since the first packet was written (Janus's monotonic clock), the packet's length,
and the packet. The header's `u` is when the first packet was written, in microseconds of the
server's real-time clock, the same clock for every track of a recording.

Where a track starts: janus-pp-rec writes each packet at its RTP timestamp counted from the
track's lowest one, so the track's time zero is that timestamp, and what is needed is the server
time it stands for. The first packet's arrival says it only if that packet came without delay;
the first packets often do not (they wait for the connection, the encoder's first key frame, a
busy sender). Each packet's arrival minus its RTP time is the track's zero plus that packet's
delay, so the smallest of these over the first `ANCHOR_WINDOW_S` is the zero with the least
delay seen (`track_timing`, pure). Without the senders' RTCP reports (Janus does not record them)
this is the best estimate the files hold.
"""

import itertools
import json
import statistics
import struct
from dataclasses import dataclass
from pathlib import Path

MAGIC = b"MJR00002"
RECORD = b"MEET"
ANCHOR_WINDOW_S = 10.0
"""Packets that arrived in the track's first seconds place it (a later timestamp jump, which a
sender may cause, does not move it)."""
CLOCK_RATES = {"a": 48_000, "v": 90_000}
AUDIO_FRAME_S = 0.02
MAX_FRAME_RATE = 30


@dataclass(frozen=True, slots=True)
class Packet:
    arrival_ms: int
    """Since the track's first packet was written."""
    timestamp: int
    """The RTP timestamp."""


@dataclass(frozen=True, slots=True)
class TrackTiming:
    start_us: int
    """Server time (µs) of the track's time zero: its lowest RTP timestamp."""
    length_s: float
    frame_rate: float | None
    """Frames per second (video): from the most common gap between timestamps."""


def read_header(path: Path) -> dict[str, object] | None:
    """The JSON header of a `.mjr` file; None when Janus never wrote a packet to it."""
    with path.open("rb") as file:
        head = file.read(10)
        if len(head) < 10 or head[:8] != MAGIC:
            return None
        (size,) = struct.unpack(">H", head[8:10])
        try:
            header = json.loads(file.read(size))
        except ValueError:
            return None
    return header if isinstance(header, dict) else None


def read_packets(path: Path) -> list[Packet]:
    """Each RTP packet's arrival and timestamp, in the order written (stops at a torn record)."""
    packets = []
    with path.open("rb") as file:
        head = file.read(10)
        if len(head) < 10 or head[:8] != MAGIC:
            return []
        file.seek(struct.unpack(">H", head[8:10])[0], 1)
        while True:
            record = file.read(10)
            if len(record) < 10 or record[:4] != RECORD:
                break
            arrival, length = struct.unpack(">IH", record[4:10])
            if length < 12:
                file.seek(length, 1)
                continue
            rtp = file.read(8)
            if len(rtp) < 8:
                break
            packets.append(Packet(arrival, struct.unpack(">I", rtp[4:8])[0]))
            file.seek(length - 8, 1)
    return packets


def _unwrapped(packets: list[Packet]) -> list[int]:
    """RTP timestamps counted from the first packet's, across 32-bit wrap-arounds."""
    out, base, previous = [], 0, packets[0].timestamp
    for packet in packets:
        step = (packet.timestamp - previous) & 0xFFFFFFFF
        base += step - (1 << 32) if step >= 1 << 31 else step
        previous = packet.timestamp
        out.append(base)
    return out


def track_timing(written_us: int, kind: str, packets: list[Packet]) -> TrackTiming:
    """Where a track sits on the server's clock (see the module's docstring). Pure."""
    if not packets:
        return TrackTiming(written_us, 0.0, None)
    rate = CLOCK_RATES[kind]
    ticks = _unwrapped(packets)
    window_ms = packets[0].arrival_ms + ANCHOR_WINDOW_S * 1000
    early = [(p.arrival_ms, tick) for p, tick in zip(packets, ticks, strict=True)
             if p.arrival_ms <= window_ms]  # fmt: skip
    zero = min(tick for _, tick in early)
    delay_ms = min(arrival - (tick - zero) * 1000 / rate for arrival, tick in early)
    frame_rate = None
    frame_s = AUDIO_FRAME_S
    if kind == "v":
        steps = [b - a for a, b in itertools.pairwise(sorted(set(ticks)))]
        if steps:
            frame_rate = min(float(MAX_FRAME_RATE), rate / statistics.median_low(steps))
            frame_s = 1 / frame_rate
    end_ms = max(packet.arrival_ms for packet in packets)
    return TrackTiming(
        start_us=written_us + round(delay_ms * 1000),
        length_s=max(0.0, (end_ms - delay_ms) / 1000) + frame_s,
        frame_rate=frame_rate,
    )


def timing_of(path: Path, header: dict[str, object]) -> TrackTiming | None:
    """A track's timing from its file; None without a usable header or packet."""
    written, kind = header.get("u"), header.get("t")
    if not isinstance(written, int) or written <= 0 or kind not in CLOCK_RATES:
        return None
    packets = read_packets(path)
    return track_timing(written, str(kind), packets) if packets else None
