"""Every observation of the store as a table row with labelled dimensions: filtered, faceted,
sorted and exported the same way by every surface (the figures table, its CSV and JSON)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from tipgraph.describe import LABEL, labels
from tipgraph.namespaces import ID, QB, SDMX_ATTRIBUTE, SDMX_DIMENSION, TIP
from tipgraph.store.reader import StoreReader, is_iri
from tipgraph.wording import plural

# The columns a row is placed by, in the table's order, and the property each one reads.
DIMENSIONS: dict[str, str] = {
    "indicator": f"{TIP}indicator",
    "area": f"{SDMX_DIMENSION}refArea",
    "period": f"{SDMX_DIMENSION}refPeriod",
    "form": f"{TIP}exploitationForm",
    "unit": f"{SDMX_ATTRIBUTE}unitMeasure",
    "qualifier": f"{TIP}valueQualifier",
    "actor": f"{TIP}actor",
    "report": f"{QB}dataSet",
}
INTERPRETATION = f"{TIP}interpretation"
SORTABLE = ("indicator", "area", "period", "form", "value", "unit", "qualifier", "actor", "report")
DEFAULT_ORDER = ("indicator", "period", "area", "form")
EXACT = f"{ID}qualifier/exact"
PERCENT = f"{ID}unit/percent"
# One query per property, each an index lookup by predicate (a join on ?p, or on the
# observation's type, made the engine scan far more: 70 s instead of 7 s at 1M triples).
VALUES = "SELECT ?o ?value WHERE { ?o sdmx-measure:obsValue ?value }"
STATED = "SELECT ?o ?stated WHERE { ?o tip:statedValue ?stated }"
PLACE = "SELECT ?o ?x WHERE {{ ?o <{property}> ?x }}"
LABELS = f"""
SELECT ?x ?label WHERE {{{{ {{{{ SELECT DISTINCT ?x WHERE {{{{ ?o <{{property}}> ?x }}}} }}}}
  ?x {LABEL} ?label
}}}}"""
UNIT_WORDS = """
SELECT ?x ?label WHERE {
  { SELECT DISTINCT ?x WHERE { ?o sdmx-attribute:unitMeasure ?x } } ?x skos:altLabel ?label
}"""


# The columns of a download: each IRI with its label beside it.
RECORD_FIELDS = (
    "observation",
    "value",
    "display",
    "stated",
    *(f"{name}{suffix}" for name in DIMENSIONS for suffix in ("", "_label")),
    "interpretation",
    "interpretation_label",
)


class ViewError(ValueError):
    """A filter, sort or page that names nothing the table has; the message says what to do."""


@dataclass(frozen=True, order=True)
class Labelled:
    """A resource and its label in the reader's language."""

    label: str
    iri: str

    @property
    def key(self) -> str:
        """How a filter names it: the path under the dataset's ``id/``, else the whole IRI."""
        return self.iri[len(ID) :] if self.iri.startswith(ID) else self.iri


@dataclass(frozen=True)
class FigureRow:
    """One observation: its value as stated, and the resources that place it."""

    observation: str
    value: str
    number: float | None
    stated: str | None
    places: Mapping[str, tuple[Labelled, ...]]
    readings: tuple[Labelled, ...]
    unit_word: str = ""  # the unit as the number reads with it ("persons", "%")

    def first(self, dimension: str) -> Labelled | None:
        found = self.places.get(dimension, ())
        return found[0] if found else None

    @property
    def display(self) -> str:
        """The value as people read it: "about 60,000 manats", "356 persons"."""
        qualifier = self.first("qualifier")
        number = _format_number(self.number) if self.number is not None else self.value
        words = [number] + ([self.unit_word] if self.unit_word else [])
        if qualifier and qualifier.iri != EXACT:
            words.insert(0, qualifier.label.lower())
        return " ".join(words)

    def record(self) -> dict[str, object]:
        """The row for a download: each IRI with its label beside it."""
        record: dict[str, object] = {
            "observation": self.observation,
            "value": self.value,
            "display": self.display,
            "stated": self.stated or "",
        }
        for name in DIMENSIONS:
            found = self.places.get(name, ())
            record[name] = [x.iri for x in found]
            record[f"{name}_label"] = [x.label for x in found]
        record["interpretation"] = [x.iri for x in self.readings]
        record["interpretation_label"] = [x.label for x in self.readings]
        return record


@dataclass(frozen=True)
class Facet:
    """One dimension's values among the rows of a view, with how many rows each has."""

    name: str
    counts: list[tuple[Labelled, int]]


@dataclass(frozen=True)
class View:
    """The rows a request selects (all of them, sorted) and the facets of those rows."""

    rows: list[FigureRow]
    facets: list[Facet]
    filters: dict[str, list[Labelled]] = field(default_factory=dict)


