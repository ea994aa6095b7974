"""An indicator's observations as small server-side SVG bar charts (one per unit)."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from markupsafe import Markup, escape

from tipgraph.figures import Point

WIDTH = 720
BAR_AREA_TOP = 24
BAR_AREA_HEIGHT = 200
LABEL_HEIGHT = 120
SLOT_MIN, SLOT_MAX = 36, 120
LEFT = 110  # room for the slanted labels under the first bars
MAX_BARS = 40  # per chart: the latest periods; the table and the CSV have every observation
MAX_CHARTS = 12  # area and unit pairs charted; the table lists the rest


@dataclass(frozen=True)
class Chart:
    """One SVG chart: the bars of one unit in one area (other scales are not comparable)."""

    title: str
    svg: Markup


def point_label(point: Point) -> str:
    """The period, and the form of exploitation when the figure is split by form."""
    parts = [point.period.label if point.period else "?"]
    if point.form and not point.form.iri.endswith("/all"):
        parts.append(point.form.label)
    return ", ".join(parts)


def _format(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}".rstrip("0")


def _is_year(point: Point) -> bool:
    """Whether the point's period is one calendar year (not a span such as 2014–2018)."""
    label = point.period.label if point.period else ""
    return len(label) == 4 and label.isdigit()


def _is_total(point: Point) -> bool:
    """Whether the point is not split by form of exploitation (all forms, or not applicable)."""
    return point.form is None or point.form.iri.endswith(("/all", "/not-applicable"))


def _series_key(point: Point) -> tuple[str, str, bool, bool]:
    """Points drawn together: one unit and area, and only comparable periods and breakdowns."""
    return (
        point.unit.label if point.unit else "",
        point.area.label if point.area else "",
        not _is_year(point),
        not _is_total(point),
    )


def _title(unit: str, area: str, spans: bool, split: bool) -> str:
    words = [part for part in (area, unit) if part] or ["Observations"]
    if spans:
        words.append("over several years")
    if split:
        words.append("by form of exploitation")
    return " · ".join(words)


def bar_charts(points: list[Point]) -> list[Chart]:
    """Bar charts of ``points`` across periods, in period order, that do not mislead: one per
    unit and area, yearly figures apart from figures over several years, a total apart from its
    breakdown by form, no chart of a single bar (the number says it), and one scale for every
    chart of the same unit, so bars compare across charts."""
    charts: list[Chart] = []
    ordered = sorted(points, key=_series_key)  # stable: period order kept within a series
    groups = [(key, list(group)) for key, group in groupby(ordered, key=_series_key)]
    groups = [(key, bars) for key, bars in groups if len(bars) > 1]
    scale: dict[str, float] = {}
    for (unit, *_), bars in groups:
        largest = max((p.value for p in bars if p.value > 0), default=0.0)
        scale[unit] = max(scale.get(unit, 0.0), largest)
    for (unit, area, spans, split), bars in groups[:MAX_CHARTS]:
        title = _title(unit, area, spans, split)
        if len(bars) > MAX_BARS:
            bars = bars[-MAX_BARS:]
            title += f" (the latest {MAX_BARS})"
        charts.append(Chart(title, _svg(bars, title, len(charts), scale[unit] or 1.0)))
    return charts


def _svg(points: list[Point], title: str, number: int, top: float) -> Markup:
    """One chart; ``top`` is the value at full height, shared by the charts of one unit."""
    slot = max(SLOT_MIN, min(SLOT_MAX, (WIDTH - LEFT - 10) // max(len(points), 1)))
    width = max(WIDTH, LEFT + slot * len(points) + 10)
    height = BAR_AREA_TOP + BAR_AREA_HEIGHT + LABEL_HEIGHT
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="chart-{number}">',
        f'<title id="chart-{number}">{escape(title)}</title>',
        f'<line x1="{LEFT}" y1="{BAR_AREA_TOP + BAR_AREA_HEIGHT}" x2="{width - 10}" '
        f'y2="{BAR_AREA_TOP + BAR_AREA_HEIGHT}" stroke="#4a4a4a"/>',
    ]
    for index, point in enumerate(points):
        bar = BAR_AREA_HEIGHT * max(point.value, 0.0) / top  # a negative value has no bar
        x = LEFT + index * slot + slot * 0.15
        y = BAR_AREA_TOP + BAR_AREA_HEIGHT - bar
        qualifier = (
            point.qualifier.label.lower() + " "
            if point.qualifier and not (point.qualifier.iri.endswith("/exact"))
            else ""
        )
        value = f"{qualifier}{_format(point.value)}"
        label = point_label(point)
        centre = x + slot * 0.35
        parts.append(
            f"<g><title>{escape(label)}: {escape(value)}</title>"
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{bar:.1f}" '
            f'fill="#0b4f9c"/>'
            f'<text x="{centre:.1f}" y="{y - 4:.1f}" font-size="11" text-anchor="middle">'
            f"{escape(value)}</text>"
            f'<text x="{centre:.1f}" y="{BAR_AREA_TOP + BAR_AREA_HEIGHT + 14}" font-size="11" '
            f'text-anchor="end" transform="rotate(-35 {centre:.1f} '
            f'{BAR_AREA_TOP + BAR_AREA_HEIGHT + 14})">{escape(label[:28])}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
