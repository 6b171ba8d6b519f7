"""Small line charts drawn on the server as inline SVG: no script, no library, nothing loaded,
within the dashboard's Content-Security-Policy (colours are SVG attributes, not styles)."""

from dataclasses import dataclass

from markupsafe import Markup

from salon.dashboard.render import fragment

WIDTH, HEIGHT = 320, 96
PAD_LEFT, PAD_RIGHT, PAD_Y = 44, 8, 10


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    color: str
    values: list[float]


def _scale(top: float) -> float:
    """A round top for the axis: 1, 2 or 5 times a power of ten, at least `top`."""
    if top <= 0:
        return 1.0
    power = 1.0
    while power * 10 <= top:
        power *= 10
    while power > top:
        power /= 10
    for step in (1, 2, 5, 10):
        if step * power >= top:
            return step * power
    return 10 * power


def _points(values: list[float], top: float, count: int) -> str:
    span_x = WIDTH - PAD_LEFT - PAD_RIGHT
    span_y = HEIGHT - 2 * PAD_Y
    step = span_x / max(count - 1, 1)
    return " ".join(
        f"{PAD_LEFT + index * step:.1f},{HEIGHT - PAD_Y - (value / top) * span_y:.1f}"
        for index, value in enumerate(values)
    )


@dataclass(frozen=True, slots=True)
class _Line:
    label: str
    color: str
    points: str


def line_chart(title: str, unit: str, series: list[Series], test_id: str) -> Markup:
    """One chart: the series as lines over a shared axis from 0, a legend, and a title that
    screen readers read (`templates/chart.html`)."""
    count = max((len(s.values) for s in series), default=0)
    top = _scale(max((max(s.values, default=0) for s in series), default=0))
    lines = [_Line(s.label, s.color, _points(s.values, top, count)) for s in series if s.values]
    return fragment(
        "chart.html",
        title=title,
        unit=unit,
        test_id=test_id,
        series=series,
        lines=lines,
        top=f"{top:g}",
        width=WIDTH,
        height=HEIGHT,
        left=PAD_LEFT,
        right=WIDTH - PAD_RIGHT,
        pad=PAD_Y,
        bottom=HEIGHT - PAD_Y,
    )
