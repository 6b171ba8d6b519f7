"""The `stats` message: a browser's quality sample, sent every two seconds while in a room.
Pure; `protocol.parse` hands its frames over. Salon stores the samples for insights
(`salon.insights`); rooms never see them.

    stats {packetLossSend, packetLossRecv (percent), bitrateSend, bitrateRecv (bits/s),
           audio, video, screen (what is on)}
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from salon.errors import InvalidInput
from salon.insights.model import QualitySample, check_sample

Bad = Callable[[str], Exception]


@dataclass(frozen=True, slots=True)
class Stats:
    sample: QualitySample


def parse_stats(data: dict[str, Any], bad: Bad) -> Stats:
    try:
        loss_send, loss_recv, bitrate_send, bitrate_recv = check_sample(
            data.get("packetLossSend"),
            data.get("packetLossRecv"),
            data.get("bitrateSend"),
            data.get("bitrateRecv"),
        )
    except InvalidInput as invalid:
        raise bad(invalid.message) from None
    flags = []
    for name in ("audio", "video", "screen"):
        value = data.get(name, False)
        if not isinstance(value, bool):
            raise bad(f"{name} must be true or false")
        flags.append(value)
    return Stats(QualitySample(loss_send, loss_recv, bitrate_send, bitrate_recv, *flags))
