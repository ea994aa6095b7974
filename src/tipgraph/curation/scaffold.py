"""``tipgraph new-report``: a report's folder, ready to curate and valid as created."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from tipgraph.curation.turtle import curie, literal, prefix_block, statement
from tipgraph.dataset import assemble_dataset
from tipgraph.errors import TipgraphError
from tipgraph.namespaces import ID, compact_iri, source_text_iri, sparql_prologue

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
STRUCTURE = f"{ID}structure/thb-statistics"
# The files of a report folder besides its text, and what each holds.
FILES = {
    "statistics.ttl": "Every figure of the report as a qb:Observation of its dataset.",
    "activities.ttl": "Activities, meetings and trainings the report describes.",
    "legal.ttl": "Laws, agreements and other legal acts the report names.",
    "plans.ttl": "National action plans, their goals and measures.",
}
_ORGANIZATIONS = """
SELECT DISTINCT ?org ?label WHERE {
  ?org a ?type . ?type rdfs:subClassOf* org:Organization .
  ?org skos:prefLabel|skos:altLabel|rdfs:label|skos:notation ?label
}"""


class ScaffoldError(TipgraphError):
    """A report folder that cannot be created as asked; the message says what to change."""


@dataclass(frozen=True)
class NewReport:
    """What ``tipgraph new-report`` is told about the report."""

    slug: str
    text: Path
    title: str
    publisher: str  # a label, notation or IRI of an organisation in data/reference/
    issued: int
    period: int
    language: str = "en"
    licence: str = CC_BY


def create_report(ontology_dir: Path, data_dir: Path, report: NewReport) -> list[Path]:
    """Create ``SLUG/`` in ``data_dir``: the text, ``report.ttl``, empty data files with their
    prefixes and ``NOTES.md``. Nothing is written when something is wrong."""
    if not SLUG.match(report.slug):
        raise ScaffoldError(
            f"{report.slug!r} is no folder name: use lowercase letters, digits and hyphens "
            "(e.g. az-mia-thb-2019)"
        )
    folder = data_dir / report.slug
    if folder.exists():
        raise ScaffoldError(f"{folder} exists already: choose another name, or remove it")
    text = normalised_text(report.text)
    reference = assemble_dataset(ontology_dir, [data_dir / "reference"]).store
    publisher = _publisher(reference, report.publisher)
    period = f"{ID}period/{report.period}"
    if not any(reference.quads_for_pattern(ox.NamedNode(period), None, None)):
        raise ScaffoldError(
            f"period:{report.period} is not in data/reference/periods.ttl: add it there "
            "(as period:2018 is described), then run this again"
        )
    files = {
        f"source.{report.language}.txt": text,
        "report.ttl": report_turtle(report, text, publisher),
        **{name: _empty(report.slug, what) for name, what in FILES.items()},
        "NOTES.md": notes(report),
    }
    folder.mkdir(parents=True)
    written = []
    for name, content in files.items():
        path = folder / name
        path.write_bytes(content.encode("utf-8"))
        written.append(path)
    return written


def normalised_text(path: Path) -> str:
    """The text of ``path``: UTF-8 (checked), without a byte order mark, lines ending in LF."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ScaffoldError(f"{path}: cannot read ({error.strerror})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ScaffoldError(
            f"{path}:{line}: not UTF-8 text (byte {error.start}: {error.reason}); save it as "
            "UTF-8 first"
        ) from None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ScaffoldError(f"{path}: the text is empty")
    return text if text.endswith("\n") else text + "\n"


