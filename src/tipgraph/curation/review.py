"""``tipgraph review``: a report's text as a second reader checks it against its Turtle.

One self-contained HTML page (no server, no script, no network): every numeral of the text
coloured by what accounts for it — green, stated by a figure (its indicator, period and value on
hover; its IRI as the link); grey, not a statistic (its reason); amber, proposed by a draft and
not yet done; red, missing — and every quote's extent underlined. It reads the report's folder
as ``validate`` does, ``draft.ttl`` included.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from html import escape
from pathlib import Path

import pyoxigraph as ox

from tipgraph.coverage import check_coverage
from tipgraph.curation.queries import rows
from tipgraph.dataset import assemble_dataset
from tipgraph.errors import TipgraphError
from tipgraph.source_marks import Mark, lines_of

_COVERING = """
SELECT ?x ?type ?what ?period ?value ?stated ?kind ?reason WHERE {
  ?x a ?type . VALUES ?type { qb:Observation tip:DraftFigure tip:NonStatisticalNumeral }
  OPTIONAL { ?x tip:indicator/skos:prefLabel ?what FILTER(LANGMATCHES(LANG(?what), "en")) }
  OPTIONAL { ?x sdmx-dimension:refPeriod/skos:prefLabel ?period
             FILTER(LANGMATCHES(LANG(?period), "en")) }
  OPTIONAL { ?x sdmx-measure:obsValue ?value }
  OPTIONAL { ?x tip:statedValue ?stated }
  OPTIONAL { ?x tip:numeralKind/skos:prefLabel ?kind FILTER(LANGMATCHES(LANG(?kind), "en")) }
  OPTIONAL { ?x rdfs:comment ?reason }
}"""
_PASSAGES = """
SELECT $text ?start ?end WHERE {
  ?quote a tip:Quote ; oa:hasSource $text ; oa:hasSelector ?position .
  ?position a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
}"""
_KINDS = {
    "http://purl.org/linked-data/cube#Observation": "figure",
    "https://w3id.org/tipgraph/ontology#DraftFigure": "draft",
    "https://w3id.org/tipgraph/ontology#NonStatisticalNumeral": "numeral",
}
LEGEND = {
    "figure": "stated by a figure",
    "numeral": "not a statistic",
    "draft": "proposed by the draft, not done",
    "missing": "missing: nothing accounts for it",
}
STYLE = """
body { font: 16px/1.6 system-ui, sans-serif; max-width: 48rem; margin: 2rem auto; padding: 0 1rem;
  color: #1b1b1b; }
p.line { margin: 0 0 .8rem; overflow-wrap: anywhere; }
.passage { text-decoration: underline 1px #4a6fa5; text-underline-offset: .25em; }
mark { padding: 0 .15em; border-radius: 3px; color: inherit; }
mark.figure { background: #c8ecc9; } mark.numeral { background: #e4e4e4; }
mark.draft { background: #ffe3a3; } mark.missing { background: #ffc2c2; outline: 2px solid #b00; }
mark a { color: inherit; text-decoration: none; }
dl.legend { display: flex; flex-wrap: wrap; gap: .3rem 1.2rem; } dl.legend dt { margin: 0; }
dl.legend dd { margin: 0 0 0 .3rem; }
"""


class ReviewError(TipgraphError):
    """A report that cannot be reviewed; the message says why."""


@dataclass(frozen=True)
class _Covering:
    kind: str  # figure, draft or numeral
    title: str


def review_page(ontology_dir: Path, data_dir: Path, slug: str) -> str:
    """The review page of ``data_dir/slug``: one HTML document per text, concatenated."""
    folder = data_dir / slug
    if not any(folder.glob("source.*.txt")):
        raise ReviewError(f"{folder}: no source.<language>.txt to review")
    shared = [p for p in data_dir.iterdir() if p.is_dir() and not any(p.glob("source.*.txt"))]
    assembled = assemble_dataset(ontology_dir, [*shared, folder])
    covering = _covering(assembled.store)
    sections = []
    counts: Counter[str] = Counter()
    for report in check_coverage(assembled):
        text = report.source.text
        marks = [
            Mark(int(r["start"]), int(r["end"]), "passage")
            for r in rows(assembled.store, _PASSAGES, {"text": ox.NamedNode(report.source.iri)})
        ]
        for numeral in report.numerals:
            found = [covering[x] for x in numeral.covered_by if x in covering]
            kind = _strongest(found)
            counts[kind] += 1
            title = "; ".join(f.title for f in found) or "Nothing states or lists this numeral."
            link = next((x for x in numeral.covered_by if covering.get(x, _NONE).kind == kind), "")
            marks.append(Mark(numeral.start, numeral.end, kind, title, ((link, ""),)))
        sections.append(_section(report.source.path.name, text, marks))
    summary = ", ".join(f"{counts[k]} {LEGEND[k]}" for k in LEGEND)
    legend = "".join(
        f'<dt><mark class="{k}">12</mark></dt><dd>{escape(v)}</dd>' for k, v in LEGEND.items()
    )
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Review of {escape(slug)}</title><style>{STYLE}</style></head><body>"
        f"<h1>Review of <code>{escape(slug)}</code></h1>"
        f"<p>Every numeral of the text: {escape(summary)}. Underlined: the extent of a quote. "
        f"Hover a numeral for what accounts for it.</p>"
        f'<dl class="legend">{legend}</dl>{"".join(sections)}</body></html>\n'
    )


_NONE = _Covering("missing", "")
_ORDER = ("missing", "draft", "figure", "numeral")  # what a reader must see first


def _strongest(found: list[_Covering]) -> str:
    kinds = {f.kind for f in found} or {"missing"}
    if "figure" in kinds:
        return "figure"
    return next(k for k in _ORDER if k in kinds)


def _section(name: str, text: str, marks: list[Mark]) -> str:
    lines = []
    for segments in lines_of(text, marks):
        html = []
        for segment in segments:
            piece = escape(segment.text)
            numeral = next((m for m in segment.marks if m.kind in LEGEND), None)
            if numeral is not None:
                link = numeral.links[0][0] if numeral.links and numeral.links[0][0] else ""
                inner = f'<a href="{escape(link)}">{piece}</a>' if link else piece
                piece = (
                    f'<mark class="{numeral.kind}" title="{escape(numeral.title)}">{inner}</mark>'
                )
            if segment.has("passage"):
                piece = f'<span class="passage">{piece}</span>'
            html.append(piece)
        lines.append(f'<p class="line">{"".join(html)}</p>')
    return f"<h2>{escape(name)}</h2>{''.join(lines)}"


def _covering(store: ox.Store) -> dict[str, _Covering]:
    found: dict[str, _Covering] = {}
    for row in rows(store, _COVERING, {}):
        kind = _KINDS[row["type"]]
        if kind == "numeral":
            title = "Not a statistic" + (f" ({row['kind']})" if "kind" in row else "")
            title += f": {row['reason']}" if "reason" in row else ""
        else:
            value = row.get("stated") or row.get("value") or "?"
            what = row.get("what", "indicator to do" if kind == "draft" else "no indicator")
            title = (
                f"{'Draft: ' if kind == 'draft' else ''}{what}, {row.get('period', '?')}: {value}"
            )
        found.setdefault(row["x"], _Covering(kind, title))
    return found
