"""``tipgraph draft``: a proposal for every numeral of a report's text that nothing accounts for.

For each such numeral, the sentence it stands in becomes a ready ``tip:Quote`` (its selectors
computed, never typed), and the numeral either a ``tip:DraftFigure`` (the stated and the parsed
value, the qualifier its words give, a guessed period, the bodies the sentence names, and a
``tip:todo`` for each dimension left to the curator) or a ``tip:NonStatisticalNumeral`` (a year,
a span of years, an ordinal) whose kind is a ``tip:guess``. ``tipgraph validate`` refuses every
``tip:todo``, every ``tip:guess`` and every draft figure, one message each: the curator's work
is a checklist that shrinks to zero. The draft is read from everything in the report's folder
but ``draft.ttl`` itself, so a second run proposes only what is still missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox

from tipgraph.coverage import Numeral, check_coverage, parse_numeral
from tipgraph.curation.queries import rows
from tipgraph.curation.turtle import literal, prefix_block, quote_block, statement
from tipgraph.dataset import DRAFT_FILE, SourceText, assemble_dataset, rdf_files
from tipgraph.errors import TipgraphError
from tipgraph.fidelity import TRIGGERS
from tipgraph.namespaces import ID
from tipgraph.quoting import Selectors, locate_span

Names = dict[re.Pattern[str], str]  # a pattern of a body's name → the body's IRI
PERIODS = f"{ID}period/"
_YEAR = re.compile(r"(?:19|20)\d\d")
_YEAR_SPAN = re.compile(r"((?:19|20)\d\d)\s*[-–—]\s*((?:19|20)\d\d)")
_ORDINAL = re.compile(
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)-)?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth"
    r"|twentieth|thirtieth|hundredth)",
    re.IGNORECASE,
)
_RANGE = re.compile(r"(\d+\s*[-–]\s*\d+)\s+grades?\b", re.IGNORECASE)
_VAGUE = re.compile(r"hundreds|thousands|millions|billions|dozens", re.IGNORECASE)
# Where a sentence ends: after . ! ? and spaces, before a capital (Latin, Azerbaijani or
# Cyrillic), a digit or an opening quote, unless the dot ends an abbreviation ("Mr.", "No.").
_SENTENCE_END = re.compile(
    r"(?<!\bMr)(?<!\bMrs)(?<!\bDr)(?<!\bNo)(?<!\bArt)[.!?]\s+"
    r"(?=[A-ZÀ-ÖØ-ÞÇĞİŞƏА-ЯЁ0-9\"“«(])"
)
# How the report's words date a figure, with the period they give (the report's own year, or
# the five years up to it), as the curators of the 2018 report read them.
_REPORTING_YEAR = re.compile(
    r"last year|this year|reporting (?:period|year)|in the past year", re.IGNORECASE
)
_FIVE_YEARS = re.compile(r"(?:past|last) five years|period of implementation", re.IGNORECASE)
# The unit a noun just after a numeral suggests ("53 projects", "412,000 manats"), by the
# words of the 2018 report and their plain synonyms; values are units of the ontology's scheme.
_UNIT_WORDS = {
    "person": "people persons person victims victim children child foreigners parents pupils"
    " juveniles individuals women men girls boys citizens workers students employees officers"
    " migrants",
    "case": "crimes crime cases case convictions prosecutions proceedings offences offenses",
    "organization": "organizations organisations organization bodies associations ngos"
    " companies employers institutions",
    "event": "events meetings conferences seminars trainings sessions workshops lectures",
    "project": "projects project",
    "agreement": "agreements agreement contracts memoranda",
    "legal-act": "laws law decrees declarations decisions acts resolutions orders program"
    " programs programme programmes",
    "country": "countries country",
    "site": "sites site",
    "document": "materials documents letters",
    "criminal-group": "groups group",
    "measure": "measures",
    "territorial-unit": "cities regions districts",
    "azn": "manats manat azn",
}
_UNITS = {word: unit for unit, words in _UNIT_WORDS.items() for word in words.split()}
_REFERENCE = """
SELECT DISTINCT ?x ?label ?language WHERE {
  ?x a ?type . ?type rdfs:subClassOf* org:Organization .
  ?x skos:prefLabel|skos:altLabel|rdfs:label ?label
  BIND (LANG(?label) AS ?language)
}"""
_REPORT = """
SELECT $text ?report ?period ?start WHERE {
  ?report dcterms:hasFormat $text ; dcterms:temporal ?period .
  OPTIONAL { ?period dcat:startDate ?start }
}"""
_QUOTES = """
SELECT $text ?quote ?start ?end WHERE {
  ?quote a tip:Quote ; oa:hasSource $text ; oa:hasSelector ?position .
  ?position oa:start ?start ; oa:end ?end .
}"""


class DraftError(TipgraphError):
    """A report that cannot be drafted; the message says why."""


@dataclass
class Draft:
    """What a draft proposes for one source text."""

    slug: str
    text: SourceText
    quotes: dict[tuple[int, int], str] = field(default_factory=dict)  # span → quote name
    new_quotes: list[tuple[str, Selectors]] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)  # Turtle statements
    numerals: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.figures or self.numerals)

    def turtle(self) -> str:
        head = (
            f"# A draft by `tipgraph draft {self.slug}`: {len(self.figures)} figure(s) and "
            f"{len(self.numerals)} non-statistical numeral(s) to check.\n"
            "# Nothing here is published: `tipgraph validate` lists every tip:todo, tip:guess and\n"
            "# tip:DraftFigure. Complete each item here (a figure becomes a qb:Observation), then\n"
            f"# `tipgraph accept {self.slug}` moves the finished ones into statistics.ttl and\n"
            "# report.ttl; run the draft again for what is still missing.\n\n"
        )
        names = ["tip", "rdfs", "xsd", "prov", "oa", "qb", "sdmx-dimension", "sdmx-measure"]
        names += ["sdmx-attribute", "agency", "organization", "period", "qualifier", "unit"]
        names += ["indicator", "country", "exploitation", "post"]  # what the curator fills in
        names += ["numeral-kind", "report", "dataset", "quote", "numeral", "obs"]
        quotes = [
            quote_block(name, found, self.slug, self.text.iri) for name, found in self.new_quotes
        ]
        return (
            head
            + prefix_block(self.slug, names)
            + "\n"
            + "\n".join([*quotes, *self.figures, *self.numerals])
        )


def draft_report(ontology_dir: Path, data_dir: Path, slug: str) -> list[Draft]:
    """A draft for each source text of ``data_dir/slug``, from what its other files hold."""
    folder = data_dir / slug
    if not folder.is_dir():
        raise DraftError(f"{folder}: no such report folder (create it with tipgraph new-report)")
    files = [f for f in rdf_files(folder) if f.name != DRAFT_FILE]
    if not files:
        raise DraftError(f"{folder}: no report.ttl (create the folder with tipgraph new-report)")
    shared = [p for p in data_dir.iterdir() if p.is_dir() and not any(p.glob("source.*.txt"))]
    assembled = assemble_dataset(ontology_dir, [*shared, *files])  # the texts come with files
    names = _names(assembled.store)
    drafts = []
    for coverage in check_coverage(assembled):
        draft = Draft(slug, coverage.source, quotes=_quotes(assembled.store, coverage.source))
        dating = _dating(assembled.store, coverage.source)
        for numeral in _grouped(coverage.missing, coverage.source.text):
            _propose(draft, numeral, dating, names)
        drafts.append(draft)
    if not drafts:
        raise DraftError(f"{folder}: no source.<language>.txt to draft from")
    return drafts


def write_draft(folder: Path, drafts: Sequence[Draft]) -> Path | None:
    """Write ``draft.ttl`` (or delete it when nothing is left to propose); its path, or None."""
    path = folder / DRAFT_FILE
    proposals = [d for d in drafts if not d.empty]
    if not proposals:
        path.unlink(missing_ok=True)
        return None
    path.write_text("\n".join(d.turtle() for d in proposals), encoding="utf-8")
    return path


@dataclass(frozen=True)
class _Dating:
    report: str
    period: str  # the period the report covers
    year: int | None  # its first year
    known: frozenset[str]  # the periods data/reference/ describes, by local name


@dataclass(frozen=True)
class _Found:
    """A numeral to propose something for (a span of years is one)."""

    text: str
    start: int
    end: int
    line: int


def _grouped(missing: Iterable[Numeral], text: str) -> list[_Found]:
    """The missing numerals, a span ("2014–2018", "9-11 grades") as one."""
    found: list[_Found] = []
    for numeral in missing:
        if found and found[-1].start <= numeral.start < found[-1].end:
            continue  # the second number of a span already proposed
        span = _YEAR_SPAN.match(text, numeral.start) or _RANGE.match(text, numeral.start)
        end = span.end(1 if span.re is _RANGE else 0) if span else numeral.end
        found.append(_Found(text[numeral.start : end], numeral.start, end, numeral.line))
    return found


def _propose(draft: Draft, numeral: _Found, dating: _Dating, names: Names) -> None:
    text = draft.text.text
    sentence = _sentence(text, numeral.start)
    kind = _kind(numeral, text[sentence[0] : numeral.start], text[numeral.end : sentence[1]])
    if kind is not None:
        draft.numerals.append(_numeral(draft, numeral, kind))
        return
    quote = draft.quotes.get(sentence)
    if quote is None:
        quote = f"at-{sentence[0]}"
        draft.quotes[sentence] = quote
        draft.new_quotes.append((quote, locate_span(text, *sentence)))
    draft.figures.append(_figure(draft, numeral, quote, sentence, dating, names))


def _kind(numeral: _Found, before: str, after: str) -> tuple[str, str] | None:
    """The non-statistical kind a numeral seems to be, with why; None: perhaps a figure
    (``before`` and ``after``: the words of its sentence around it; "more than 2000" is no
    year, "one of the" no count)."""
    if _YEAR_SPAN.fullmatch(numeral.text):
        return "year-range", "a span of years"
    if re.match(r"\s*grades?\b", after):
        return "grade-range", "a range of school grades"
    if re.match(r"\s+(?:years?|months?|weeks?|days?)\b", after) and not before.rstrip().endswith(
        ("than", "about", "over")
    ):
        return "period-length", "the length of a period"
    if numeral.text.casefold() == "one" and re.match(r"\s+of\s+the\b", after):
        return "idiom", "“one of the …”: a phrase, not a count"
    if _YEAR.fullmatch(numeral.text) and _qualifier(before) is None:
        return "year", "four digits from 1900 to 2099: a year"
    if _ORDINAL.fullmatch(numeral.text):
        return "ordinal", "an ordinal word"
    if _VAGUE.fullmatch(numeral.text):
        return "vague-quantity", "a quantity in words that states no number"
    return None


def _numeral(draft: Draft, numeral: _Found, kind: tuple[str, str]) -> str:
    name, why = kind
    found = locate_span(draft.text.text, numeral.start, numeral.end)
    return statement(
        f"numeral:{numeral.start}",
        "tip:NonStatisticalNumeral",
        [
            ("rdfs:label", literal(f"Numeral “{numeral.text}” at {numeral.start} ({name})", "en")),
            ("tip:numeralKind", f"numeral-kind:{name}"),
            ("rdfs:comment", literal(f"“{numeral.text}”: {why}, not a count.", "en")),
            ("tip:guess", literal(f"kind: {why} (line {numeral.line}); check the sentence")),
            ("oa:hasSource", f"<{draft.text.iri}>"),
            ("oa:hasSelector", found.objects(indent=8)),
        ],
    )


def _figure(
    draft: Draft,
    numeral: _Found,
    quote: str,
    sentence: tuple[int, int],
    dating: _Dating,
    names: Names,
) -> str:
    text = draft.text.text
    words = text[sentence[0] : sentence[1]]
    percent = re.match(r"\s?%|\s?per\s?cent\b", text[numeral.end :])
    stated = numeral.text + (percent.group(0) if percent else "")
    value = parse_numeral(stated)
    qualifier = _qualifier(text[sentence[0] : numeral.start])
    period, period_why = _period(text, sentence, numeral, dating)
    lines = [
        ("rdfs:label", literal(f"Draft figure “{stated}” (line {numeral.line})", "en")),
        ("qb:dataSet", f"dataset:{draft.slug}"),
        ("tip:statedValue", literal(stated)),
    ]
    todo = ["indicator: what the figure counts (tip:indicator)"]
    if value is None:
        todo.append(
            f"value: “{stated}” is no plain number; give sdmx-measure:obsValue and a "
            "tip:Interpretation of the words"
        )
    else:
        lines.append(("sdmx-measure:obsValue", _decimal(value)))
    lines.append(("tip:valueQualifier", f"qualifier:{qualifier or 'exact'}"))
    lines.append(("sdmx-dimension:refPeriod", period))
    unit = "percent" if percent else _unit(text[numeral.end : sentence[1]])
    if unit is not None:
        lines.append(("sdmx-attribute:unitMeasure", f"unit:{unit}"))
    else:
        todo.append("unit: what one of the value is (sdmx-attribute:unitMeasure)")
    todo += [
        "area: where (sdmx-dimension:refArea)",
        "form: the form of exploitation counted (tip:exploitationForm)",
    ]
    guesses = [f"period: {period_why}"]
    if unit is not None and not percent:
        guesses.append(f"unit: {unit}, from the words after the number; is it what is counted?")
    actors = sorted({iri for name, iri in names.items() if name.search(words)})
    if actors:
        lines.append(("tip:actor", " , ".join(f"<{iri}>" for iri in actors)))
        guesses.append("actor: the bodies the sentence names; keep those that did what is counted")
    lines.append(("prov:wasDerivedFrom", f"quote:{quote}"))
    lines += [("tip:todo", literal(item)) for item in todo]
    lines += [("tip:guess", literal(item)) for item in guesses]
    return statement(f"obs:at-{numeral.start}", "tip:DraftFigure", lines)


def _qualifier(before: str) -> str | None:
    """The qualifier the words just before a numeral give ("about 70" → about)."""
    tail = before.rstrip().casefold()
    for words, qualifier in sorted(TRIGGERS.items(), key=lambda item: -len(item[0])):
        if qualifier and re.search(rf"\b{re.escape(words)}$", tail):
            return qualifier
    return None


def _unit(after: str) -> str | None:
    """The unit the first nouns after a numeral name, up to the next punctuation mark."""
    words = re.match(r"[^,.;:!?()–—]*", after)
    for word in (words.group(0) if words else "").split()[:4]:
        unit = _UNITS.get(word.casefold())
        if unit is not None:
            return unit
    return None


def _period(
    text: str, sentence: tuple[int, int], numeral: _Found, dating: _Dating
) -> tuple[str, str]:
    """The period a figure is dated to, and why (always a guess): a cue in its sentence ("in
    2017", "last year", "over the past five years", "2019–2023"), else the last cue before it
    in its section (the lines since the last blank line), else the report's period."""
    section = text.rfind("\n\n", 0, sentence[0])
    section = 0 if section < 0 else section + 2
    cues = [c for c in _cues(text, section, sentence[1], dating) if c[0] != numeral.start]
    inside = [c for c in cues if c[0] >= sentence[0]]
    before = [c for c in cues if c[0] < sentence[0]]
    own = dating.period.rsplit("/", 1)[-1]
    if inside:
        chosen = min(inside, key=lambda c: abs(c[0] - numeral.start))
        where = "in its sentence"
    elif before:
        chosen = before[-1]
        where = f"earlier in its section (line {text.count(chr(10), 0, chosen[0]) + 1})"
    else:
        return f"period:{own}", "the section gives no date: the report's period"
    _, local, cue = chosen
    if local not in dating.known:
        return (
            f"period:{own}",
            f"{cue} {where} would give {local}, which is not in data/reference/periods.ttl: "
            "the report's period until it is added",
        )
    return f"period:{local}", f"{cue} {where} read as {local}"


def _cues(text: str, start: int, end: int, dating: _Dating) -> list[tuple[int, str, str]]:
    """Where the words between ``start`` and ``end`` date something, the period they give, and
    the words, in order."""
    own = dating.period.rsplit("/", 1)[-1]
    cues: list[tuple[int, str, str]] = []
    spans = [(m.start(), m.end()) for m in _YEAR_SPAN.finditer(text, start, end)]
    for m in _YEAR_SPAN.finditer(text, start, end):
        cues.append((m.start(), f"{m[1]}-{m[2]}", f"“{m[0]}”"))
    for m in _FIVE_YEARS.finditer(text, start, end):
        if dating.year is not None:
            cues.append((m.start(), f"{dating.year - 4}-{dating.year}", f"“{m[0]}”"))
    for m in _REPORTING_YEAR.finditer(text, start, end):
        cues.append((m.start(), own, f"“{m[0]}”"))
    for m in re.finditer(r"\b(?:in|of|for|during) ((?:19|20)\d\d)\b", text[start:end]):
        at = start + m.start(1)
        published = re.search(
            r"(?:published|issued|adopted|signed)\s*$", text[start : start + m.start()]
        )
        if not any(a <= at < b for a, b in spans) and not published:
            cues.append((at, m[1], f"“{m[0]}”"))
    return sorted(cues)


def _sentence(text: str, at: int) -> tuple[int, int]:
    """The span of the sentence around offset ``at`` (never across a line break)."""
    line_start = text.rfind("\n", 0, at) + 1
    line_end = text.find("\n", at)
    line_end = len(text) if line_end < 0 else line_end
    start = line_start
    for end in _SENTENCE_END.finditer(text, line_start, line_end):
        if end.end() > at:
            return start, end.start() + 1
        start = end.end()
    return start, line_end


def _dating(store: ox.Store, text: SourceText) -> _Dating:
    found = rows(store, _REPORT, {"text": ox.NamedNode(text.iri)})
    if not found:
        raise DraftError(f"{text.path}: no report has this text as dcterms:hasFormat")
    row = found[0]
    start = row.get("start")
    known = frozenset(
        r["p"].rsplit("/", 1)[-1]
        for r in rows(store, "SELECT ?p WHERE { ?p a time:ProperInterval }", {})
        if r["p"].startswith(PERIODS)
    )
    return _Dating(row["report"], row["period"], int(start[:4]) if start else None, known)


def _quotes(store: ox.Store, text: SourceText) -> dict[tuple[int, int], str]:
    quotes = rows(store, _QUOTES, {"text": ox.NamedNode(text.iri)})
    return {(int(r["start"]), int(r["end"])): r["quote"].rsplit("/", 1)[-1] for r in quotes}


def _names(store: ox.Store) -> Names:
    """A pattern for every name of a body in the reference data (any language) → its IRI.
    Azerbaijani names may carry a case ending ("Daxili İşlər Nazirliyinin"); names in other
    languages match as written (a Russian name in another case than the reference's is missed)."""
    names: Names = {}
    for row in rows(store, _REFERENCE, {}):
        label = row["label"]
        if len(label) > 3:
            ending = r"\w{0,5}" if row.get("language") == "az" else ""
            names[re.compile(rf"\b{re.escape(label)}{ending}\b", re.IGNORECASE)] = row["x"]
    return names


def _decimal(value: Decimal) -> str:
    normal = value.normalize()
    return f"{normal:f}" if normal == normal.to_integral() else str(normal)
