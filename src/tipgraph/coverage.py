"""Coverage: every numeral of a source text is a figure in the data or is listed as no statistic.

A numeral is *covered* when an observation derived from a quote that spans it states it
(``tip:statedValue`` overlaps the numeral inside the quote), or when a
``tip:NonStatisticalNumeral`` span (a year, an ordinal …) encloses it.
"""

from __future__ import annotations

import bisect
import functools
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
_UNITS = {
    word: Decimal(value)
    for value, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
        ]
    )
}
_TENS = {
    word: Decimal(10 * (value + 2))
    for value, word in enumerate(
        ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
    )
}
_MULTIPLIERS = {"dozen": Decimal(12), "hundred": Decimal(100)}
# Words that may stand before a number without changing its value (they are its qualifier).
QUALIFYING_WORDS = (
    "about",
    "approximately",
    "around",
    "roughly",
    "nearly",
    "almost",
    "close to",
    "more than",
    "over",
    "above",
    "at least",
    "up to",
    "less than",
    "fewer than",
)
_LEADING = re.compile(rf"^(?:{'|'.join(QUALIFYING_WORDS)})\s+", re.IGNORECASE)
_PERCENT = re.compile(r"\s*(?:%|per\s*cent\b)$", re.IGNORECASE)
_DIGITS = re.compile(
    r"(\d+(?:[.,]\d+)*)(?:\s+(thousand|million|billion)\b)?"
    r"(?:\s+(?!thousand\b|million\b|billion\b)[^\W\d_]+)*",  # a unit: "189,304.19 manats"
    re.IGNORECASE,
)


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


@functools.lru_cache(maxsize=4096)  # re's own cache holds 512: a large dataset thrashed it
def stated_value_pattern(stated: str) -> re.Pattern[str]:
    """Where a stated value stands as a whole word in a text ("6" is not in "468.000")."""
    return re.compile(rf"(?<![\w.,]){re.escape(stated)}(?![\w]|[.,]\d)")


def parse_numeral(numeral: str) -> Decimal | None:
    """The value a numeral states, or None when it is not a plain number.

    A numeral is digits or number words, with a scale ("million"), a percent sign and a
    qualifying word before it ("about", "more than"); digits may be followed by their unit
    ("40 countries", "527,000 manats"). Thousands separators are either commas or
    dots in the reports ("19,210", "3.740"); a dot followed by exactly three digits is read as a
    separator, otherwise as a decimal point. Anything else ("each one", "every fourth", "an
    agreement") is no plain number: its reading needs an interpretation.

    >>> parse_numeral("3.740"), parse_numeral("40.3 million"), parse_numeral("70 %")
    (Decimal('3740'), Decimal('40300000.0'), Decimal('70'))
    >>> parse_numeral("about twenty-one"), parse_numeral("a dozen"), parse_numeral("each one")
    (Decimal('21'), Decimal('12'), None)
    """
    text = " ".join(numeral.split())
    text = _LEADING.sub("", text)
    text = _PERCENT.sub("", text)
    digits = _DIGITS.fullmatch(text)
    if digits is None:
        return _parse_number_words(text)
    figure, scale = digits.groups()
    if re.fullmatch(r"\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*", figure):
        value = Decimal(re.sub(r"[.,]", "", figure))
    else:
        try:
            value = Decimal(figure.replace(",", ""))
        except InvalidOperation:
            return None
    return value * _SCALES[scale.lower()] if scale else value


def _parse_number_words(text: str) -> Decimal | None:
    """ "twenty-one", "a dozen", "two hundred and five", "three million"; else None."""
    words = [w for w in re.split(r"[\s-]+", text.lower()) if w]
    if len(words) > 1 and words[0] in ("a", "an") and words[1] in {*_MULTIPLIERS, *_SCALES}:
        words[0] = "one"
    total, current, seen = Decimal(0), Decimal(0), False
    for position, word in enumerate(words):
        if word in _UNITS or word in _TENS:
            current += _UNITS.get(word, _TENS.get(word, Decimal(0)))
        elif word in _MULTIPLIERS and seen:
            current *= _MULTIPLIERS[word]
        elif word in _SCALES and seen:
            total += current * _SCALES[word]
            current = Decimal(0)
        elif word == "and" and seen and position < len(words) - 1:
            continue
        else:
            return None
        seen = True
    return total + current if seen else None


_STATED_SPANS = """
SELECT ?source ?covering ?start ?end ?stated WHERE {
  {
    ?covering a qb:Observation ; tip:statedValue ?stated ; prov:wasDerivedFrom ?quote .
    ?quote oa:hasSource ?source ; oa:hasSelector ?position .
    ?position a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
  } UNION {
    # A draft figure accounts for its numeral too: validation refuses it on its own, once.
    ?covering a tip:DraftFigure ; tip:statedValue ?stated ; prov:wasDerivedFrom ?quote .
    ?quote oa:hasSource ?source ; oa:hasSelector ?position .
    ?position a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
  } UNION {
    ?covering a tip:NonStatisticalNumeral ; oa:hasSource ?source ; oa:hasSelector ?position .
    ?position a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
  }
}
"""


def check_coverage(assembled: AssembledDataset) -> list[CoverageReport]:
    """A coverage report for every source text in the dataset.

    The spans of every text are read in one query: bound to one text (a substitution), the
    query scanned the whole store all the same, so a load of 169 reports spent 200 s here.
    """
    spans: dict[str, list[_Span]] = {text.iri: [] for text in assembled.texts}
    solutions = assembled.store.query(
        sparql_prologue() + _STATED_SPANS, use_default_graph_as_union=True
    )
    assert isinstance(solutions, ox.QuerySolutions)
    for row in solutions:
        source, covering, start, end = (row[v] for v in ("source", "covering", "start", "end"))
        assert source is not None and covering is not None
        assert start is not None and end is not None
        if source.value in spans:
            stated = row["stated"]
            value = None if stated is None else stated.value
            spans[source.value].append(
                _Span(int(start.value), int(end.value), covering.value, value)
            )
    return [_coverage_of(text, spans[text.iri]) for text in assembled.texts]


@dataclass(frozen=True)
class _Span:
    """A passage of a text that something covers; a figure covers its stated value in it."""

    start: int
    end: int
    covering: str
    stated: str | None


def _coverage_of(source: SourceText, covered: list[_Span]) -> CoverageReport:
    spans: list[tuple[int, int, str]] = []  # (start, end, IRI) of what covers that span
    for span in covered:
        if span.stated is None:  # a listed non-statistical numeral covers its whole span
            spans.append((span.start, span.end, span.covering))
            continue
        pattern = stated_value_pattern(span.stated)
        for match in pattern.finditer(source.text, span.start, span.end):
            spans.append((*match.span(), span.covering))
    # Spans by start: a numeral looks only at those that can reach it (a text has thousands of
    # numerals and spans; comparing every pair grew with the square of the text).
    spans.sort()
    starts = [s for s, _, _ in spans]
    longest = max((e - s for s, e, _ in spans), default=0)
    numerals = []
    line, counted = 1, 0
    for start, end in find_numerals(source.text):
        line += source.text.count("\n", counted, start)
        counted = start
        column = start - (source.text.rfind("\n", 0, start) + 1) + 1
        near = spans[bisect.bisect_left(starts, start - longest) : bisect.bisect_left(starts, end)]
        covering = tuple(sorted({iri for s, e, iri in near if s < end and start < e}))
        numerals.append(
            Numeral(source.text[start:end], start, end, line, column, covered_by=covering)
        )
    return CoverageReport(source=source, numerals=tuple(numerals))
