"""Small line charts drawn on the server as inline SVG: no script, no library, nothing loaded,
within the dashboard's Content-Security-Policy (colours are SVG attributes, not styles). Pure."""

from dataclasses import dataclass

from salon.dashboard.html import Html, html, join

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


def line_chart(title: str, unit: str, series: list[Series], test_id: str) -> Html:
    """One chart: the series as lines over a shared axis from 0, a legend, and a title that
    screen readers read."""
    count = max((len(s.values) for s in series), default=0)
    if count == 0:
        return html(
            '<p class="hint" data-testid="{t}">{title}: no samples.</p>', t=test_id, title=title
        )
    top = _scale(max((max(s.values, default=0) for s in series), default=0))
    lines = [
        html(
            '<polyline fill="none" stroke="{color}" stroke-width="1.5" points="{points}"'
            ' data-series="{label}"/>',
            color=s.color,
            points=_points(s.values, top, count),
            label=s.label,
        )
        for s in series
        if s.values
    ]
    legend = join(
        [
            html('<span class="legend"><span class="swatch" data-color="{c}">■</span> {l}</span>',
                 c=s.color, l=s.label)
            for s in series
        ]
    )  # fmt: skip
    return html(
        """<figure class="chart" data-testid="{test_id}">
<svg viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{title}">
<line x1="{pl}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#8a94a6" stroke-width="1"/>
<line x1="{pl}" y1="{pad}" x2="{pl}" y2="{bottom}" stroke="#8a94a6" stroke-width="1"/>
<text x="{tx}" y="{ty}" font-size="10" text-anchor="end" fill="#8a94a6">{top}</text>
<text x="{tx}" y="{bottom}" font-size="10" text-anchor="end" fill="#8a94a6">0</text>
{lines}</svg>
<figcaption>{title} ({unit}) {legend}</figcaption></figure>""",
        test_id=test_id,
        w=str(WIDTH),
        h=str(HEIGHT),
        title=title,
        pl=str(PAD_LEFT),
        pad=str(PAD_Y),
        bottom=str(HEIGHT - PAD_Y),
        right=str(WIDTH - PAD_RIGHT),
        tx=str(PAD_LEFT - 4),
        ty=str(PAD_Y + 4),
        top=f"{top:g}",
        lines=join(lines),
        unit=unit,
        legend=legend,
    )