def figure_rows(reader: StoreReader, languages: Sequence[str]) -> list[FigureRow]:
    """Every observation with a value, its dimensions labelled in ``languages``."""
    properties = [*DIMENSIONS.values(), INTERPRETATION]
    names: dict[str, str] = {}
    places: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for property_iri in properties:
        names |= labels(reader.select(LABELS.format(property=property_iri)), "x", languages)
        for row in reader.select(PLACE.format(property=property_iri)):
            places[row["o"].value][property_iri].add(row["x"].value)
    stated = {row["o"].value: row["stated"].value for row in reader.select(STATED)}
    words = _unit_words(reader, languages)

    known: dict[str, Labelled] = {}  # one object per resource, however many rows name it

    def one(iri: str) -> Labelled:
        found = known.get(iri)
        if found is None:
            found = known[iri] = Labelled(names[iri] if iri in names else _local(iri), iri)
        return found

    def labelled(iris: Iterable[str]) -> tuple[Labelled, ...]:
        return tuple(sorted(one(x) for x in iris))

    rows: dict[str, FigureRow] = {}
    for row in reader.select(VALUES):
        iri = row["o"].value
        if iri in rows:
            continue
        found = places.get(iri, {})
        number = _finite(row["value"].value)
        units = labelled(found.get(DIMENSIONS["unit"], ()))
        rows[iri] = FigureRow(
            observation=iri,
            value=row["value"].value,
            number=number,
            stated=stated.get(iri),
            places={name: labelled(found.get(p, ())) for name, p in DIMENSIONS.items()},
            readings=labelled(found.get(INTERPRETATION, ())),
            unit_word=_unit_word(units[0], words, number) if units else "",
        )
    return list(rows.values())


def select_view(
    rows: list[FigureRow], filters: Mapping[str, Sequence[str]], sort: str | None
) -> View:
    """The rows matching every filter (dimension → IRIs or local names), sorted by ``sort``
    (a column, ``-`` first for descending; default: indicator, period, area, form)."""
    chosen = {name: [resolve(rows, name, v) for v in values] for name, values in filters.items()}
    selected = [
        row
        for row in rows
        if all(
            any(x.iri == wanted.iri for x in row.places[name])
            for name, values in chosen.items()
            for wanted in values
        )
    ]
    return View(sort_rows(selected, sort), facets(selected), chosen)


def resolve(rows: Iterable[FigureRow], dimension: str, value: str) -> Labelled:
    """The resource a filter names: an IRI, its path under ``id/`` or its last segment."""
    if dimension not in DIMENSIONS:
        raise ViewError(f"no column {dimension!r}: filter by one of {', '.join(DIMENSIONS)}")
    known = {x.iri: x for row in rows for x in row.places[dimension]}
    candidates = [value, ID + value.lstrip("/")]
    for candidate in candidates:
        if candidate in known:
            return known[candidate]
    ending = [x for iri, x in known.items() if iri.rsplit("/", 1)[-1] == value]
    if len(ending) == 1:
        return ending[0]
    if is_iri(value) and ":" in value:
        return Labelled(_local(value), value)  # a real IRI no row has: an empty view
    raise ViewError(
        f"{dimension}={value!r} names no {dimension} of the figures: give an IRI, or a name "
        "as the facets link it"
    )


def sort_rows(rows: list[FigureRow], sort: str | None) -> list[FigureRow]:
    """``rows`` by the column ``sort`` names (``-value``: largest first), then the default
    order; a row without that column comes last either way."""
    column = (sort or "").removeprefix("-")
    if sort and column not in SORTABLE:
        raise ViewError(f"cannot sort by {sort!r}: sort by one of {', '.join(SORTABLE)}")
    ordered = sorted(rows, key=_default_key)
    if not column:
        return ordered
    present = [r for r in ordered if _sort_value(r, column) is not None]
    missing = [r for r in ordered if _sort_value(r, column) is None]
    present.sort(
        key=lambda r: _sort_value(r, column) or 0, reverse=sort is not None and sort[0] == "-"
    )
    return present + missing


def facets(rows: Iterable[FigureRow]) -> list[Facet]:
    """Per dimension, how many of ``rows`` have each value, most first."""
    counters: dict[str, Counter[Labelled]] = {name: Counter() for name in DIMENSIONS}
    for row in rows:
        for name in DIMENSIONS:
            counters[name].update(set(row.places[name]))
    return [
        Facet(name, sorted(counter.items(), key=lambda item: (-item[1], item[0].label.casefold())))
        for name, counter in counters.items()
    ]


def _default_key(row: FigureRow) -> tuple[str, ...]:
    return (
        *(x.label.casefold() if (x := row.first(name)) else "\uffff" for name in DEFAULT_ORDER),
        row.observation,
    )


def _sort_value(row: FigureRow, column: str) -> float | str | None:
    if column == "value":
        return row.number
    found = row.first(column)
    return found.label.casefold() if found else None


def _unit_words(reader: StoreReader, languages: Sequence[str]) -> dict[str, list[str]]:
    """Each unit's alternative labels in the reader's first language that has some."""
    found: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in reader.select(UNIT_WORDS):
        label = row["label"]
        found[row["x"].value][(label.language or "").split("-")[0]].append(label.value)
    chosen: dict[str, list[str]] = {}
    for unit, by_language in found.items():
        for language in [*languages, ""]:
            if by_language.get(language):
                chosen[unit] = sorted(by_language[language], key=lambda w: (len(w), w))
                break
    return chosen


def _unit_word(unit: Labelled, words: Mapping[str, list[str]], number: float | None) -> str:
    """The unit as it reads after ``number``: "%", "1 person", "356 persons", "manats"."""
    if unit.iri == PERCENT:
        return "%"
    singular = words[unit.iri][0] if unit.iri in words else unit.label.lower()
    if number == 1:
        return singular
    many = plural(singular)
    known = words.get(unit.iri, [])
    return many if not known or many in known else singular


def _format_number(number: float) -> str:
    return f"{number:,.0f}" if number == int(number) else f"{number:,}"


def _finite(lexical: str) -> float | None:
    try:
        value = float(lexical)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
