"""`--group-capacity`, `--group-viewer-capacity` and `--sfu-voices`: lower caps for tests, never
above what a group room is sold with."""

import pytest

from salon.app import build_group_caps
from salon.config import load_settings
from salon.errors import InvalidInput
from salon.rooms.state import GroupCaps


def test_caps_default_to_200_participants_and_400_viewers() -> None:
    assert build_group_caps(load_settings({}, {})) == GroupCaps(200, 400)


def test_caps_come_from_flags_then_the_environment() -> None:
    settings = load_settings(
        {"group_capacity": 3}, {"SALON_GROUP_VIEWER_CAPACITY": "2", "SALON_GROUP_CAPACITY": "9"}
    )
    assert build_group_caps(settings) == GroupCaps(3, 2)


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ({"group_capacity": 201}, "--group-capacity must be between 1 and 200"),
        ({"group_capacity": 0}, "--group-capacity must be between 1 and 200"),
        ({"group_viewer_capacity": 401}, "--group-viewer-capacity must be between 1 and 400"),
        ({"sfu_voices": 0}, "--sfu-voices must be at least 1"),
    ],
)
def test_caps_above_the_product_or_below_one_are_refused(
    flags: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidInput, match=f"^{message}$"):
        build_group_caps(load_settings(flags, {}))
