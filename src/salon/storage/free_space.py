"""Readiness and the disk: a database whose file system is (nearly) full is not ready, even while
SQLite still finds room in space its WAL already holds and lets some writes through.

The rule is pure (`too_little`); the reading (`read_free_space`, `os.statvfs`) is apart, so that
tests hand in the space they want."""

import os
from collections.abc import Callable
from dataclasses import dataclass

from salon.errors import DiskNearlyFull as DiskNearlyFull  # raised by SQLite's readiness check

MIB = 1 << 20
DEFAULT_MIN_FREE_MIB = 64
SHARE_OF_SIZE = 0.01
"""On a file system smaller than 100 x the setting, 1 % of its size is the floor instead: a
small disk is not "never ready"."""


@dataclass(frozen=True, slots=True)
class FreeSpace:
    free_bytes: int
    """Bytes an unprivileged writer may still use (`f_bavail`: root's reserve excluded)."""
    size_bytes: int


FreeSpaceReader = Callable[[], FreeSpace]


def floor_bytes(size_bytes: int, min_free_bytes: int) -> int:
    """The free space below which the database's file system counts as full."""
    return min(min_free_bytes, int(size_bytes * SHARE_OF_SIZE))


def too_little(space: FreeSpace, min_free_bytes: int) -> bool:
    """True when readiness must say no; `min_free_bytes` 0 turns the rule off."""
    if min_free_bytes <= 0:
        return False
    return space.free_bytes < floor_bytes(space.size_bytes, min_free_bytes)


def read_free_space(folder: str) -> FreeSpaceReader:
    def read() -> FreeSpace:
        stats = os.statvfs(folder)
        return FreeSpace(stats.f_bavail * stats.f_frsize, stats.f_blocks * stats.f_frsize)

    return read
