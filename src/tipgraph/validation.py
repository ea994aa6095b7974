"""Validate an assembled dataset against SHACL shapes with pyshacl; return a typed report."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.namespace import SH, NamespaceManager
from rdflib.term import Node

from tipgraph import shacl_targets
from tipgraph.dataset import AssembledDataset, parse_file, rdf_files
from tipgraph.errors import TipgraphError
from tipgraph.locations import SubjectLines
from tipgraph.namespaces import GRAPH, PREFIXES, SHAPES, compact_iri

Shapes = rdflib.Graph  # SHACL shapes as loaded by load_shapes
log = logging.getLogger(__name__)
# The engines, as reports name them: pySHACL is the reference; pySHACL-turbo (a Rust engine with
# its API) checks the shapes by default, given the SPARQL targets' focus nodes by Oxigraph. The
# tests run both and fail on any difference (tests/test_shapes.py).
REFERENCE_ENGINE = "pySHACL"
FAST_ENGINE = "pySHACL-turbo, SPARQL targets selected by Oxigraph"


class Severity(StrEnum):
    """SHACL severities, most severe first."""

    VIOLATION = "Violation"
    WARNING = "Warning"
    INFO = "Info"


@dataclass(frozen=True)
class ValidationResult:
    """One result: what is wrong, where, and which file states it.

    ``locations`` are ``file:line`` where the focus node's description starts. A result about a
    figure also carries its words (``stated``, an excerpt of its ``quote``) and a ``hint``.
    """

    focus_node: str
    severity: Severity
    message: str
    path: str | None
    value: str | None
    shape: str | None
    files: tuple[str, ...]
    locations: tuple[str, ...] = ()
    stated: str | None = None
    quote: str | None = None
    hint: str | None = None


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of validating a dataset."""

    conforms: bool
    results: tuple[ValidationResult, ...]
    triples: int
    report_turtle: str
    engine: str = REFERENCE_ENGINE  # what checked it (see validate)

    @property
    def violations(self) -> int:
        return sum(1 for r in self.results if r.severity is Severity.VIOLATION)

    def by_focus_node(self) -> dict[str, list[ValidationResult]]:
        """Results grouped by focus node, in a stable order."""
        groups: dict[str, list[ValidationResult]] = {}
        for result in self.results:
            groups.setdefault(result.focus_node, []).append(result)
        return groups

    def to_json(self) -> str:
        """The report as JSON for pipelines."""
        body = {
            "conforms": self.conforms,
            "engine": self.engine,
            "triples": self.triples,
            "violations": self.violations,
            "results": [asdict(result) for result in self.results],
        }
        return json.dumps(body, indent=2, ensure_ascii=False)

    def adding(self, results: Sequence[ValidationResult]) -> ValidationReport:
        """This report with ``results`` found by other means (SPARQL across reports) added."""
        if not results:
            return self
        graph = rdflib.Graph()
        for prefix, iri in {**PREFIXES, "shapes": SHAPES}.items():
            graph.bind(prefix, iri)
        graph.parse(data=self.report_turtle, format="turtle")
        report = next(iter(graph.subjects(rdflib.RDF.type, SH.ValidationReport)))
        for result in results:
            _add_result(graph, report, result)
        conforms = self.conforms and not any(r.severity is Severity.VIOLATION for r in results)
        graph.set((report, SH.conforms, rdflib.Literal(conforms)))
        return replace(
            self,
            conforms=conforms,
            results=tuple(sorted((*self.results, *results), key=_order)),
            report_turtle=graph.serialize(format="turtle"),
        )


def _add_result(graph: rdflib.Graph, report: Node, result: ValidationResult) -> None:
    """``result`` as an sh:ValidationResult of ``report`` (its message says the rest)."""
    node = rdflib.BNode()
    graph.add((report, SH.result, node))
    graph.add((node, rdflib.RDF.type, SH.ValidationResult))
    graph.add((node, SH.focusNode, _term(result.focus_node)))
    graph.add((node, SH.resultSeverity, SH[result.severity.value]))
    message = result.message if result.hint is None else f"{result.message} {result.hint}"
    graph.add((node, SH.resultMessage, rdflib.Literal(message)))
    if result.path is not None:
        graph.add((node, SH.resultPath, _term(result.path)))
    if result.value is not None:
        graph.add((node, SH.value, rdflib.Literal(result.value)))
    if result.shape is not None and isinstance(shape := _term(result.shape), rdflib.URIRef):
        graph.add((node, SH.sourceShape, shape))
    graph.add((node, SH.sourceConstraintComponent, SH.SPARQLConstraintComponent))


def _term(shown: str) -> rdflib.URIRef | rdflib.Literal:
    """An IRI back from its shown form (``<iri>`` or a prefixed name); else the text."""
    if shown.startswith("<") and shown.endswith(">"):
        return rdflib.URIRef(shown[1:-1])
    prefix, _, local = shown.partition(":")
    namespace = {**PREFIXES, "shapes": SHAPES}.get(prefix)
    if namespace is not None and local:
        return rdflib.URIRef(namespace + local)
    if "://" in shown:
        return rdflib.URIRef(shown)
    return rdflib.Literal(shown)


