"""The observations as one table: the columns of ``tipgraph.csv`` (and of an indicator's
``.csv``), the rows read from the store, and the table's CSVW description (W3C CSV on the Web).

One row per observation. A column with several values (an observation with three actors, say)
holds them sorted and joined by :data:`SEPARATOR`; its label column holds their labels in the
same order, so the n-th label names the n-th IRI.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import groupby
from typing import BinaryIO

from tipgraph.namespaces import PREFIXES, PROV, SDMX_ATTRIBUTE, SDMX_DIMENSION, SDMX_MEASURE, TIP
from tipgraph.sorting import sorted_lines
from tipgraph.store.reader import Node, StoreReader

SEPARATOR = " | "
TABLE_FILE = "tipgraph.csv"
METADATA_FILE = f"{TABLE_FILE}-metadata.json"
METADATA_TYPE = "application/csvm+json"
CSVW_CONTEXT = "http://www.w3.org/ns/csvw"
SDMX_UNIT = f"{SDMX_ATTRIBUTE}unitMeasure"


@dataclass(frozen=True)
class Column:
    """One column: where its values come from, what they are, and the RDF property they are
    values of (when the column is one of the observation's properties)."""

    name: str
    description: str
    datatype: str = "string"  # a CSVW built-in datatype: anyURI, decimal, string
    source: str = ""  # the query variable it is read from; "" means the column's own name
    labelled: bool = False  # the labels of the source's IRIs, not the IRIs
    property_url: str | None = None
    several: bool = True  # may hold several values joined by SEPARATOR

    @property
    def variable(self) -> str:
        return self.source or self.name


def _iri(name: str, description: str, property_url: str | None = None) -> Column:
    return Column(name, description, "anyURI", property_url=property_url)


def _label(of: str, what: str) -> Column:
    return Column(f"{of}_label", f"The English label of {what}.", source=of, labelled=True)


COLUMNS: tuple[Column, ...] = (
    Column(
        "observation",
        "The observation (qb:Observation) the row is: its IRI, which resolves to its page.",
        "anyURI",
        several=False,
    ),
    _iri("indicator", "What is counted (tip:indicator).", f"{TIP}indicator"),
    _label("indicator", "the indicator"),
    _iri("exploitation_form", "The form of exploitation counted.", f"{TIP}exploitationForm"),
    _label("exploitation_form", "the form of exploitation"),
    _iri("area", "Where (sdmx-dimension:refArea).", f"{SDMX_DIMENSION}refArea"),
    _label("area", "the area"),
    _iri("period", "When (sdmx-dimension:refPeriod).", f"{SDMX_DIMENSION}refPeriod"),
    _label("period", "the period"),
    _iri("actor", "Who acted: the agencies the figure is about.", f"{TIP}actor"),
    _label("actor", "each actor, in the order of the actor column"),
    Column(
        "value",
        "The number (sdmx-measure:obsValue), without thousands separators.",
        "decimal",
        property_url=f"{SDMX_MEASURE}obsValue",
        several=False,
    ),
    _iri(
        "unit",
        "What the value counts (sdmx-attribute:unitMeasure).",
        f"{SDMX_ATTRIBUTE}unitMeasure",
    ),
    _label("unit", "the unit"),
    _iri("qualifier", "Exact, at least, about … (tip:valueQualifier).", f"{TIP}valueQualifier"),
    _label("qualifier", "the qualifier"),
    Column(
        "stated_value",
        "The numeral as the report writes it (“527,000”, “an agreement”).",
        property_url=f"{TIP}statedValue",
    ),
    Column(
        "interpretation",
        "The curators' readings of the figure's words (a contested reading is named here).",
        source="reading",
        labelled=True,
    ),
    _iri("report", "The report the quote is from."),
    Column("quote", "The passage of the report the figure comes from, verbatim.", several=False),
    _iri(
        "passage",
        "The quote's IRI: its page shows the passage highlighted in the report's text.",
        f"{PROV}wasDerivedFrom",
    ),
)
NAMES = tuple(c.name for c in COLUMNS)
VARIABLES = tuple(dict.fromkeys(c.variable for c in COLUMNS))
LABEL_PREDICATES = ("skos:prefLabel", "rdfs:label", "dcterms:title", "schema:name")

# An observation and its quote are read from the graph that states the observation (its
# report): per graph, Oxigraph answers three times faster than over the union of all graphs.
# The labels are read apart, once (joined in the query, they cost seven times more).
ROWS = """SELECT ?observation ?indicator ?exploitation_form ?area ?period ?actor ?value ?unit
  ?qualifier ?stated_value ?reading ?report ?quote ?passage
WHERE {
  GRAPH ?graph {
    ?observation a qb:Observation . SCOPE
    OPTIONAL { ?observation tip:indicator ?indicator }
    OPTIONAL { ?observation tip:exploitationForm ?exploitation_form }
    OPTIONAL { ?observation sdmx-dimension:refArea ?area }
    OPTIONAL { ?observation sdmx-dimension:refPeriod ?period }
    OPTIONAL { ?observation tip:actor ?actor }
    OPTIONAL { ?observation sdmx-measure:obsValue ?value }
    OPTIONAL { ?observation sdmx-attribute:unitMeasure ?unit }
    OPTIONAL { ?observation tip:valueQualifier ?qualifier }
    OPTIONAL { ?observation tip:statedValue ?stated_value }
    OPTIONAL { ?observation prov:wasDerivedFrom ?passage . ?passage a tip:Quote .
      OPTIONAL { ?passage prov:value ?quote }
      OPTIONAL { ?passage prov:wasQuotedFrom ?report } }
    OPTIONAL { ?observation tip:interpretation ?reading }
  }
}"""
LABELS = """SELECT ?indicator ?x ?p ?label WHERE {
  ?observation a qb:Observation . SCOPE
  ?observation ?link ?x . FILTER(isIRI(?x))
  VALUES ?p { PREDICATES }
  ?x ?p ?label FILTER(LANGMATCHES(LANG(?label), "en") || LANG(?label) = "")
}""".replace("PREDICATES", " ".join(LABEL_PREDICATES))
OF_INDICATOR = "?observation tip:indicator ?indicator ."
ALL_ROWS, INDICATOR_ROWS = ROWS.replace("SCOPE", ""), ROWS.replace("SCOPE", OF_INDICATOR)
ALL_LABELS = LABELS.replace("SCOPE", "")
INDICATOR_LABELS = LABELS.replace("SCOPE", OF_INDICATOR)
Solution = Mapping[str, str]  # variable → lexical value (IRI or literal), unbound ones absent


def pick_labels(solutions: Iterable[Solution]) -> dict[str, str]:
    """One label per IRI, from the solutions of LABELS in any order: skos:prefLabel before
    rdfs:label, dcterms:title, schema:name; then the first in code point order."""
    ranks = {_expand(p): i for i, p in enumerate(LABEL_PREDICATES)}
    best: dict[str, tuple[int, str]] = {}
    for row in solutions:
        rank = (ranks.get(row["p"], len(ranks)), row["label"])
        if row["x"] not in best or rank < best[row["x"]]:
            best[row["x"]] = rank
    return {iri: label for iri, (_, label) in best.items()}


def _expand(name: str) -> str:
    prefix, local = name.split(":", 1)
    return PREFIXES[prefix] + local


def table_rows(solutions: Iterable[Solution], labels: Mapping[str, str]) -> Iterator[list[str]]:
    """The rows of the table, sorted by observation, from the solutions of ROWS (several per
    observation when a column has several values). Sorted on disk: memory stays bounded."""
    lines = (
        f"{row['observation']}\t{json.dumps([row.get(v) for v in VARIABLES])}\n".encode()
        for row in solutions
    )
    for _, group in groupby(sorted_lines(lines, unique=True), key=lambda c: c.split(b"\t", 1)[0]):
        merged: dict[str, set[str]] = {v: set() for v in VARIABLES}
        for line in group:
            for variable, value in zip(VARIABLES, json.loads(line.split(b"\t", 1)[1]), strict=True):
                if value is not None:
                    merged[variable].add(value)
        yield [_cell(column, merged[column.variable], labels) for column in COLUMNS]


def _cell(column: Column, values: set[str], labels: Mapping[str, str]) -> str:
    ordered = sorted(values)
    if column.labelled:
        ordered = [labels.get(iri, iri) for iri in ordered]  # unlabelled: the IRI itself
    return SEPARATOR.join(ordered)


def write_table(rows: Iterable[list[str]], stream: BinaryIO) -> int:
    """The header and ``rows`` as CSV (RFC 4180, UTF-8, CRLF); the number of rows."""
    writer = csv.writer(_Utf8(stream), lineterminator="\r\n")
    writer.writerow(NAMES)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


class _Utf8:
    """Text written as UTF-8 to a binary stream (the csv module writes one row at a time)."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(text.encode("utf-8"))


def csvw_metadata(titles: Iterable[str], licences: Iterable[str]) -> dict[str, object]:
    """The CSVW description of ``tipgraph.csv``: its columns, datatypes and properties.

    ``titles`` and ``licences`` are the data's (its datasets' dcterms:title and
    dcterms:license).
    """
    title = sorted(set(titles))
    return {
        "@context": [CSVW_CONTEXT, {"@language": "en"}],
        "url": TABLE_FILE,
        "dc:title": title[0] if len(title) == 1 else title,
        "dc:license": [{"@id": licence} for licence in sorted(set(licences))],
        "dialect": {"header": True, "encoding": "utf-8", "lineTerminators": ["\r\n"]},
        "tableSchema": {
            "columns": [_column_metadata(column) for column in COLUMNS],
            "primaryKey": "observation",
            "aboutUrl": "{+observation}",
        },
    }


def _column_metadata(column: Column) -> dict[str, object]:
    described: dict[str, object] = {
        "name": column.name,
        "titles": column.name,
        "dc:description": column.description,
        "datatype": column.datatype,
        "required": column.name == "observation",
    }
    if column.several:
        described["separator"] = SEPARATOR
    if column.property_url is not None:
        described["propertyUrl"] = column.property_url
    return described


def indicator_table(reader: StoreReader, indicator: str) -> tuple[bytes, int]:
    """The rows of ``tipgraph.csv`` whose indicator is ``indicator`` (bound, never spliced), as
    CSV with the same header; and how many rows."""
    binding = {"indicator": indicator}
    labels = pick_labels(_values(reader.select(INDICATOR_LABELS, binding)))
    output = io.BytesIO()
    count = write_table(table_rows(_values(reader.select(INDICATOR_ROWS, binding)), labels), output)
    return output.getvalue(), count


def _values(solutions: list[dict[str, Node]]) -> Iterator[dict[str, str]]:
    return ({name: node.value for name, node in row.items()} for row in solutions)
