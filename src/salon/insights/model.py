"""The rules of insights: quality samples and their compact encoding, the activity events read
from them, rounding of minutes, sorting. Pure.

A browser reports one sample every `SAMPLE_RATE_MS`: packet loss (percent) and bitrate (bits per
second), sent and received, and whether its microphone, camera and screen share are on. Samples
are stored as text, one `at,lossSend,lossRecv,bitrateSend,bitrateRecv,flags` group per sample
(losses in hundredths of a percent), groups joined by `;`: a row holds every sample a participant
sent between two flushes.
"""

import math
from dataclasses import dataclass
from enum import StrEnum

from salon.errors import InvalidInput

SAMPLE_RATE_MS = 2000
MS_PER_MINUTE = 60_000
BITRATE_MAX = 10_000_000_000
"""Bits per second; far above any real link, so a sample past it is a bad sample."""
DEFAULT_RETENTION_DAYS = 30
AUDIO, VIDEO, SCREEN = 1, 2, 4
"""Bits of a sample's flags."""


@dataclass(frozen=True, slots=True)
class QualitySample:
    packet_loss_send: float
    packet_loss_recv: float
    bitrate_send: int
    bitrate_recv: int
    audio: bool
    video: bool
    screen: bool

    @property
    def flags(self) -> int:
        return (
            (AUDIO if self.audio else 0)
            | (VIDEO if self.video else 0)
            | (SCREEN if self.screen else 0)
        )


def check_sample(
    loss_send: object, loss_recv: object, bitrate_send: object, bitrate_recv: object
) -> tuple[float, float, int, int]:
    """The four measures of a sample, or `InvalidInput` naming the first one out of range."""
    measures: list[float] = []
    for name, value, top in (
        ("packetLossSend", loss_send, 100.0),
        ("packetLossRecv", loss_recv, 100.0),
        ("bitrateSend", bitrate_send, BITRATE_MAX),
        ("bitrateRecv", bitrate_recv, BITRATE_MAX),
    ):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or not 0 <= value <= top
        ):
            raise InvalidInput(f"{name} must be a number from 0 to {int(top)}")
        measures.append(float(value))
    return measures[0], measures[1], int(measures[2]), int(measures[3])


def encode_samples(samples: list[tuple[int, QualitySample]]) -> str:
    return ";".join(
        f"{at},{round(s.packet_loss_send * 100)},{round(s.packet_loss_recv * 100)},"
        f"{s.bitrate_send},{s.bitrate_recv},{s.flags}"
        for at, s in samples
    )


def decode_samples(text: str) -> list[tuple[int, QualitySample]]:
    decoded = []
    for group in filter(None, text.split(";")):
        at, loss_send, loss_recv, bitrate_send, bitrate_recv, flags = map(int, group.split(","))
        decoded.append(
            (
                at,
                QualitySample(
                    loss_send / 100,
                    loss_recv / 100,
                    bitrate_send,
                    bitrate_recv,
                    bool(flags & AUDIO),
                    bool(flags & VIDEO),
                    bool(flags & SCREEN),
                ),
            )
        )
    return decoded


class EventType(StrEnum):
    JOINED = "joined"
    LEFT = "left"
    MICROPHONE_ON = "microphone_on"
    MICROPHONE_OFF = "microphone_off"
    CAMERA_ON = "camera_on"
    CAMERA_OFF = "camera_off"
    SCREENSHARE_STARTED = "screenshare_started"
    SCREENSHARE_STOPPED = "screenshare_stopped"


_TOGGLES = (
    (AUDIO, EventType.MICROPHONE_ON, EventType.MICROPHONE_OFF),
    (VIDEO, EventType.CAMERA_ON, EventType.CAMERA_OFF),
    (SCREEN, EventType.SCREENSHARE_STARTED, EventType.SCREENSHARE_STOPPED),
)


def activity_events(
    joined_ms: int, left_ms: int | None, samples: list[tuple[int, QualitySample]]
) -> list[tuple[EventType, int]]:
    """Joining, leaving, and each change of microphone, camera and screen share the samples
    show (the first sample shows what was on from the start)."""
    events = [(EventType.JOINED, joined_ms)]
    previous = 0
    for at, sample in samples:
        for bit, on, off in _TOGGLES:
            if sample.flags & bit and not previous & bit:
                events.append((on, at))
            elif previous & bit and not sample.flags & bit:
                events.append((off, at))
        previous = sample.flags
    if left_ms is not None:
        events.append((EventType.LEFT, left_ms))
    return events


def minutes_rounded_up(duration_ms: int) -> int:
    """Whereby counts minutes rounded up per connection."""
    return -(-max(duration_ms, 0) // MS_PER_MINUTE)


def parse_sort(raw: str | None, allowed: tuple[str, ...], default: str) -> tuple[str, bool]:
    """`field:asc|desc` as (field, descending); `InvalidInput` naming what is allowed."""
    text = raw if raw else default
    field, _, direction = text.partition(":")
    direction = direction or "asc"
    if field not in allowed or direction not in ("asc", "desc"):
        raise InvalidInput(
            f"sortBy must be field:asc or field:desc, field one of {', '.join(allowed)}"
        )
    return field, direction == "desc"
