"""Fidelity: every figure is its words, and every numeral of a source text is accounted for.

SHACL checks that a stated value stands in its quote; it cannot read "40.3 million". These rules
read the words in Python, over the assembled store and the source texts, and report what they
find as validation results beside the shapes' own (``tipgraph validate`` runs both):

- the value is the words: ``sdmx-measure:obsValue`` is the number ``tip:statedValue`` states
  (digits with either thousands separator, decimals, scale words, number words, percent), unless
  an interpretation of the observation quotes the words and gives the value read;
- the qualifier is the words: a figure whose words qualify it ("about", "more than", "at least",
  "every fourth" …) is not exact, and a qualified figure's words say so;
- coverage: every numeral of every source text is stated by an observation or listed as a
  ``tip:NonStatisticalNumeral`` (see :mod:`tipgraph.coverage`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox

from tipgraph.coverage import (
    QUALIFYING_WORDS,
    CoverageReport,
    check_coverage,
    find_numerals,
    parse_numeral,
    stated_value_pattern,
)
from tipgraph.dataset import DRAFT_FILE, AssembledDataset
from tipgraph.locations import SubjectLines
from tipgraph.namespaces import ID, PREFIXES, SDMX_MEASURE, SHAPES, TIP, compact_iri
from tipgraph.namespaces import sparql_prologue as prologue
from tipgraph.validation import Severity, ValidationResult

VALUE_RULE = "tipgraph:ValueIsTheWords"
QUALIFIER_RULE = "tipgraph:QualifierIsTheWords"
COVERAGE_RULE = "tipgraph:EveryNumeralCovered"
CHECKLIST_RULE = "tipgraph:NothingLeftToDo"

QUALIFIER = f"{ID}qualifier/"
EXACT = f"{QUALIFIER}exact"
# Words before a numeral that qualify it, with the qualifier they give (the vocabulary's
# alternative labels add theirs); None: not exact, but no qualifier of its own.
TRIGGERS: dict[str, str | None] = {
    "about": "about",
    "approximately": "about",
    "around": "about",
    "roughly": "about",
    "nearly": "nearly",
    "almost": "nearly",
    "close to": "nearly",
    "more than": "more-than",
    "over": "more-than",
    "above": "more-than",
    "at least": "at-least",
    "up to": None,
    "less than": None,
    "fewer than": None,
    "every": None,  # "every fourth": a ratio, never an exact count
    "one in": None,
}
assert set(QUALIFYING_WORDS) <= set(TRIGGERS)

_OBSERVATIONS = """
SELECT ?observation ?stated ?value ?qualifier ?quote WHERE {
  ?observation a qb:Observation ; tip:statedValue ?stated ; sdmx-measure:obsValue ?value .
  OPTIONAL { ?observation tip:valueQualifier ?qualifier }
  OPTIONAL { ?observation prov:wasDerivedFrom/prov:value ?quote }
}
"""
_READINGS = """
SELECT ?observation ?text WHERE {
  ?observation a qb:Observation ; tip:interpretation ?interpretation .
  ?interpretation skos:prefLabel|skos:editorialNote ?text .
}
"""
_QUALIFIER_WORDS = """
SELECT ?qualifier ?word WHERE {
  ?qualifier skos:inScheme <https://w3id.org/tipgraph/id/scheme/value-qualifiers> ;
             skos:altLabel ?word .
}
"""
# A passage an interpretation quotes: 'each one', “468.000”, "Every fourth …" (an apostrophe
# inside a word, as in "Ministry's", neither opens nor closes one).
_QUOTED = re.compile(r"(?<!\w)(['\u2018\"\u201c])(.+?)['\u2019\"\u201d](?!\w)")
_HINT_COVERAGE = (
    "Add an observation whose tip:statedValue states it, or a `tip:NonStatisticalNumeral` with "
    "its reason (a year, an ordinal …) — `tipgraph locate` prints its selectors."
)


@dataclass
class _Figure:
    iri: str
    stated: str
    value: str
    qualifiers: set[str] = field(default_factory=set)
    quotes: list[str] = field(default_factory=list)
    readings: list[str] = field(default_factory=list)


def check_fidelity(assembled: AssembledDataset, root: Path | None = None) -> list[ValidationResult]:
    """The fidelity violations of the dataset: figures that are not their words, numerals of a
    source text that nothing accounts for."""
    place = _Places(assembled, root)
    figures = _figures(assembled.store)
    triggers = _triggers(assembled.store)
    results: list[ValidationResult] = []
    for figure in figures:
        results += _check_value(figure, place)
        results += _check_qualifier(figure, triggers, place)
    results += _check_coverage(assembled, place)
    results += _check_checklist(assembled.store, place)
    results += _finished_in_drafts(assembled, place)
    return results


@dataclass
class _Places:
    """Shows IRIs and files as the other results do, with the line a node is described on."""

    assembled: AssembledDataset
    root: Path | None
    lines: SubjectLines = field(default_factory=SubjectLines)

    def files(self, iri: str) -> tuple[str, ...]:
        return tuple(self.relative(f) for f in self.assembled.files_of(iri))

    def locations(self, iri: str) -> tuple[str, ...]:
        return tuple(
            f"{self.relative(file)}:{line}"
            for file in self.assembled.files_of(iri)
            if (line := self.lines.line_of(iri, file))
        )

    def relative(self, path: Path) -> str:
        if self.root is not None and path.is_relative_to(self.root):
            return str(path.relative_to(self.root))
        return str(path)

    def result(
        self, figure: _Figure, rule: str, path: str, value: str, message: str, hint: str
    ) -> ValidationResult:
        return ValidationResult(
            focus_node=compact_iri(figure.iri, {**PREFIXES, "shapes": SHAPES}),
            severity=Severity.VIOLATION,
            message=message,
            path=compact_iri(path),
            value=value,
            shape=rule,
            files=self.files(figure.iri),
            locations=self.locations(figure.iri),
            stated=figure.stated,
            quote=_excerpt(figure),
            hint=hint,
        )


def _rows(store: ox.Store, query: str) -> Iterable[ox.QuerySolution]:
    solutions = store.query(prologue() + query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    return solutions


def _figures(store: ox.Store) -> list[_Figure]:
    figures: dict[tuple[str, str, str], _Figure] = {}
    for row in _rows(store, _OBSERVATIONS):
        observation, stated, value = (row[v] for v in ("observation", "stated", "value"))
        assert observation is not None and stated is not None and value is not None
        key = (observation.value, stated.value, value.value)
        figure = figures.setdefault(key, _Figure(*key))
        if (qualifier := row["qualifier"]) is not None:
            figure.qualifiers.add(qualifier.value)
        if (quote := row["quote"]) is not None and quote.value not in figure.quotes:
            figure.quotes.append(quote.value)
    readings: dict[str, list[str]] = {}
    for row in _rows(store, _READINGS):
        observation, text = row["observation"], row["text"]
        assert observation is not None and text is not None
        readings.setdefault(observation.value, []).append(text.value)
    for figure in figures.values():
        figure.readings = readings.get(figure.iri, [])
    return sorted(figures.values(), key=lambda f: (f.iri, f.stated, f.value))


def _triggers(store: ox.Store) -> dict[str, str | None]:
    """Each qualifying word with the qualifier IRI it gives (None: only "not exact")."""
    triggers = {
        word: None if code is None else f"{QUALIFIER}{code}" for word, code in TRIGGERS.items()
    }
    for row in _rows(store, _QUALIFIER_WORDS):
        qualifier, word = row["qualifier"], row["word"]
        assert qualifier is not None and word is not None
        triggers[" ".join(word.value.lower().split())] = qualifier.value
    return triggers


def _check_value(figure: _Figure, place: _Places) -> list[ValidationResult]:
    try:
        value = Decimal(figure.value)
    except InvalidOperation:
        return []  # not a number at all: the shapes say so
    read = parse_numeral(figure.stated)
    if read == value or _explained(figure, value):
        return []
    shown = _number(value)
    if read is None:
        message = (
            f"The stated value “{figure.stated}” is no number tipgraph can read, and no "
            f"interpretation of this observation quotes it and gives the value read ({shown})."
        )
    else:
        slip = _scale_slip(read, value)
        message = (
            f"sdmx-measure:obsValue {shown} is not what its words say: the stated value "
            f"“{figure.stated}” reads {_number(read)}"
            + (
                f" (a scale slip: the value is {slip} too {'small' if read > value else 'large'})"
                if slip
                else ""
            )
            + "."
        )
    return [
        place.result(
            figure,
            VALUE_RULE,
            f"{SDMX_MEASURE}obsValue",
            figure.value,
            message,
            "Correct the value to what the words say; if the words are read otherwise on "
            "purpose, add a tip:Interpretation (tip:interpretation) whose label or note quotes "
            f"“{figure.stated}” and gives the value read.",
        )
    ]


def _explained(figure: _Figure, value: Decimal) -> bool:
    """Whether an interpretation quotes the words and, outside its quotes, gives ``value``.

    A stated numeral that reads as a number must be quoted as it is ('468.000'); words that do
    not ("each one") may be quoted within a longer passage ('… and each one was provided …').
    """
    words = figure.stated.casefold()
    plain = parse_numeral(figure.stated) is not None
    for text in figure.readings:
        quoted = [m[2].casefold() for m in _QUOTED.finditer(text)]
        if not any(q == words if plain else words in q for q in quoted):
            continue
        reading = _QUOTED.sub(" ", text)
        if any(parse_numeral(reading[s:e]) == value for s, e in find_numerals(reading)):
            return True
    return False


def _scale_slip(read: Decimal, value: Decimal) -> str | None:
    """ "1,000 times" when ``value`` is ``read`` off by a power of ten (40,300 for 40.3 million)."""
    if not read or not value:
        return None
    for power in range(1, 13):
        if read == value * 10**power or value == read * 10**power:
            return f"{10**power:,} times"
    return None


def _check_qualifier(
    figure: _Figure, triggers: dict[str, str | None], place: _Places
) -> list[ValidationResult]:
    said = _qualifying_words(figure, triggers)
    results = []
    for qualifier in sorted(figure.qualifiers):
        shown = compact_iri(qualifier, {"qualifier": QUALIFIER})
        if qualifier == EXACT and said:
            word = said[0]
            better = triggers[word]
            message = (
                f"tip:valueQualifier {shown}, but the words qualify the figure (“{word}”): an "
                "exact qualifier needs a bare numeral."
            )
            hint = (
                f"Use {compact_iri(better, {'qualifier': QUALIFIER})}: the words give it."
                if better
                else "Choose the qualifier that fits the words (qualifier:about for a ratio "
                "such as 'every fourth'), and explain the reading in a tip:Interpretation."
            )
        elif (
            qualifier != EXACT
            and qualifier.startswith(QUALIFIER)
            and not any(triggers[word] == qualifier for word in said)
        ):
            if _quoted_by_interpretation(figure):
                continue  # a reading of the words, explained
            words = " or ".join(f"“{w}”" for w, q in triggers.items() if q == qualifier)
            message = (
                f"tip:valueQualifier {shown}, but the words do not say so"
                + (f" (they say “{said[0]}”)" if said else "")
                + (f": expected {words} before the numeral." if words else ".")
            )
            hint = (
                "Use the qualifier the words give (qualifier:exact for a bare numeral), or "
                "explain the reading in a tip:Interpretation that quotes the words."
            )
        else:
            continue
        results.append(
            place.result(figure, QUALIFIER_RULE, f"{TIP}valueQualifier", shown, message, hint)
        )
    return results


@functools.lru_cache(maxsize=8)
def _trigger_patterns(words: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The qualifying ``words`` (longest first) inside a stated value, and just before one."""
    alternatives = "|".join(re.escape(w) for w in words)
    return (
        re.compile(rf"\b({alternatives})\b", re.IGNORECASE),
        re.compile(rf"\b({alternatives})\s+$", re.IGNORECASE),
    )


