"""The proof a load publishes: its SHACL report, its coverage and the validation that made them.

Three files beside the dumps, each described in the catalog with the W3C Data Quality
Vocabulary (DQV) and PROV-O:

- ``validation.ttl``: the ``sh:ValidationReport`` pyshacl produced, blank nodes labelled from
  their content (equal data and shapes, equal bytes), ``prov:wasGeneratedBy`` the activity;
- ``coverage.ttl``: per source text, how many numerals it holds and how many of them the data
  states or lists as no statistic (``dqv:QualityMeasurement``s);
- ``validation-activity.ttl``: the ``prov:Activity`` itself: when it ran, with which software
  (pyshacl's and tipgraph's versions), against which shapes files (their SHA-256) and how many
  shapes. It alone carries times, so only it differs between two loads of equal data.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from tipgraph.canonical import canonical_quads
from tipgraph.coverage import CoverageReport
from tipgraph.export import DumpFile
from tipgraph.namespaces import (
    BASE,
    DCAT,
    DCTERMS,
    ID,
    OA,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SH,
    SHAPES,
    SHAPES_GRAPH,
    SKOS,
    VOID,
    XSD,
)
from tipgraph.namespaces import PREFIXES as NAMESPACE_PREFIXES
from tipgraph.validation import Severity, ValidationReport

DOCUMENT = f"{BASE}dataset"
DATASET = f"{DOCUMENT}#dataset"
DUMPS_BASE = f"{BASE}dumps/"
DQV = "http://www.w3.org/ns/dqv#"
LDQD = "http://www.w3.org/2016/05/ldqd#"  # the quality dimensions DQV's note proposes
SPDX = "http://spdx.org/rdf/terms#"
IANA = "https://www.iana.org/assignments/media-types/"

VALIDATION_FILE = "validation.ttl"
COVERAGE_FILE = "coverage.ttl"
ACTIVITY_FILE = "validation-activity.ttl"
FILES = (VALIDATION_FILE, COVERAGE_FILE, ACTIVITY_FILE)
ROLE = "validation"  # DumpFile.role of these files: listed with the dumps, not data

TITLES = {
    VALIDATION_FILE: "SHACL validation report",
    COVERAGE_FILE: "Numeral coverage of each source text",
    ACTIVITY_FILE: "The validation activity: when, with what software, against which shapes",
}
ACTIVITY = f"{DOCUMENT}#validation"
ANNOTATION = f"{DOCUMENT}#validation-annotation"
ENGINE = f"{DOCUMENT}#software-pyshacl"
SOFTWARE = f"{DOCUMENT}#software-tipgraph"
SHAPE_COUNT = f"{DOCUMENT}#shapes-count"
CONFORMANCE = f"{DOCUMENT}#conformance"
FOUND = f"{DOCUMENT}#numerals-found"
COVERED = f"{DOCUMENT}#numerals-covered"
METRIC_CONFORMANCE = f"{DOCUMENT}#metric-shacl-conformance"
METRIC_FOUND = f"{DOCUMENT}#metric-numerals-found"
METRIC_COVERED = f"{DOCUMENT}#metric-numerals-covered"
SHAPE_CLASSES = (f"{SH}NodeShape", f"{SH}PropertyShape")
PREFIXES = {
    "dataset": f"{DOCUMENT}#",
    "dqv": DQV,
    "ldqd": LDQD,
    "spdx": SPDX,
    "shapes": SHAPES,
    **NAMESPACE_PREFIXES,
}


@dataclass(frozen=True)
class ShapesFile:
    """One file of SHACL shapes the data was checked against."""

    path: str  # relative to the checkout: shapes/statistics.ttl
    sha256: str


@dataclass(frozen=True)
class TextCoverage:
    """The numerals of one source text, and how many of them the data accounts for."""

    text: str  # the source text's IRI
    path: str
    found: int
    covered: int


@dataclass(frozen=True)
class Validation:
    """What a load checked, against what, with what, when, and what came out."""

    conforms: bool
    report_turtle: str
    violations: int
    warnings: int
    shapes: int
    shapes_files: tuple[ShapesFile, ...]
    coverage: tuple[TextCoverage, ...]
    started: str  # xsd:dateTime, UTC
    ended: str
    engine_version: str
    tipgraph_version: str

    @classmethod
    def of(
        cls,
        report: ValidationReport,
        coverage: Sequence[CoverageReport],
        *,
        shapes: int,
        shapes_files: Iterable[Path],
        root: Path,
        started: str,
        ended: str,
    ) -> Validation:
        def relative(path: Path) -> str:
            return str(path.relative_to(root)) if path.is_relative_to(root) else path.name

        return cls(
            conforms=report.conforms,
            report_turtle=report.report_turtle,
            violations=report.violations,
            warnings=sum(1 for r in report.results if r.severity is Severity.WARNING),
            shapes=shapes,
            shapes_files=tuple(
                ShapesFile(relative(file), _file_hash(file)) for file in sorted(shapes_files)
            ),
            coverage=tuple(
                TextCoverage(
                    c.source.iri,
                    relative(c.source.path),
                    len(c.numerals),
                    len(c.numerals) - len(c.missing),
                )
                for c in sorted(coverage, key=lambda c: c.source.iri)
            ),
            started=started,
            ended=ended,
            engine_version=_version("pyshacl"),
            tipgraph_version=_version("tipgraph"),
        )

    @property
    def found(self) -> int:
        return sum(c.found for c in self.coverage)

    @property
    def covered(self) -> int:
        return sum(c.covered for c in self.coverage)

    @property
    def summary(self) -> Summary:
        return Summary(self.conforms, self.shapes, self.ended, self.found, self.covered)


def count_shapes(store: ox.Store) -> int:
    """The shapes in the shapes graph of ``store``: node shapes and typed property shapes."""
    values = " ".join(f"<{kind}>" for kind in SHAPE_CLASSES)
    solutions = store.query(
        f"SELECT (COUNT(DISTINCT ?s) AS ?n) {{ GRAPH <{SHAPES_GRAPH}> {{ ?s a ?kind }} "
        f"VALUES ?kind {{ {values} }} }}"
    )
    assert isinstance(solutions, ox.QuerySolutions)
    return int(next(iter(solutions))["n"].value)


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _typed(value: object, datatype: str) -> ox.Literal:
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return ox.Literal(text, datatype=_n(f"{XSD}{datatype}"))


def _en(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


class _Triples:
    """Collects triples; an object given as a str is an IRI."""

    def __init__(self) -> None:
        self.triples: list[ox.Triple] = []

    def add(
        self,
        subject: str | ox.BlankNode,
        predicate: str,
        obj: str | ox.NamedNode | ox.Literal | ox.BlankNode,
    ) -> None:
        node = _n(subject) if isinstance(subject, str) else subject
        term = _n(obj) if isinstance(obj, str) else obj
        self.triples.append(ox.Triple(node, _n(predicate), term))


def _checksum(out: _Triples, subject: str, sha256: str) -> None:
    node = ox.BlankNode(f"checksum-{hashlib.sha256(subject.encode()).hexdigest()[:12]}")
    out.add(subject, f"{SPDX}checksum", node)
    out.add(node, f"{RDF}type", f"{SPDX}Checksum")
    out.add(node, f"{SPDX}algorithm", f"{SPDX}checksumAlgorithm_sha256")
    out.add(node, f"{SPDX}checksumValue", _typed(sha256, "hexBinary"))


@dataclass(frozen=True)
class Summary:
    """What /dataset says about the validation, as the description states it."""

    conforms: bool
    shapes: int
    ended: str
    found: int
    covered: int
    files: tuple[str, ...] = ()  # the download URLs of the published files

    @property
    def sentence(self) -> str:
        """The one line that says what the gate found."""
        verdict = "conforms" if self.conforms else "does not conform"
        if self.found == self.covered:
            coverage = "every numeral of the source text covered"
        else:
            coverage = f"{self.found - self.covered} numeral(s) of the source text not covered"
        return (
            f"Validated on {self.ended[:10]} against {self.shapes} shapes: {verdict}; "
            f"{coverage} ({self.covered} of {self.found})."
        )


SUMMARY = f"""SELECT ?conforms ?shapes ?ended ?found ?covered {{
  <{DATASET}> <{DQV}hasQualityMeasurement> ?c, ?f, ?v .
  ?c <{DQV}isMeasurementOf> <{METRIC_CONFORMANCE}> ; <{DQV}value> ?conforms .
  ?f <{DQV}isMeasurementOf> <{METRIC_FOUND}> ; <{DQV}value> ?found .
  ?v <{DQV}isMeasurementOf> <{METRIC_COVERED}> ; <{DQV}value> ?covered .
  <{ACTIVITY}> <{PROV}endedAtTime> ?ended .
  <{SHAPES_GRAPH}> <{VOID}classPartition> ?part . ?part <{VOID}entities> ?shapes
}} LIMIT 1"""
BODIES = f"""SELECT ?url {{ <{DATASET}> <{DQV}hasQualityAnnotation> ?annotation .
  ?annotation <{OA}hasBody> ?body . ?body <{DCAT}downloadURL> ?url }} ORDER BY ?url"""


def read_summary(description: ox.Store) -> Summary | None:
    """The validation a dataset description states (None: the version was not validated)."""
    solutions = description.query(SUMMARY)
    assert isinstance(solutions, ox.QuerySolutions)
    for row in solutions:
        bodies = description.query(BODIES)
        assert isinstance(bodies, ox.QuerySolutions)
        return Summary(
            conforms=row["conforms"].value == "true",
            shapes=int(row["shapes"].value),
            ended=row["ended"].value,
            found=int(row["found"].value),
            covered=int(row["covered"].value),
            files=tuple(body["url"].value for body in bodies),
        )
    return None


def metric_triples() -> list[ox.Triple]:
    """The DQV metrics the measurements are of, each in an LDQD dimension."""
    out = _Triples()
    for metric, label, definition, datatype, dimension in (
        (
            METRIC_CONFORMANCE,
            "SHACL conformance",
            "Whether the data conforms to tipgraph's SHACL shapes (sh:conforms).",
            "boolean",
            "semanticAccuracy",
        ),
        (
            METRIC_FOUND,
            "Numerals in the source text",
            "How many numerals (digits or number words) the verbatim source text holds.",
            "integer",
            "completeness",
        ),
        (
            METRIC_COVERED,
            "Numerals covered by the data",
            "How many numerals of the source text an observation states, or the data lists "
            "as a numeral that is no statistic (a year, an ordinal …).",
            "integer",
            "completeness",
        ),
    ):
        out.add(metric, f"{RDF}type", f"{DQV}Metric")
        out.add(metric, f"{SKOS}prefLabel", _en(label))
        out.add(metric, f"{SKOS}definition", _en(definition))
        out.add(metric, f"{DQV}expectedDataType", f"{XSD}{datatype}")
        out.add(metric, f"{DQV}inDimension", f"{LDQD}{dimension}")
    return out.triples


def _measurement(
    out: _Triples, node: str, metric: str, on: str, value: ox.Literal, *, link: bool = False
) -> None:
    out.add(node, f"{RDF}type", f"{DQV}QualityMeasurement")
    out.add(node, f"{DQV}isMeasurementOf", metric)
    out.add(node, f"{DQV}computedOn", on)
    out.add(node, f"{DQV}value", value)
    out.add(node, f"{PROV}wasGeneratedBy", ACTIVITY)
    if link:
        out.add(on, f"{DQV}hasQualityMeasurement", node)


def measurement_triples(validation: Validation) -> list[ox.Triple]:
    """The dataset's measurements: conformance, numerals found and covered in all texts."""
    out = _Triples()
    _measurement(
        out, CONFORMANCE, METRIC_CONFORMANCE, DATASET, _typed(validation.conforms, "boolean"),
        link=True,
    )  # fmt: skip
    _measurement(out, FOUND, METRIC_FOUND, DATASET, _typed(validation.found, "integer"), link=True)
    covered = _typed(validation.covered, "integer")
    _measurement(out, COVERED, METRIC_COVERED, DATASET, covered, link=True)
    return out.triples


