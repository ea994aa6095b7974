"""Coverage: every numeral of a source text is a figure in the data or is listed as no statistic.

A numeral is *covered* when an observation derived from a quote that spans it states it
(``tip:statedValue`` overlaps the numeral inside the quote), or when a
``tip:NonStatisticalNumeral`` span (a year, an ordinal …) encloses it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from tipgraph.dataset import AssembledDataset, SourceText
from tipgraph.namespaces import sparql_prologue

_CARDINALS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety "
    "hundred hundreds thousand thousands million millions billion billions dozen dozens"
)
_ORDINALS = (
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "twentieth thirtieth hundredth"
)
_WORD = "|".join(sorted((_CARDINALS + " " + _ORDINALS).split(), key=len, reverse=True))
_SCALE = r"(?:\s+(?:million|billion|thousand)\b)?"
NUMERAL = re.compile(
    rf"(?<![\w.,])\d+(?:[.,]\d+)*{_SCALE}"  # 17,880 · 3.740 · 40.3 million · 2014
    rf"|\b(?:{_WORD})(?:-(?:{_WORD}))*\b",  # every fourth · twenty-first · one
    re.IGNORECASE,
)
_SCALES = {"thousand": Decimal(1_000), "million": Decimal(1_000_000), "billion": Decimal(10**9)}
_WORD_VALUES = {
    word: Decimal(value)
    for value, word in enumerate(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
    )
}


@dataclass(frozen=True)
class Numeral:
    """A numeral found in a source text, with where it stands and what covers it."""

    text: str
    start: int
    end: int
    line: int
    column: int
    covered_by: tuple[str, ...]

    @property
    def covered(self) -> bool:
        return bool(self.covered_by)


@dataclass(frozen=True)
class CoverageReport:
    """Every numeral of one source text."""

    source: SourceText
    numerals: tuple[Numeral, ...]

    @property
    def missing(self) -> tuple[Numeral, ...]:
        return tuple(n for n in self.numerals if not n.covered)


def find_numerals(text: str) -> list[tuple[int, int]]:
    """The spans of every numeral (digits, or number words) in ``text``."""
    return [match.span() for match in NUMERAL.finditer(text)]


def stated_value_pattern(stated: str) -> re.Pattern[str]:
    """Where a stated value stands as a whole word in a text ("6" is not in "468.000")."""
    return re.compile(rf"(?<![\w.,]){re.escape(stated)}(?![\w]|[.,]\d)")


def parse_numeral(numeral: str) -> Decimal | None:
    """The value a numeral states, or None when it is not a plain number.

    Thousands separators are either commas or dots in the reports ("19,210", "3.740"); a dot
    followed by exactly three digits is read as a separator, otherwise as a decimal point.

    >>> parse_numeral("3.740"), parse_numeral("40.3 million"), parse_numeral("70 %")
    (Decimal('3740'), Decimal('40300000.0'), Decimal('70'))
    """
    match = re.search(r"\d+(?:[.,]\d+)*(?:\s+(million|billion|thousand)\b)?", numeral)
    if match is None:
        return _WORD_VALUES.get(numeral.strip().lower())
    digits = match.group(0).split()[0]
    if re.fullmatch(r"\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*", digits):
        value = Decimal(re.sub(r"[.,]", "", digits))
    else:
        try:
            value = Decimal(digits.replace(",", ""))
        except InvalidOperation:
            return None
    scale = match.group(1)
    return value * _SCALES[scale.lower()] if scale else value


_STATED_SPANS = """
SELECT ?source ?covering ?start ?end ?stated WHERE {
  {
    ?covering a qb:Observation ; tip:statedValue ?stated ; prov:wasDerivedFrom ?quote .
    ?quote oa:hasSource ?source ; oa:hasSelector ?position .
    ?position a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
  } UNION {
    ?covering a tip:NonStatisticalNumeral ; oa:hasSource ?source ; oa:hasSelector ?position .
    ?position a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
  }
}
"""


def check_coverage(assembled: AssembledDataset) -> list[CoverageReport]:
    """A coverage report for every source text in the dataset."""
    return [_coverage_of(assembled.store, text) for text in assembled.texts]


def _coverage_of(store: ox.Store, source: SourceText) -> CoverageReport:
    spans: list[tuple[int, int, str]] = []  # (start, end, IRI) of what covers that span
    solutions = store.query(
        sparql_prologue() + _STATED_SPANS,
        substitutions={ox.Variable("source"): ox.NamedNode(source.iri)},
        use_default_graph_as_union=True,
    )
    assert isinstance(solutions, ox.QuerySolutions)
    for row in solutions:
        covering, start, end, stated = (row[v] for v in ("covering", "start", "end", "stated"))
        assert covering is not None and start is not None and end is not None
        first, last = int(start.value), int(end.value)
        if stated is None:  # a listed non-statistical numeral covers its whole span
            spans.append((first, last, covering.value))
            continue
        for match in stated_value_pattern(stated.value).finditer(source.text, first, last):
            spans.append((*match.span(), covering.value))
    numerals = []
    for start, end in find_numerals(source.text):
        line = source.text.count("\n", 0, start) + 1
        column = start - (source.text.rfind("\n", 0, start) + 1) + 1
        covering = tuple(sorted({iri for s, e, iri in spans if s < end and start < e}))
        numerals.append(
            Numeral(source.text[start:end], start, end, line, column, covered_by=covering)
        )
    return CoverageReport(source=source, numerals=tuple(numerals))
