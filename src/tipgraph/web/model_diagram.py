""" "How a figure is modelled": the observation and what it points to, drawn as server-side SVG.

The picture is a fixed layout of the data structure's parts; its words come from the store
(each class's and property's English label), so it names what the ontology names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup, escape

from tipgraph.namespaces import PREFIXES, compact_iri

WIDTH, HEIGHT = 890, 460
BOX_W, BOX_H = 160, 46


@dataclass(frozen=True)
class Box:
    """A part of the model: what it is (a class or a kind of value) and where it is drawn."""

    key: str
    caption: str  # a class CURIE, or a few words for a value
    x: int
    y: int


@dataclass(frozen=True)
class Arrow:
    """A property from one part to another, labelled with its CURIE."""

    source: str
    target: str
    prop: str  # CURIE


BOXES = (
    Box("observation", "qb:Observation", 365, 155),
    Box("indicator", "skos:Concept", 10, 20),
    Box("area", "dcterms:Location", 10, 105),
    Box("period", "time:ProperInterval", 10, 190),
    Box("form", "skos:Concept", 10, 275),
    Box("value", "a number", 720, 20),
    Box("unit", "skos:Concept", 720, 105),
    Box("qualifier", "skos:Concept", 720, 190),
    Box("stated", "the words", 720, 275),
    Box("quote", "tip:Quote", 60, 400),
    Box("text", "tip:SourceText", 365, 400),
    Box("report", "tip:AnnualReport", 670, 400),
)
ARROWS = (
    Arrow("observation", "indicator", "tip:indicator"),
    Arrow("observation", "area", "sdmx-dimension:refArea"),
    Arrow("observation", "period", "sdmx-dimension:refPeriod"),
    Arrow("observation", "form", "tip:exploitationForm"),
    Arrow("observation", "value", "sdmx-measure:obsValue"),
    Arrow("observation", "unit", "sdmx-attribute:unitMeasure"),
    Arrow("observation", "qualifier", "tip:valueQualifier"),
    Arrow("observation", "stated", "tip:statedValue"),
    Arrow("observation", "quote", "prov:wasDerivedFrom"),
    Arrow("quote", "text", "oa:hasSource"),
    Arrow("text", "report", "dcterms:isFormatOf"),
)
TITLES = {
    "observation": "A figure",
    "indicator": "Indicator",
    "area": "Area",
    "period": "Period",
    "form": "Form of exploitation",
    "value": "Value",
    "unit": "Unit",
    "qualifier": "Qualifier",
    "stated": "Stated value",
    "quote": "Quote",
    "text": "Source text",
    "report": "Report",
}


def expand(curie: str) -> str:
    """The IRI of a CURIE with tipgraph's prefixes."""
    prefix, _, local = curie.partition(":")
    return PREFIXES[prefix] + local


def _centre(box: Box) -> tuple[float, float]:
    return box.x + BOX_W / 2, box.y + BOX_H / 2


def _edge_point(box: Box, toward: tuple[float, float]) -> tuple[float, float]:
    """Where the line from the box's centre toward a point leaves the box."""
    cx, cy = _centre(box)
    dx, dy = toward[0] - cx, toward[1] - cy
    if dx == 0 and dy == 0:
        return cx, cy
    scale = min(
        (BOX_W / 2) / abs(dx) if dx else float("inf"),
        (BOX_H / 2) / abs(dy) if dy else float("inf"),
    )
    return cx + dx * scale, cy + dy * scale


def figure_model(label_of: Callable[[str], str | None]) -> Markup:
    """The SVG picture; ``label_of`` gives a property's label (by IRI) for the arrows' tooltips."""
    boxes = {box.key: box for box in BOXES}
    parts = [
        f'<svg class="model" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        'aria-labelledby="model-title model-desc" xmlns="http://www.w3.org/2000/svg">',
        '<title id="model-title">How a figure is modelled</title>',
        '<desc id="model-desc">A figure is a qb:Observation: it has an indicator, an area, a '
        "period and a form of exploitation, a value with its unit, qualifier and the words that "
        "state it, and it is derived from a quote of the report's source text.</desc>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker>'
        "</defs>",
    ]
    for arrow in ARROWS:
        source, target = boxes[arrow.source], boxes[arrow.target]
        x1, y1 = _edge_point(source, _centre(target))
        x2, y2 = _edge_point(target, _centre(source))
        tip = label_of(expand(arrow.prop)) or compact_iri(expand(arrow.prop))
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2 - 4
        parts.append(
            f'<g class="arrow"><title>{escape(tip)}</title>'
            f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" '
            'marker-end="url(#arrow)"/>'
            f'<text x="{mx:.0f}" y="{my:.0f}" text-anchor="middle">{escape(arrow.prop)}</text></g>'
        )
    for box in BOXES:
        cx, _ = _centre(box)
        parts.append(
            f'<g class="part"><rect x="{box.x}" y="{box.y}" width="{BOX_W}" height="{BOX_H}" '
            'rx="6"/>'
            f'<text x="{cx:.0f}" y="{box.y + 19}" text-anchor="middle" class="name">'
            f"{escape(TITLES[box.key])}</text>"
            f'<text x="{cx:.0f}" y="{box.y + 36}" text-anchor="middle" class="kind">'
            f"{escape(box.caption)}</text></g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