def merge_reports(shared: ValidationReport, parts: Sequence[ValidationReport]) -> ValidationReport:
    """One report from the run over the shared data and the runs over each report with it."""
    graph = rdflib.Graph()
    for prefix, iri in {**PREFIXES, "shapes": SHAPES}.items():
        graph.bind(prefix, iri)
    for part in (shared, *parts):
        graph.parse(data=part.report_turtle, format="turtle")
    for old in list(graph.subjects(rdflib.RDF.type, SH.ValidationReport)):
        graph.remove((old, None, None))
    conforms = shared.conforms and all(part.conforms for part in parts)
    report = rdflib.BNode()
    graph.add((report, rdflib.RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, rdflib.Literal(conforms)))
    for node in graph.subjects(rdflib.RDF.type, SH.ValidationResult):
        graph.add((report, SH.result, node))
    unique = {r: None for part in (shared, *parts) for r in part.results}
    return ValidationReport(
        conforms=conforms,
        results=tuple(sorted(unique, key=_order)),
        # The ontology and shared data are in every part: count them once.
        triples=shared.triples + sum(part.triples - shared.triples for part in parts),
        report_turtle=graph.serialize(format="turtle"),
        engine=shared.engine,
    )


def _order(result: ValidationResult) -> tuple[object, ...]:
    """Files, focus node, path, message, then the rest: a total order, so reports are stable."""
    return (
        result.files,
        result.focus_node,
        result.path or "",
        result.message,
        result.value or "",
        result.shape or "",
        result.severity.value,
        result.hint or "",  # two constraints of one shape may share a message, not a hint
        result.locations,
        result.stated or "",
        result.quote or "",
    )


def to_rdflib(quads: Iterable[ox.Quad]) -> rdflib.Graph:
    """Copy quads into an rdflib graph (their union), keeping datatypes and language tags."""
    triples = (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
    graph = rdflib.Graph()
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    if data:
        graph.parse(data=data, format="nt")
    return graph


def load_shapes(shapes_dir: Path) -> rdflib.Graph:
    """Parse every Turtle file of the shapes folder (syntax errors name the file and line)."""
    files = rdf_files(shapes_dir)
    if not files:
        raise TipgraphError(f"{shapes_dir}: no SHACL shapes found (expected *.ttl files).")
    quads: list[ox.Quad] = []
    for file in files:
        quads.extend(parse_file(file, f"{GRAPH}shapes"))
    return to_rdflib(quads)


def validate(
    assembled: AssembledDataset,
    shapes: rdflib.Graph,
    root: Path | None = None,
    keep: Callable[[ValidationResult], bool] = lambda _: True,
    reference: bool = False,
) -> ValidationReport:
    """Check the SHACL shapes (Core, SHACL-SPARQL and SPARQL targets) over the union of all
    graphs: with pySHACL-turbo, the SPARQL targets' focus nodes selected by Oxigraph
    (:mod:`tipgraph.shacl_targets`); or, with ``reference``, with pySHACL alone.

    Results ``keep`` refuses are left out of the report (and of its Turtle).
    """
    conforms, report_graph, engine = _run_engine(assembled.store, shapes, reference)
    for prefix, iri in {**PREFIXES, "shapes": SHAPES}.items():
        report_graph.bind(prefix, iri)
    reader = _ResultReader(report_graph, shapes, assembled, root)
    results = []
    for node in list(report_graph.subjects(rdflib.RDF.type, SH.ValidationResult)):
        result = reader.read(node)
        if keep(result):
            results.append(result)
        else:
            for triple in report_graph.cbd(node):
                report_graph.remove(triple)
            report_graph.remove((None, SH.result, node))
    results = sorted(set(results), key=_order)  # two shapes may say the very same thing
    conforms = bool(conforms) or not any(r.severity is Severity.VIOLATION for r in results)
    report_graph.set(
        (
            next(iter(report_graph.subjects(rdflib.RDF.type, SH.ValidationReport))),
            SH.conforms,
            rdflib.Literal(conforms),
        )
    )
    return ValidationReport(
        conforms=conforms,
        results=tuple(results),
        triples=_union_size(assembled.store),
        report_turtle=report_graph.serialize(format="turtle"),
        engine=engine,
    )


def _run_engine(store: ox.Store, shapes: Shapes, reference: bool) -> tuple[bool, rdflib.Graph, str]:
    """Whether the union of ``store``'s graphs conforms to ``shapes``, the SHACL report graph,
    and the engine's name. pySHACL reads an rdflib copy of the union; pySHACL-turbo reads an
    Oxigraph store holding the union as its default graph (a named graph would be validated on
    its own), which costs a fraction of building rdflib's."""
    from pyshacl import validate as run_pyshacl  # heavy imports: only when validating

    def pyshacl(shapes: Shapes) -> tuple[bool, rdflib.Graph]:
        data = to_rdflib(store.quads_for_pattern(None, None, None, None))
        conforms, report, _ = run_pyshacl(
            data, shacl_graph=shapes, inference="none", allow_warnings=True, advanced=True
        )
        return bool(conforms), report

    if reference:
        return (*pyshacl(shapes), REFERENCE_ENGINE)
    from pyshacl_turbo import validate as run_turbo

    selected, _ = shacl_targets.with_selected_targets(shapes, store)
    union = ox.Store()
    union.bulk_extend(ox.Quad(q.subject, q.predicate, q.object) for q in store)
    try:
        conforms, report, _ = run_turbo(
            union, shacl_graph=selected, inference="none", allow_warnings=True, advanced=True
        )
    except Exception as error:  # the reference takes over; the report says so
        log.warning("pySHACL-turbo failed (%s); validating with pySHACL", error)
        return (*pyshacl(selected), f"pySHACL (pySHACL-turbo failed: {error})")
    return bool(conforms), report, FAST_ENGINE


def _union_size(store: ox.Store) -> int:
    """The triples of the union of ``store``'s graphs (a triple in two graphs counts once)."""
    found = store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { GRAPH ?g { ?s ?p ?o } } }"
    )
    assert isinstance(found, ox.QuerySolutions)
    return int(next(iter(found))["n"].value)


