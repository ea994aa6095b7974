"""Validation that scales: each report on its own, in parallel, then the rules across reports.

pyshacl holds a data graph in rdflib and its cost grows faster than the graph, so one run over
every report together gets slow as reports accumulate. Instead each report is validated with the
ontology and the shared folders (those without a source text, such as ``data/reference/``) in a
worker process, the shared folders once on their own, and what can only be seen across reports
(an IRI minted by two of them) is checked afterwards with SPARQL on a store holding everything.
Validation time then grows with the number of reports, spread over every core.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from tipgraph.dataset import (
    AssembledDataset,
    assemble_dataset,
    data_sources,
    rdf_files,
    report_folders,
)
from tipgraph.errors import TipgraphError
from tipgraph.fidelity import check_fidelity
from tipgraph.namespaces import ONTOLOGY_GRAPH, graph_iri
from tipgraph.store.bulk import bulk_load
from tipgraph.validation import (
    Severity,
    Shapes,
    ValidationReport,
    ValidationResult,
    load_shapes,
    merge_reports,
    validate,
)

Progress = Callable[[str], None]

# An IRI typed in two report graphs was minted by both: reports must not share subjects (shared
# things belong in a folder without a source text, such as data/reference/).
MINTED_TWICE = """
SELECT ?iri (GROUP_CONCAT(DISTINCT STR(?graph); separator=" ") AS ?graphs)
WHERE {
  VALUES ?graph { %s }
  GRAPH ?graph { ?iri a ?class }
  FILTER(isIRI(?iri))
}
GROUP BY ?iri
HAVING (COUNT(DISTINCT ?graph) > 1)
ORDER BY ?iri
"""


@dataclass(frozen=True)
class Plan:
    """What is validated together: the shared files, and each report with them.

    A report is a folder holding a source text; its part is that folder, or the files of it
    that were named. Paths are made absolute, so results can be told apart by file.
    """

    shared: tuple[Path, ...]
    reports: tuple[Path, ...]
    parts: tuple[tuple[Path, ...], ...]  # for each report, the paths given within it

    @classmethod
    def of(cls, data_paths: Iterable[Path]) -> Plan:
        paths = [Path(p).resolve() for p in data_paths]
        reports = report_folders(paths)
        shared = [file for file, _ in data_sources(paths) if file.parent not in reports]
        parts = tuple(
            tuple(p for p in paths if p.is_relative_to(folder)) or (folder,) for folder in reports
        )
        return cls(tuple(shared), tuple(reports), parts)

    def paths(self) -> list[Path]:
        """Every path to read: the shared files and each report's part."""
        return [*self.shared, *(path for part in self.parts for path in part)]

    def units(self) -> list[tuple[Path, ...]]:
        """The data paths of each validation run: the shared files, then one per report."""
        return [self.shared] + [(*self.shared, *part) for part in self.parts]


@dataclass(frozen=True)
class _Unit:
    ontology_dir: Path
    shapes_dir: Path
    paths: tuple[Path, ...]
    own: Path | None  # the report folder this run is about (None: the shared files)
    root: Path | None
    reference: bool


def _run_unit(unit: _Unit) -> ValidationReport:
    """Validate one unit; keep the results about its own report (shared ones come once)."""
    assembled = assemble_dataset(unit.ontology_dir, unit.paths)
    shapes = load_shapes(unit.shapes_dir)
    own = unit.own
    if own is None:
        return check_dataset(assembled, shapes, root=unit.root, reference=unit.reference)

    def about_this_report(result: ValidationResult) -> bool:
        files = [f if unit.root is None else unit.root / f for f in map(Path, result.files)]
        return not files or any(f.is_relative_to(own) for f in files)

    return check_dataset(
        assembled, shapes, root=unit.root, keep=about_this_report, reference=unit.reference
    )


