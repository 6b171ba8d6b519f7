"""The rules of a room theme: its parts, colours, presets and image limits. Pure.

A room's theme overrides its organization's defaults part by part, and the defaults override
Salon's own look. Colours are design tokens of the room UI: `primary` for buttons, `secondary`
for accents, `focus` for focus rings.
"""

import re
from dataclasses import dataclass, field
from enum import StrEnum

from salon.errors import InvalidInput


class ThemePart(StrEnum):
    TOKENS = "tokens"
    LOGO = "logo"
    ROOM_BACKGROUND = "room-background"
    KNOCK_BACKGROUND = "room-knock-page-background"


IMAGE_PARTS = (ThemePart.LOGO, ThemePart.ROOM_BACKGROUND, ThemePart.KNOCK_BACKGROUND)
IMAGE_LIMIT_BYTES = {
    ThemePart.LOGO: 1_000_000,
    ThemePart.ROOM_BACKGROUND: 600_000,
    ThemePart.KNOCK_BACKGROUND: 600_000,
}
UPLOAD_BODY_LIMIT_BYTES = 4_000_000
"""The largest theme request read: an image over its own limit but under this one is answered
with a clear `400` naming its limit; a larger body with `413`."""
COLOR_NAMES = ("primary", "secondary", "focus")
PALETTES = ("default", "grey", "purple", "burgund")
BACKGROUND_THEMES = ("default", "mountains", "characters", "rocks")
ORG_DEFAULT = ""
"""The room name under which an organization's defaults are stored."""

_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


def check_color(name: str, value: str) -> str:
    if not _COLOR.fullmatch(value):
        raise InvalidInput(f"tokens.colors.{name} must be a colour written #RRGGBB")
    return value.lower()


def check_colors(colors: dict[str, str]) -> dict[str, str]:
    return {name: check_color(name, value) for name, value in colors.items()}


def check_preset(palette: str | None, theme: str | None) -> dict[str, str]:
    """A background preset: a palette (a colour) and a theme (a pattern), each optional."""
    if palette is not None and palette not in PALETTES:
        raise InvalidInput(f"palette must be one of {', '.join(PALETTES)}")
    if theme is not None and theme not in BACKGROUND_THEMES:
        raise InvalidInput(f"theme must be one of {', '.join(BACKGROUND_THEMES)}")
    return {"palette": palette or "default", "theme": theme or "default"}


@dataclass(frozen=True, slots=True)
class StoredPart:
    """One stored part of a theme: settings (colours or a preset) or an image, or both."""

    part: ThemePart
    settings: dict[str, str] = field(default_factory=dict)
    image_type: str | None = None
    updated_ms: int = 0
    owner: str = ORG_DEFAULT
    """The room it was set for, or `ORG_DEFAULT`."""


def effective(
    defaults: dict[ThemePart, StoredPart], room: dict[ThemePart, StoredPart]
) -> dict[ThemePart, StoredPart]:
    """The parts a room shows: its own where it has one, else its organization's. Colours merge
    one by one, so a room can change only its primary colour."""
    merged = {**defaults, **room}
    if ThemePart.TOKENS in defaults and ThemePart.TOKENS in room:
        colors = {**defaults[ThemePart.TOKENS].settings, **room[ThemePart.TOKENS].settings}
        merged[ThemePart.TOKENS] = StoredPart(
            ThemePart.TOKENS, colors, updated_ms=room[ThemePart.TOKENS].updated_ms
        )
    return merged
