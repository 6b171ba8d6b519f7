"""Readiness and the disk (salon.storage.free_space): the floor of free space below which the
SQLite database's file system counts as full."""

from salon.storage.free_space import MIB, FreeSpace, floor_bytes, too_little

GIB = 1024 * MIB


def test_a_large_disk_is_full_below_the_setting() -> None:
    assert floor_bytes(100 * GIB, 64 * MIB) == 64 * MIB
    assert too_little(FreeSpace(63 * MIB, 100 * GIB), 64 * MIB)
    assert not too_little(FreeSpace(64 * MIB, 100 * GIB), 64 * MIB)


def test_a_small_disk_is_full_below_one_percent_of_its_size() -> None:
    # A 64 MiB tmpfs holding the database would never be ready with a 64 MiB floor.
    assert floor_bytes(64 * MIB, 64 * MIB) == int(0.64 * MIB)
    assert too_little(FreeSpace(0, 64 * MIB), 64 * MIB)
    assert too_little(FreeSpace(MIB // 2, 64 * MIB), 64 * MIB)
    assert not too_little(FreeSpace(MIB, 64 * MIB), 64 * MIB)


def test_zero_turns_the_rule_off() -> None:
    assert not too_little(FreeSpace(0, 100 * GIB), 0)