def check_dataset(
    assembled: AssembledDataset,
    shapes: Shapes,
    root: Path | None = None,
    keep: Callable[[ValidationResult], bool] = lambda _: True,
    reference: bool = False,
) -> ValidationReport:
    """Every rule over one assembled dataset: the SHACL shapes, then the fidelity rules
    (each figure is its words, every numeral of a source text is accounted for). With
    ``reference``, pyshacl alone evaluates the shapes (see :func:`validate`)."""
    report = validate(assembled, shapes, root=root, keep=keep, reference=reference)
    return report.adding([result for result in check_fidelity(assembled, root) if keep(result)])


def validate_reports(
    ontology_dir: Path,
    shapes_dir: Path,
    data_paths: Iterable[Path],
    *,
    root: Path | None = None,
    jobs: int | None = None,
    across: bool = True,
    progress: Progress = lambda _: None,
    reference: bool = False,
) -> ValidationReport:
    """Validate every report (in ``jobs`` processes) and, with ``across``, the rules across them.

    With at most one report this is one pyshacl run over everything, as the split gains nothing.
    Without ``across`` the caller checks :func:`cross_report_results` on its own store.
    """
    plan = Plan.of(data_paths)
    if len(plan.reports) <= 1:
        assembled = assemble_dataset(ontology_dir, plan.paths())
        return check_dataset(assembled, load_shapes(shapes_dir), root=root, reference=reference)
    units = [
        _Unit(ontology_dir, shapes_dir, paths, own, root, reference)
        for paths, own in zip(plan.units(), (None, *plan.reports), strict=True)
    ]
    workers = max(1, min(jobs or available_cores(), len(units)))
    context = multiprocessing.get_context("spawn")  # no locks inherited from a threaded parent
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    try:
        futures = {pool.submit(_run_unit, unit): unit for unit in units}
        done: dict[Path | None, ValidationReport] = {}
        for future in as_completed(futures):
            done[futures[future].own] = future.result()
            progress(f"validated {len(done)}/{len(units)} parts ({len(plan.reports)} reports)")
    except BrokenProcessPool:
        raise TipgraphError(
            "a validation worker died (killed by the system, out of memory?); "
            "try again with fewer --jobs."
        ) from None
    finally:
        pool.shutdown(cancel_futures=True)  # the first error stops what has not started
    merged = merge_reports(done.pop(None), [done[report] for report in plan.reports])
    if not across:
        return merged
    with tempfile.TemporaryDirectory(prefix="tipgraph-check-") as folder:
        store = ox.Store(folder)
        bulk_load(store, data_sources(plan.paths()), threads=workers)
        found = cross_report_results(store, plan.reports, root)
        del store  # closed before its folder goes
    return merged.adding(found)


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def input_files(ontology_dir: Path, data_paths: Iterable[Path]) -> list[tuple[Path, str]]:
    """Every RDF file of the ontology and the data, with the named graph it goes to."""
    ontology = [(file, ONTOLOGY_GRAPH) for file in rdf_files(ontology_dir)]
    return ontology + data_sources(data_paths)


def cross_report_results(
    store: ox.Store, reports: Iterable[Path], root: Path | None
) -> list[ValidationResult]:
    """The rules no single report can break alone, checked with SPARQL over ``store``."""
    folders = {graph_iri(folder.name): folder for folder in reports}
    if len(folders) < 2:
        return []
    values = " ".join(str(ox.NamedNode(graph)) for graph in sorted(folders))
    solutions = store.query(MINTED_TWICE % values)
    assert isinstance(solutions, ox.QuerySolutions)
    results = []
    for solution in solutions:
        graphs = sorted(solution["graphs"].value.split())
        files = sorted(
            str(file.relative_to(root) if root and file.is_relative_to(root) else file)
            for graph in graphs
            for file in _files_in(folders[graph])
        )
        results.append(
            ValidationResult(
                focus_node=solution["iri"].value,
                severity=Severity.VIOLATION,
                message=(
                    f"This IRI is minted (given a type) by {len(graphs)} reports: "
                    + ", ".join(graphs)
                    + ". A report's IRIs are its own; move shared things to data/reference/."
                ),
                path=None,
                value=None,
                shape="tipgraph:UniqueIriAcrossReports",
                files=tuple(files),
            )
        )
    return results


def _files_in(folder: Path) -> list[Path]:
    return [file for file, _ in data_sources([folder])]
