"""Time as integer milliseconds since the Unix epoch, behind a callable so tests can move it."""

import time
from collections.abc import Callable

Clock = Callable[[], int]

MS_PER_SECOND = 1000
MS_PER_MINUTE = 60 * MS_PER_SECOND
MS_PER_HOUR = 60 * MS_PER_MINUTE


def system_clock() -> int:
    return time.time_ns() // 1_000_000