def _qualifying_words(figure: _Figure, triggers: dict[str, str | None]) -> list[str]:
    """The qualifying words in the stated value or just before it in its quote, first first."""
    words = tuple(sorted(triggers, key=len, reverse=True))
    inside, before = _trigger_patterns(words)
    found = [m[1].lower() for m in inside.finditer(figure.stated)]
    pattern = stated_value_pattern(figure.stated)
    # The words end just before the value: look back no further than they and some spaces reach
    # (a search from the start of a long quote read all of it, for every figure).
    reach = (len(words[0]) if words else 0) + 64
    for quote in figure.quotes:
        preceding = [
            before.search(quote, max(0, m.start() - reach), m.start())
            for m in pattern.finditer(quote)
        ]
        # A value that stands in its quote more than once may be any of them: the words
        # qualify it only when every one of them is qualified.
        if preceding and all(preceding):
            found += [match[1].lower() for match in preceding if match]
    return [" ".join(word.split()) for word in dict.fromkeys(found)]


def _quoted_by_interpretation(figure: _Figure) -> bool:
    words = figure.stated.casefold()
    return any(words in m[2].casefold() for text in figure.readings for m in _QUOTED.finditer(text))


def _check_coverage(assembled: AssembledDataset, place: _Places) -> list[ValidationResult]:
    results = []
    for report in check_coverage(assembled):
        source = place.relative(report.source.path)
        if report.missing and len(report.missing) == len(report.numerals):
            results.append(_not_curated(report, source))
            continue
        for numeral in report.missing:
            line = report.source.text.splitlines()[numeral.line - 1]
            results.append(
                ValidationResult(
                    focus_node=compact_iri(report.source.iri),
                    severity=Severity.VIOLATION,
                    message=(
                        f"The numeral “{numeral.text}” of the source text ({source}:"
                        f"{numeral.line}:{numeral.column}) is neither stated by an observation "
                        "nor listed as a non-statistical numeral."
                    ),
                    path=None,
                    value=numeral.text,
                    shape=COVERAGE_RULE,
                    files=(source,),
                    locations=(f"{source}:{numeral.line}",),
                    quote=_around(line, numeral.column - 1, numeral.column - 1 + len(numeral.text)),
                    hint=_HINT_COVERAGE,
                )
            )
    return results


