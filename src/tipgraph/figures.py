"""The figures of the graph as pages show them: a statistic with its quoted passage, an
indicator's series, an agency's figures."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from tipgraph.describe import LABEL, label_of, labels
from tipgraph.store.reader import Node, StoreReader

FIGURE = f"""
SELECT $s ?value ?stated ?unit ?unitLabel ?qualifier ?qualifierLabel ?indicator ?indicatorLabel
       ?period ?periodLabel ?area ?areaLabel ?form ?formLabel ?actor ?actorLabel ?dataset
WHERE {{
  $s sdmx-measure:obsValue ?value .
  OPTIONAL {{ $s tip:statedValue ?stated }}
  OPTIONAL {{ $s sdmx-attribute:unitMeasure ?unit OPTIONAL {{ ?unit {LABEL} ?unitLabel }} }}
  OPTIONAL {{ $s tip:valueQualifier ?qualifier
             OPTIONAL {{ ?qualifier {LABEL} ?qualifierLabel }} }}
  OPTIONAL {{ $s tip:indicator ?indicator OPTIONAL {{ ?indicator {LABEL} ?indicatorLabel }} }}
  OPTIONAL {{ $s sdmx-dimension:refPeriod ?period OPTIONAL {{ ?period {LABEL} ?periodLabel }} }}
  OPTIONAL {{ $s sdmx-dimension:refArea ?area OPTIONAL {{ ?area {LABEL} ?areaLabel }} }}
  OPTIONAL {{ $s tip:exploitationForm ?form OPTIONAL {{ ?form {LABEL} ?formLabel }} }}
  OPTIONAL {{ $s tip:actor ?actor OPTIONAL {{ ?actor {LABEL} ?actorLabel }} }}
  OPTIONAL {{ $s qb:dataSet ?dataset }}
}}"""
DERIVED_FROM = "SELECT $s ?quote WHERE { $s prov:wasDerivedFrom ?quote }"
# The curators' readings of a figure's words (issue 14): shown next to the number.
READINGS = f"""SELECT $s ?x ?label WHERE {{
  $s tip:interpretation ?x OPTIONAL {{ ?x {LABEL} ?label }}
}}"""
# One quote at a time: bound, each pattern is an index lookup (a path or a union binding the
# quote from either side made the engine scan every quote of the store first).
QUOTE = """
SELECT $s ?exact ?start ?end ?source ?report ?citation WHERE {
  $s a tip:Quote ; oa:hasSource ?source ; oa:hasSelector ?position .
  ?position oa:start ?start ; oa:end ?end .
  OPTIONAL { $s prov:value ?exact }
  OPTIONAL { $s prov:wasQuotedFrom ?report
             OPTIONAL { ?report dcterms:bibliographicCitation ?citation } }
}"""
TEXT = "SELECT $s ?text WHERE { $s prov:value ?text }"
SERIES = """
SELECT $s ?observation ?value ?stated ?qualifier ?period ?area ?form ?unit WHERE {
  { SELECT $s ?observation WHERE { ?observation tip:indicator $s } LIMIT %d }
  ?observation sdmx-measure:obsValue ?value .
  OPTIONAL { ?observation tip:statedValue ?stated }
  OPTIONAL { ?observation tip:valueQualifier ?qualifier }
  OPTIONAL { ?observation sdmx-dimension:refPeriod ?period }
  OPTIONAL { ?observation sdmx-dimension:refArea ?area }
  OPTIONAL { ?observation tip:exploitationForm ?form }
  OPTIONAL { ?observation sdmx-attribute:unitMeasure ?unit }
}"""
OBSERVATION_COUNT = """
SELECT $s (COUNT(?observation) AS ?n) WHERE { ?observation tip:indicator $s } GROUP BY $s"""
PERIOD_START = "SELECT $s ?start WHERE { $s dcat:startDate ?start }"
FIGURES_LISTED = 100  # on an agency's page; the backlinks give the full count
AGENCY_FIGURES = f"""
SELECT $s ?observation ?label WHERE {{
  {{ SELECT $s ?observation WHERE {{ ?observation tip:actor $s }} LIMIT {FIGURES_LISTED} }}
  OPTIONAL {{ ?observation {LABEL} ?label }}
}}"""
UNITS = f"""
SELECT DISTINCT $s ?unit ?label WHERE {{
  {{ $s org:hasUnit ?unit }} UNION {{ ?unit org:unitOf $s }}
  OPTIONAL {{ ?unit {LABEL} ?label }}
}}"""
INVOLVEMENT = f"""
SELECT DISTINCT $s ?thing ?label ?type WHERE {{
  ?thing ?p $s ; a ?type .
  VALUES ?type {{ tip:ActionPlan tip:PlanGoal tip:Agreement tip:LegalAct tip:Programme }}
  OPTIONAL {{ ?thing {LABEL} ?label }}
}}"""


@dataclass(frozen=True)
class Link:
    """A resource to link to, with its label."""

    iri: str
    label: str


@dataclass(frozen=True)
class Passage:
    """A quoted sentence in its paragraph: ``before`` + ``quote`` + ``after``, with offsets."""

    quote_iri: str
    source_iri: str
    start: int
    end: int
    before: str
    quote: str
    after: str
    report: str | None
    citation: str | None

    def quote_parts(self, stated: str | None) -> tuple[str, str, str]:
        """The quote split around the first occurrence of the stated numeral, if any."""
        if stated and stated in self.quote:
            head, _, tail = self.quote.partition(stated)
            return head, stated, tail
        return self.quote, "", ""


@dataclass(frozen=True)
class Figure:
    """A statistic: value, unit, qualifier and the dimensions that place it."""

    value: str
    stated: str | None
    unit: Link | None
    qualifier: Link | None
    indicator: Link | None
    period: Link | None
    area: Link | None
    form: Link | None
    actor: Link | None
    dataset: str | None
    readings: tuple[Link, ...] = ()  # interpretations of its words, labelled


@dataclass(frozen=True)
class Point:
    """One observation of an indicator's series."""

    observation: str
    value: float
    stated: str | None
    qualifier: Link | None
    period: Link | None
    period_start: str
    area: Link | None
    form: Link | None
    unit: Link | None


