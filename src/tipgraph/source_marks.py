"""A source text as a reader checks it against the graph: every passage that became a figure,
every numeral that is no statistic (with its reason), and any passage asked for, marked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from tipgraph.describe import LABEL, labels
from tipgraph.store.reader import StoreReader

# One query each, labels included (a row per label): no query per figure or numeral.
FIGURES_OF_PASSAGES = f"""SELECT $s ?start ?end ?observation ?label WHERE {{
  ?quote oa:hasSource $s ; oa:hasSelector ?position .
  ?position a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
  ?observation a qb:Observation ; prov:wasDerivedFrom ?quote .
  OPTIONAL {{ ?observation {LABEL} ?label }}
}}"""
NUMERALS = f"""SELECT $s ?numeral ?start ?end ?kind ?label ?reason WHERE {{
  ?numeral a tip:NonStatisticalNumeral ; oa:hasSource $s ; oa:hasSelector ?position .
  ?position a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
  OPTIONAL {{ ?numeral tip:numeralKind ?kind OPTIONAL {{ ?kind {LABEL} ?label }} }}
  OPTIONAL {{ ?numeral rdfs:comment ?reason }}
}}"""


@dataclass(frozen=True)
class Mark:
    """A marked extent of the text: ``kind`` is "figure" (a passage figures come from),
    "numeral" (no statistic) or "asked" (the passage a link points to)."""

    start: int
    end: int
    kind: str
    title: str = ""
    links: tuple[tuple[str, str], ...] = ()  # (IRI, label) of its figures


@dataclass
class Segment:
    """A run of one line's text and the marks that cover all of it."""

    text: str
    marks: list[Mark] = field(default_factory=list)

    def has(self, kind: str) -> bool:
        return any(m.kind == kind for m in self.marks)

    def first(self, kind: str) -> Mark | None:
        return next((m for m in self.marks if m.kind == kind), None)


def marks_of(reader: StoreReader, text_iri: str, languages: Sequence[str]) -> list[Mark]:
    """The passages of ``text_iri`` its figures come from, and its non-statistical numerals."""
    figures: dict[tuple[int, int], set[str]] = {}
    rows = reader.select(FIGURES_OF_PASSAGES, {"s": text_iri})
    names = labels(rows, "observation", languages)
    for row in rows:
        span = (int(row["start"].value), int(row["end"].value))
        figures.setdefault(span, set()).add(row["observation"].value)
    marks = []
    for (start, end), observations in sorted(figures.items()):
        links = tuple((iri, names.get(iri, iri)) for iri in sorted(observations))
        count = len(links)
        title = f"{count} figure{'s' if count != 1 else ''}: " + "; ".join(a for _, a in links)
        marks.append(Mark(start, end, "figure", title, links))
    rows = reader.select(NUMERALS, {"s": text_iri})
    kinds = labels(rows, "kind", languages)
    numerals = {row["numeral"].value: row for row in rows}  # one per numeral, whatever its labels
    for row in numerals.values():
        kind = kinds.get(row["kind"].value) if "kind" in row else None
        reason = row["reason"].value if "reason" in row else ""
        title = "Not a statistic" + (f" ({kind.lower()})" if kind else "")
        title += f": {reason}" if reason else ""
        marks.append(Mark(int(row["start"].value), int(row["end"].value), "numeral", title))
    return marks


def lines_of(text: str, marks: Sequence[Mark]) -> list[list[Segment]]:
    """The text's non-empty lines, each cut into segments at every mark's start and end."""
    result = []
    offset = 0
    for line in text.split("\n"):
        end = offset + len(line)
        if line.strip():
            cuts = {offset, end}
            for mark in marks:
                cuts.update(c for c in (mark.start, mark.end) if offset < c < end)
            points = sorted(cuts)
            segments = [
                Segment(
                    text[a:b],
                    [m for m in marks if m.start <= a and b <= m.end],
                )
                for a, b in pairwise(points)
                if a < b
            ]
            result.append(segments)
        offset = end + 1
    return result
