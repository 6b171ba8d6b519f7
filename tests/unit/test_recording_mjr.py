"""Placing a recorded track on the server's clock from its packets' arrivals (pure), and reading
them from a `.mjr` file as Janus writes it."""

import json
import struct
from pathlib import Path

import pytest

from salon.recording.mjr import Packet, read_header, read_packets, timing_of, track_timing

WRITTEN_US = 1_700_000_000_000_000


def audio(arrivals_ms: list[int], first_ts: int = 1000) -> list[Packet]:
    """20 ms Opus packets, the n-th arriving at `arrivals_ms[n]`."""
    return [Packet(at, (first_ts + 960 * n) & 0xFFFFFFFF) for n, at in enumerate(arrivals_ms)]


def test_a_track_whose_first_packets_came_late_starts_when_its_timestamps_say() -> None:
    # The first four packets waited (a busy sender) and came at once; then one every 20 ms.
    packets = audio([0, 0, 0, 0, 20, 40, 60])
    assert track_timing(WRITTEN_US, "a", packets).start_us == WRITTEN_US - 60_000


def test_the_least_delayed_packet_places_the_track_and_later_jumps_do_not() -> None:
    assert track_timing(WRITTEN_US, "a", audio([0, 20, 39, 60])).start_us == WRITTEN_US - 1000
    jumped = [*audio([0, 20, 40]), Packet(20_000, 5)]  # the sender's clock jumped after 20 s
    timing = track_timing(WRITTEN_US, "a", jumped)
    assert timing.start_us == WRITTEN_US
    assert timing.length_s == pytest.approx(20.02)


def test_timestamps_that_wrap_around_and_the_frame_rate_of_a_video() -> None:
    first = 0xFFFFFFFF - 9000
    video = [Packet(0 if n == 0 else n * 100 + 3, (first + 9000 * n) & 0xFFFFFFFF)
             for n in range(30)]  # fmt: skip
    timing = track_timing(WRITTEN_US, "v", video)
    assert timing.frame_rate == pytest.approx(10.0)
    assert timing.start_us == WRITTEN_US  # the first frame was the least delayed
    assert timing.length_s == pytest.approx(2.903 + 0.1)
    assert track_timing(WRITTEN_US, "a", audio([0, 20])).frame_rate is None


def write_mjr(path: Path, header: dict[str, object], packets: list[tuple[int, bytes]]) -> None:
    text = json.dumps(header).encode()
    body = b"MJR00002" + struct.pack(">H", len(text)) + text
    for arrival, rtp in packets:
        body += b"MEET" + struct.pack(">IH", arrival, len(rtp)) + rtp
    path.write_bytes(body)


def rtp(seq: int, timestamp: int, payload: bytes = b"x" * 30) -> bytes:
    return struct.pack(">BBHII", 0x80, 111, seq, timestamp, 1234) + payload


def test_a_mjr_file_gives_its_header_and_packets_and_a_torn_end_is_ignored(
    tmp_path: Path,
) -> None:
    path = tmp_path / "a.mjr"
    header = {"t": "a", "c": "opus", "s": WRITTEN_US - 5, "u": WRITTEN_US}
    write_mjr(path, header, [(0, rtp(1, 960)), (20, rtp(2, 1920)), (40, b"short")])
    path.write_bytes(path.read_bytes() + b"MEET\x00\x00")  # Janus stopped mid-record
    assert read_header(path) == header
    assert read_packets(path) == [Packet(0, 960), Packet(20, 1920)]
    timing = timing_of(path, header)
    assert timing is not None
    assert timing.start_us == WRITTEN_US
    assert timing_of(path, {"t": "d", "u": WRITTEN_US}) is None
    (tmp_path / "empty.mjr").write_bytes(b"MJR00002")
    assert read_header(tmp_path / "empty.mjr") is None
    assert read_packets(tmp_path / "empty.mjr") == []