def figure(reader: StoreReader, iri: str, languages: Sequence[str]) -> Figure | None:
    """The statistic ``iri``, or None if it has no value."""
    rows = reader.select(FIGURE, {"s": iri})
    if not rows:
        return None
    row = rows[0]

    def link(key: str) -> Link | None:
        chosen = labels(
            [
                {"x": r[key], "label": r[f"{key}Label"]}
                for r in rows
                if key in r and f"{key}Label" in r
            ],
            "x",
            languages,
        )
        if key not in row:
            return None
        return Link(row[key].value, chosen.get(row[key].value, row[key].value))

    return Figure(
        value=row["value"].value,
        stated=row["stated"].value if "stated" in row else None,
        unit=link("unit"),
        qualifier=link("qualifier"),
        indicator=link("indicator"),
        period=link("period"),
        area=link("area"),
        form=link("form"),
        actor=link("actor"),
        dataset=row["dataset"].value if "dataset" in row else None,
        readings=readings(reader, iri, languages),
    )


def readings(reader: StoreReader, iri: str, languages: Sequence[str]) -> tuple[Link, ...]:
    """The interpretations of the figure ``iri``'s words, by label."""
    rows = reader.select(READINGS, {"s": iri})
    chosen = labels(rows, "x", languages)
    found = {row["x"].value: chosen.get(row["x"].value, row["x"].value) for row in rows}
    return tuple(sorted((Link(x, label) for x, label in found.items()), key=lambda r: r.label))