def report_turtle(report: NewReport, text: str, publisher: str) -> str:
    """``report.ttl``: the report, its text (with its size and SHA-256) and its dataset."""
    slug, language = report.slug, report.language
    text_iri = source_text_iri(slug, language)
    data = text.encode("utf-8")
    head = (
        "# The report, its verbatim text, its quoted passages, the curators' interpretations, "
        "and the\n# numerals of the text that are not statistics. Offsets: 0-based code points "
        f"into source.{language}.txt.\n\n"
    )
    publisher_name, publisher_prefix = curie(publisher)
    prefixes = prefix_block(
        slug,
        [
            *("tip", "rdfs", "xsd", "skos", "dcterms", "dcat", "prov", "oa", "qb", "spdx"),
            *("agency", "period", "report", "dataset", "quote", "interpretation", "numeral"),
            "numeral-kind",
            *([publisher_prefix] if publisher_prefix else []),
        ],
    )
    the_report = statement(
        f"report:{slug}",
        "tip:AnnualReport",
        [
            ("dcterms:title", literal(report.title, "en")),
            ("skos:prefLabel", literal(report.title, "en")),
            ("dcterms:publisher", publisher_name),
            ("dcterms:issued", f'"{report.issued}"^^xsd:gYear'),
            ("dcterms:temporal", f"period:{report.period}"),
            ("dcterms:language", literal(language)),
            ("dcterms:hasFormat", f"<{text_iri}>"),
        ],
    )
    the_text = statement(
        f"<{text_iri}>",
        "tip:SourceText",
        [
            ("skos:prefLabel", literal(f"Text of the report ({language})", "en")),
            ("dcterms:isFormatOf", f"report:{slug}"),
            ("dcterms:language", literal(language)),
            ("dcterms:format", literal("text/plain; charset=utf-8")),
            ("dcat:mediaType", "<https://www.iana.org/assignments/media-types/text/plain>"),
            ("dcat:downloadURL", f"<{text_iri}.txt>"),
            ("dcat:accessURL", f"<{text_iri}.txt>"),
            ("dcat:byteSize", str(len(data))),
            (
                "spdx:checksum",
                "[ a spdx:Checksum ;\n        spdx:algorithm spdx:checksumAlgorithm_sha256 ;\n"
                f'        spdx:checksumValue "{hashlib.sha256(data).hexdigest()}" ]',
            ),
        ],
    )
    the_dataset = statement(
        f"dataset:{slug}",
        "qb:DataSet , dcat:Dataset",
        [
            ("dcterms:title", literal(f"Statistics of {report.title}", "en")),
            ("qb:structure", f"<{STRUCTURE}>"),
            ("dcterms:source", f"report:{slug}"),
            ("prov:wasDerivedFrom", f"report:{slug}"),
            ("dcterms:temporal", f"period:{report.period}"),
            ("dcterms:license", f"<{report.licence}>"),
        ],
    )
    return head + prefixes + "\n" + "\n".join([the_report, the_text, the_dataset])


def notes(report: NewReport) -> str:
    """``NOTES.md``: where the curators write down their decisions."""
    return f"""# {report.title}

Curators' notes on `data/{report.slug}/`: where the text comes from, how the report is dated,
and every reading that needed a decision. A reader checks the data against these notes.

## The text

- Source: (the publisher's page or document the text was copied from, and when)
- Language: {report.language} (say whether it is a translation)
- Changes: none (the text is verbatim; say so if anything was removed)

## Dating

- The report covers {report.period} and was issued in {report.issued}.
- "Last year", "the reporting period": (which year they mean, and why)

## Readings

| figure | decision | why | sure |
|---|---|---|---|

## Left open

- (what could not be decided, and what would decide it)
"""


def _empty(slug: str, what: str) -> str:
    names = ["tip", "rdfs", "xsd", "skos", "dcterms", "prov", "qb", "sdmx-dimension"]
    names += ["sdmx-measure", "sdmx-attribute", "agency", "organization", "country", "area"]
    names += ["period", "indicator", "exploitation", "qualifier", "unit", "dataset"]
    names += ["quote", "interpretation", "obs"]
    return f"# {what}\n\n" + prefix_block(slug, names)


def _publisher(reference: ox.Store, name: str) -> str:
    """The organisation in ``data/reference/`` that ``name`` names (its IRI, label or code)."""
    found: dict[str, set[str]] = {}
    solutions = reference.query(sparql_prologue() + _ORGANIZATIONS, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    for row in solutions:
        org, label = row["org"], row["label"]
        assert org is not None and label is not None
        found.setdefault(org.value, set()).add(label.value.casefold())
    wanted = name.strip().casefold()
    matches = [org for org, labels in found.items() if wanted in labels or org == name.strip()]
    if len(matches) == 1:
        return matches[0]
    near = sorted(
        compact_iri(org) for org, labels in found.items() if any(wanted in x for x in labels)
    )
    hint = f" (did you mean {', '.join(near[:5])}?)" if near else ""
    raise ScaffoldError(
        f"no single organisation in data/reference/ is called {name!r}{hint}: give its "
        "English name, its code (MIA) or its IRI, or add it to data/reference/organizations.ttl"
    )