_CHECKLIST = """
SELECT ?node ?kind ?item WHERE {
  { ?node tip:todo ?item BIND("todo" AS ?kind) }
  UNION { ?node tip:guess ?item BIND("guess" AS ?kind) }
  UNION { ?node a tip:DraftFigure BIND("draft" AS ?kind) }
}
"""
_CHECKLIST_WORDS = {
    "todo": ("To do: {item}", "Decide it, state it, then delete this tip:todo line."),
    "guess": (
        "A guess to check: {item}",
        "Confirm or correct the value it names, then delete this tip:guess line.",
    ),
    "draft": (
        "A draft figure, not yet an observation",
        "When its tip:todo and tip:guess lines are gone, make it `a qb:Observation`; "
        "`tipgraph accept` then moves it into statistics.ttl (its quote into report.ttl).",
    ),
}


def _check_checklist(store: ox.Store, place: _Places) -> list[ValidationResult]:
    """What a draft left for the curator: each tip:todo, each tip:guess, each draft figure."""
    results = []
    for row in _rows(store, _CHECKLIST):
        node, kind, item = row["node"], row["kind"], row["item"]
        assert node is not None and kind is not None
        message, hint = _CHECKLIST_WORDS[kind.value]
        results.append(
            ValidationResult(
                focus_node=compact_iri(node.value),
                severity=Severity.VIOLATION,
                message=message.format(item=item.value if item is not None else ""),
                path=compact_iri(f"{TIP}{kind.value}") if kind.value != "draft" else None,
                value=item.value if item is not None else None,
                shape=CHECKLIST_RULE,
                files=place.files(node.value),
                locations=place.locations(node.value),
                hint=hint,
            )
        )
    return results