@dataclass(frozen=True)
class _ResultReader:
    """Turns one sh:ValidationResult into a ValidationResult users can act on."""

    report: rdflib.Graph
    shapes: rdflib.Graph
    assembled: AssembledDataset
    root: Path | None
    lines: SubjectLines = field(default_factory=SubjectLines)
    # How terms are shown: rdflib's default prefixes (what a fresh graph binds).
    namespaces: NamespaceManager = field(default_factory=lambda: rdflib.Graph().namespace_manager)

    def read(self, node: Node) -> ValidationResult:
        focus = self.report.value(node, SH.focusNode)
        path = self.report.value(node, SH.resultPath)
        value = self.report.value(node, SH.value)
        messages = sorted(str(m) for m in self.report.objects(node, SH.resultMessage))
        files = self.assembled.files_of(str(focus)) if focus is not None else []
        lines = [
            (file, self.lines.line_of(str(focus), file))
            for file in files
            if isinstance(focus, rdflib.URIRef)
        ]
        return ValidationResult(
            focus_node=self._show(focus),
            severity=Severity(str(self.report.value(node, SH.resultSeverity)).rsplit("#", 1)[-1]),
            message="; ".join(messages) or "(no message)",
            path=self._show(path) if path is not None else None,
            value=self._show(value) if value is not None else None,
            shape=self._show(self._named_shape(self.report.value(node, SH.sourceShape))),
            files=tuple(self._relative(f) for f in files),
            locations=tuple(f"{self._relative(f)}:{line}" for f, line in lines if line),
            hint=self._hint(node, path),
        )

    def _hint(self, node: Node, path: Node | None) -> str | None:
        """How to fix what a core constraint found (a SPARQL rule's message says it itself)."""
        component = str(self.report.value(node, SH.sourceConstraintComponent) or "")
        shape = self.report.value(node, SH.sourceShape)
        property_name = f"`{self._show(path)}`" if path is not None else "the value"

        def of_shape(parameter: str) -> str:
            found = self.shapes.value(shape, SH[parameter]) if shape is not None else None
            return self._show(found) if found is not None else "?"

        kind = component.rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
        hints = {
            "MinCount": f"Add a {property_name} statement to this node, where it is described.",
            "MaxCount": f"Keep {of_shape('maxCount')} {property_name} value(s); remove the rest.",
            "Class": f"The value of {property_name} must be a {of_shape('class')}: use one "
            "described in data/reference/ or ontology/vocabularies/, or describe it there.",
            "Datatype": f"Write the value of {property_name} as a {of_shape('datatype')} "
            'literal ("…"^^' + of_shape("datatype") + ").",
            "NodeKind": f"The value of {property_name} must be a {of_shape('nodeKind')}.",
            "LanguageIn": f"Tag the text of {property_name} with a language the shape allows "
            '("…"@en).',
            "Pattern": f"Make the value of {property_name} match {of_shape('pattern')}.",
        }
        return hints.get(kind)

    def _named_shape(self, shape: Node | None) -> Node | None:
        """The named shape a (blank) property or nested shape belongs to."""
        seen: set[Node] = set()
        while isinstance(shape, rdflib.BNode) and shape not in seen:
            seen.add(shape)
            shape = next(iter(self.shapes.subjects(None, shape)), shape)
        return shape

    def _show(self, node: Node | None) -> str:
        """A short, readable form of a node: a prefixed name where one fits, else N-Triples."""
        if node is None:
            return ""
        if isinstance(node, rdflib.URIRef):
            return compact_iri(str(node), {**PREFIXES, "shapes": SHAPES})
        if isinstance(node, rdflib.Literal):
            text = str(node)
            return json.dumps(text if len(text) <= 80 else text[:77] + "...", ensure_ascii=False)
        return node.n3(self.namespaces)

    def _relative(self, path: Path) -> str:
        if self.root is not None and path.is_relative_to(self.root):
            return str(path.relative_to(self.root))
        return str(path)
