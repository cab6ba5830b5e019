"""Geometry for small server-rendered SVG charts (templates/outcomes/_bar_chart.html).

No JavaScript and no style attributes (CSP): the template draws <rect> and <text> with SVG
presentation attributes from the numbers worked out here. Inputs are a handful of already
aggregated values, never rows of data.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import format_html_join
from django.utils.safestring import SafeString

WIDTH = 640
BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 210
VALUE_WIDTH = 70
LABEL_CHARS = 32  # what fits in LABEL_WIDTH at 12px
COLOURS = ("#0d6efd", "#6c757d", "#198754", "#dc3545")


@dataclass(frozen=True)
class Bar:
    y: int
    width: int
    label: str
    value_text: str
    colour: str
    text_y: int
    label_x: int
    value_x: int


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    height: int
    width: int = WIDTH
    plot_x: int = LABEL_WIDTH
    reference_x: int | None = None
    reference_label: str = ""
    reference_top: int = 0

    def bars_svg(self) -> SafeString:
        """Each bar's label, rectangle and value, joined here rather than in a template loop (the oversight
        dashboard draws a few dozen on every view); format_html escapes the labels."""
        return format_html_join(
            "",
            '<text x="{}" y="{}" text-anchor="end" fill="#212529">{}</text>'
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" rx="2"></rect>'
            '<text x="{}" y="{}" fill="#212529">{}</text>',
            (
                (
                    b.label_x,
                    b.text_y,
                    b.label,
                    self.plot_x,
                    b.y,
                    b.width,
                    BAR_HEIGHT,
                    b.colour,
                    b.value_x,
                    b.text_y,
                    b.value_text,
                )
                for b in self.bars
            ),
        )


def bar_chart(
    title: str,
    values: list[tuple[str, float | None]],
    *,
    maximum: float | None = None,
    unit: str = "",
    reference: float | None = None,
    reference_label: str = "",
    series: int = 1,
) -> BarChart:
    """Horizontal bars, one per (label, value); with series > 1 the colours cycle in groups (e.g. before/after)."""
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    top = maximum or max([value for _, value in values if value is not None] + [1])
    bars = []
    for index, (label, value) in enumerate(values):
        y = GAP + index * (BAR_HEIGHT + GAP)
        width = 0 if value is None else max(1, round(plot * min(value, top) / top)) if value > 0 else 0
        text = "no data" if value is None else (f"{value:.1f}{unit}" if isinstance(value, float) else f"{value}{unit}")
        bars.append(
            Bar(
                y=y,
                width=width,
                label=label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…",
                value_text=text,
                colour=COLOURS[index % series] if series > 1 else COLOURS[0],
                text_y=y + BAR_HEIGHT - 6,
                label_x=LABEL_WIDTH - 8,
                value_x=LABEL_WIDTH + width + 6,
            )
        )
    height = GAP + len(values) * (BAR_HEIGHT + GAP)
    reference_x = None if reference is None else LABEL_WIDTH + round(plot * min(reference, top) / top)
    return BarChart(
        title=title, bars=bars, height=max(height, 40), reference_x=reference_x, reference_label=reference_label
    )