def coverage_triples(validation: Validation) -> list[ox.Triple]:
    """Per source text, its numerals found and covered (``coverage.ttl``)."""
    out = _Triples()
    for text in validation.coverage:
        slug = re.sub(r"[^A-Za-z0-9_.-]", "-", text.text.removeprefix(ID))
        out.add(text.text, f"{RDFS}label", ox.Literal(text.path))
        for kind, metric, value in (
            ("found", METRIC_FOUND, text.found),
            ("covered", METRIC_COVERED, text.covered),
        ):
            node = f"{DOCUMENT}#numerals-{kind}-{slug}"
            _measurement(out, node, metric, text.text, _typed(value, "integer"), link=True)
    return metric_triples() + out.triples


def activity_triples(validation: Validation, generated: Iterable[str] = ()) -> list[ox.Triple]:
    """The validation as a ``prov:Activity``: times, software, shapes files and their count."""
    out = _Triples()
    out.add(ACTIVITY, f"{RDF}type", f"{PROV}Activity")
    out.add(ACTIVITY, f"{RDFS}label", _en("Validation of the data before it was loaded"))
    out.add(
        ACTIVITY,
        f"{RDFS}comment",
        _en(
            "The data was checked against tipgraph's SHACL shapes (pyshacl: SHACL Core, "
            "SHACL-SPARQL) and every numeral of each source text was looked for in the data; "
            "a load stops on any violation."
        ),
    )
    out.add(ACTIVITY, f"{PROV}startedAtTime", _typed(validation.started, "dateTime"))
    out.add(ACTIVITY, f"{PROV}endedAtTime", _typed(validation.ended, "dateTime"))
    out.add(ACTIVITY, f"{PROV}used", DATASET)
    out.add(ACTIVITY, f"{PROV}used", SHAPES_GRAPH)
    for agent, label, version, homepage in (
        (ENGINE, "pySHACL", validation.engine_version, "https://github.com/RDFLib/pySHACL"),
        (SOFTWARE, "tipgraph", validation.tipgraph_version, BASE),
    ):
        out.add(ACTIVITY, f"{PROV}wasAssociatedWith", agent)
        out.add(agent, f"{RDF}type", f"{PROV}SoftwareAgent")
        out.add(agent, f"{RDFS}label", ox.Literal(label))
        out.add(agent, f"{SCHEMA}softwareVersion", ox.Literal(version))
        out.add(agent, f"{SCHEMA}url", homepage)
    out.add(SHAPES_GRAPH, f"{RDF}type", f"{PROV}Entity")
    out.add(SHAPES_GRAPH, f"{VOID}classPartition", SHAPE_COUNT)
    out.add(SHAPE_COUNT, f"{VOID}class", f"{SH}Shape")
    out.add(SHAPE_COUNT, f"{VOID}entities", _typed(validation.shapes, "integer"))
    for file in validation.shapes_files:
        node = f"{DOCUMENT}#shapes-file-{re.sub(r'[^A-Za-z0-9_.-]', '-', file.path)}"
        out.add(SHAPES_GRAPH, f"{DCTERMS}hasPart", node)
        out.add(node, f"{RDF}type", f"{PROV}Entity")
        out.add(node, f"{DCTERMS}title", ox.Literal(file.path))
        _checksum(out, node, file.sha256)
    for iri in (CONFORMANCE, FOUND, COVERED, *generated):
        out.add(ACTIVITY, f"{PROV}generated", iri)
    return out.triples