_FINISHED = """
SELECT DISTINCT ?node WHERE {
  ?node a ?type .
  VALUES ?type { qb:Observation tip:NonStatisticalNumeral tip:Interpretation }
  FILTER NOT EXISTS { ?node tip:todo|tip:guess ?item }
}
"""


def _finished_in_drafts(assembled: AssembledDataset, place: _Places) -> list[ValidationResult]:
    """A draft.ttl still holding finished items: one warning each, saying to accept them."""
    drafts = {file for file in assembled.files if file.name == DRAFT_FILE}
    if not drafts:
        return []
    held: dict[Path, int] = {}
    for row in _rows(assembled.store, _FINISHED):
        node = row["node"]
        assert node is not None
        for file in drafts.intersection(assembled.files_of(node.value)):
            held[file] = held.get(file, 0) + 1
    return [
        ValidationResult(
            focus_node=place.relative(file),
            severity=Severity.WARNING,
            message=f"The draft holds {count} finished item(s), not yet in the report's files.",
            path=None,
            value=None,
            shape=CHECKLIST_RULE,
            files=(place.relative(file),),
            locations=(),
            hint=f"Run `tipgraph accept {file.parent.name}` to move them there.",
        )
        for file, count in sorted(held.items())
    ]


def _not_curated(report: CoverageReport, source: str) -> ValidationResult:
    """A text nothing accounts for yet (a report just created): one warning, not one violation
    per numeral. Its numerals are counted as not covered in the published coverage."""
    slug = Path(source).parent.name
    return ValidationResult(
        focus_node=compact_iri(report.source.iri),
        severity=Severity.WARNING,
        message=(
            f"The source text {source} is not curated yet: none of its {len(report.numerals)} "
            "numerals is stated by an observation or listed as a non-statistical numeral."
        ),
        path=None,
        value=None,
        shape=COVERAGE_RULE,
        files=(source,),
        locations=(f"{source}:1",),
        hint=f"Run `tipgraph draft {slug}`: it proposes a figure or a reason for each numeral.",
    )


def _excerpt(figure: _Figure) -> str | None:
    """The stated value in its quote, with some words around it."""
    pattern = stated_value_pattern(figure.stated)
    for quote in figure.quotes:
        match = pattern.search(quote)
        if match:
            return _around(quote, *match.span())
    return figure.quotes[0][:120] if figure.quotes else None


def _around(text: str, start: int, end: int, width: int = 60) -> str:
    first, last = max(0, start - width), min(len(text), end + width)
    return ("…" if first else "") + text[first:last].strip() + ("…" if last < len(text) else "")


def _number(value: Decimal) -> str:
    return f"{value.normalize():,f}"