def passages(reader: StoreReader, iri: str) -> list[Passage]:
    """The quotes ``iri`` is derived from (or ``iri`` itself, a quote), each in its paragraph."""
    result = []
    texts: dict[str, str] = {}
    candidates = [iri] + [row["quote"].value for row in reader.select(DERIVED_FROM, {"s": iri})]
    rows = [
        {**row, "quote": Node("iri", quote)}
        for quote in dict.fromkeys(candidates)
        for row in reader.select(QUOTE, {"s": quote})
        if row["start"].value.isdigit() and row["end"].value.isdigit()
    ]
    for row in sorted(rows, key=lambda r: int(r["start"].value)):
        source = row["source"].value
        if source not in texts:
            found = reader.select(TEXT, {"s": source})
            texts[source] = found[0]["text"].value if found else ""
        text = texts[source]
        start, end = int(row["start"].value), int(row["end"].value)
        if not 0 <= start <= end <= len(text):
            continue
        paragraph_start = text.rfind("\n", 0, start) + 1
        paragraph_end = text.find("\n", end)
        paragraph_end = len(text) if paragraph_end < 0 else paragraph_end
        result.append(
            Passage(
                quote_iri=row["quote"].value,
                source_iri=source,
                start=start,
                end=end,
                before=text[paragraph_start:start],
                quote=text[start:end],
                after=text[end:paragraph_end],
                report=row["report"].value if "report" in row else None,
                citation=row["citation"].value if "citation" in row else None,
            )
        )
    return result


def source_text(reader: StoreReader, iri: str) -> str | None:
    """The verbatim text held for a source text IRI, if any."""
    rows = reader.select(TEXT, {"s": iri})
    return rows[0]["text"].value if rows else None


def count_observations(reader: StoreReader, indicator: str) -> int:
    rows = reader.select(OBSERVATION_COUNT, {"s": indicator})
    return int(rows[0]["n"].value) if rows else 0


def series(
    reader: StoreReader, indicator: str, languages: Sequence[str], limit: int | None = None
) -> list[Point]:
    """The observations of ``indicator`` (up to ``limit``, in store order, then sorted by
    period start, area and form). A value that is not a finite number is left out."""
    rows = reader.select(SERIES % (limit if limit is not None else 2**62), {"s": indicator})
    # The dimension values are few (periods, areas, units…): label each once, not per row.
    names: dict[str, Link] = {}
    starts: dict[str, str] = {}

    def link(row: dict[str, Node], key: str) -> Link | None:
        if key not in row:
            return None
        iri = row[key].value
        if iri not in names:
            names[iri] = Link(iri, label_of(reader, iri, languages) or iri)
        return names[iri]

    def start_of(row: dict[str, Node]) -> str:
        if "period" not in row:
            return ""
        iri = row["period"].value
        if iri not in starts:
            found = reader.select(PERIOD_START, {"s": iri})
            starts[iri] = found[0]["start"].value if found else ""
        return starts[iri]

    points = {
        row["observation"].value: Point(
            observation=row["observation"].value,
            value=value,
            stated=row["stated"].value if "stated" in row else None,
            qualifier=link(row, "qualifier"),
            period=link(row, "period"),
            period_start=start_of(row),
            area=link(row, "area"),
            form=link(row, "form"),
            unit=link(row, "unit"),
        )
        for row in rows
        if (value := _finite(row["value"].value)) is not None
    }
    return sorted(
        points.values(),
        key=lambda p: (
            p.period_start,
            p.period.label if p.period else "",
            p.area.label if p.area else "",
            p.form.label if p.form else "",
            p.observation,
        ),
    )


def _finite(lexical: str) -> float | None:
    try:
        value = float(lexical)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _linked(
    reader: StoreReader, query: str, iri: str, key: str, languages: Sequence[str]
) -> list[Link]:
    """The resources ``query`` binds to ``key`` for ``iri``, labelled, in label order."""
    rows = reader.select(query, {"s": iri})
    chosen = labels(rows, key, languages)
    found = {row[key].value for row in rows}
    return sorted((Link(x, chosen.get(x, x)) for x in found), key=lambda link: link.label)


def agency_figures(reader: StoreReader, agency: str, languages: Sequence[str]) -> list[Link]:
    """Up to :data:`FIGURES_LISTED` statistics an agency is the actor of, labelled."""
    return _linked(reader, AGENCY_FIGURES, agency, "observation", languages)


def units(reader: StoreReader, organisation: str, languages: Sequence[str]) -> list[Link]:
    """The organisational units of an organisation (org:hasUnit or org:unitOf)."""
    return _linked(reader, UNITS, organisation, "unit", languages)


def involvement(reader: StoreReader, iri: str, languages: Sequence[str]) -> list[Link]:
    """The plans, goals, agreements, acts and programmes that name ``iri``."""
    return _linked(reader, INVOLVEMENT, iri, "thing", languages)