def annotation_triples(validation: Validation, files: Iterable[DumpFile]) -> list[ox.Triple]:
    """The catalog's link to the proof: a ``dqv:QualityAnnotation`` of the dataset whose bodies
    are the published files (``files``: the DumpFiles of role ``validation``; none in a SPARQL
    service), with the measurements and the activity."""
    out = _Triples()
    out.add(DATASET, f"{DQV}hasQualityAnnotation", ANNOTATION)
    out.add(ANNOTATION, f"{RDF}type", f"{DQV}QualityAnnotation")
    out.add(ANNOTATION, f"{OA}hasTarget", DATASET)
    out.add(ANNOTATION, f"{OA}motivatedBy", f"{DQV}qualityAssessment")
    out.add(ANNOTATION, f"{PROV}wasGeneratedBy", ACTIVITY)
    out.add(ANNOTATION, f"{RDFS}comment", _en(validation.summary.sentence))
    bodies = []
    for file in files:
        name, media, size, sha256 = file.name, file.media_type, file.bytes, file.sha256
        node, url = f"{DOCUMENT}#proof-{name}", f"{DUMPS_BASE}{name}"
        if name != ACTIVITY_FILE:
            bodies.append(url)
        out.add(ANNOTATION, f"{OA}hasBody", node)
        out.add(node, f"{RDF}type", f"{DCAT}Distribution")
        out.add(node, f"{RDF}type", f"{PROV}Entity")
        out.add(node, f"{DCTERMS}title", _en(TITLES.get(name, name)))
        out.add(node, f"{DCAT}downloadURL", url)
        out.add(node, f"{DCAT}mediaType", f"{IANA}{media}")
        out.add(node, f"{DCAT}byteSize", _typed(size, "nonNegativeInteger"))
        if name == VALIDATION_FILE:
            out.add(node, f"{DCTERMS}conformsTo", "https://www.w3.org/TR/shacl/#validation-report")
        _checksum(out, node, sha256)
    return (
        out.triples
        + metric_triples()
        + measurement_triples(validation)
        + activity_triples(validation, bodies)
    )


def _serialize(triples: Iterable[ox.Triple], path: Path) -> Path:
    ordered = sorted(set(triples), key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    ox.serialize(ordered, str(path), ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    return path


def write_validation(validation: Validation, folder: Path) -> list[Path]:
    """The three files in ``folder``; the report and coverage are byte-identical for equal
    data, shapes and software."""
    report = ox.parse(validation.report_turtle.encode(), ox.RdfFormat.TURTLE)
    quads = canonical_quads(ox.Quad(q.subject, q.predicate, q.object) for q in report)
    triples = [q.triple for q in quads]
    reports = {t.subject for t in triples if t.object == _n(f"{SH}ValidationReport")}
    triples += [ox.Triple(r, _n(f"{PROV}wasGeneratedBy"), _n(ACTIVITY)) for r in reports]
    measured = metric_triples() + measurement_triples(validation)
    generated = [f"{DUMPS_BASE}{name}" for name in (VALIDATION_FILE, COVERAGE_FILE)]
    return [
        _serialize(triples, folder / VALIDATION_FILE),
        _serialize(coverage_triples(validation), folder / COVERAGE_FILE),
        _serialize(measured + activity_triples(validation, generated), folder / ACTIVITY_FILE),
    ]
