"""Validation that scales: each report on its own, in parallel, then the rules across reports.

A SHACL run's cost grows faster than its data graph, so one run over every report together
gets slow as reports accumulate (a million synthetic triples: 74 s in one run, 34 s of CPU in
runs of five reports). Instead each report is validated with the
ontology and the shared folders (those without a source text, such as ``data/reference/``) in a
worker process (a few reports a run), the shared folders once on their own; what can only be
seen across reports (an IRI minted by two of them) is checked afterwards, from the IRIs each
run says its reports mint. Validation time then grows with the number of reports, spread over
every core.
"""

from __future__ import annotations

import multiprocessing
import os
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
# Reports validated together in one run, at most (see validate_reports).
REPORTS_PER_RUN = 5

# An IRI typed in two report graphs was minted by both: reports must not share subjects (shared
# things belong in a folder without a source text, such as data/reference/). Validation asks
# each run for the IRIs its reports mint (MINTED); a loaded store is asked at once.
MINTED = "SELECT DISTINCT ?iri WHERE { GRAPH %s { ?iri a ?class } FILTER(isIRI(?iri)) }"
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

    def units(self, batch: int = 1) -> list[tuple[tuple[Path, ...], tuple[Path, ...]]]:
        """Each validation run: its data paths and the report folders it is about. The shared
        files first, alone; then the reports ``batch`` at a time, with the shared files."""
        runs: list[tuple[tuple[Path, ...], tuple[Path, ...]]] = [(self.shared, ())]
        for start in range(0, len(self.reports), batch):
            parts = self.parts[start : start + batch]
            paths = (*self.shared, *(path for part in parts for path in part))
            runs.append((paths, self.reports[start : start + batch]))
        return runs


@dataclass(frozen=True)
class _Unit:
    ontology_dir: Path
    shapes_dir: Path
    paths: tuple[Path, ...]
    own: tuple[Path, ...]  # the report folders this run is about (none: the shared files)
    root: Path | None
    reference: bool


Typed = dict[str, frozenset[str]]  # report graph → the IRIs it gives a type (mints)


def _run_unit(unit: _Unit) -> tuple[ValidationReport, Typed]:
    """Validate one unit; keep the results about its own reports (shared ones come once).
    Also the IRIs each of its reports mints, for the rule across reports."""
    assembled = assemble_dataset(unit.ontology_dir, unit.paths)
    shapes = load_shapes(unit.shapes_dir)
    own = unit.own
    if not own:
        return check_dataset(assembled, shapes, root=unit.root, reference=unit.reference), {}

    def about_this_report(result: ValidationResult) -> bool:
        files = [f if unit.root is None else unit.root / f for f in map(Path, result.files)]
        return not files or any(f.is_relative_to(folder) for f in files for folder in own)

    report = check_dataset(
        assembled, shapes, root=unit.root, keep=about_this_report, reference=unit.reference
    )
    graphs = [graph_iri(folder.name) for folder in own]
    return report, {graph: _minted_in(assembled.store, graph) for graph in graphs}


def _minted_in(store: ox.Store, graph: str) -> frozenset[str]:
    solutions = store.query(MINTED % ox.NamedNode(graph))
    assert isinstance(solutions, ox.QuerySolutions)
    return frozenset(solution["iri"].value for solution in solutions)


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
    batch: int | None = None,
) -> ValidationReport:
    """Validate every report (in ``jobs`` processes, ``batch`` reports a run) and, with
    ``across``, the rules across them.

    With at most one report this is one pyshacl run over everything, as the split gains nothing.
    Without ``across`` the caller checks :func:`cross_report_results` on its own store.
    """
    plan = Plan.of(data_paths)
    if len(plan.reports) <= 1:
        assembled = assemble_dataset(ontology_dir, plan.paths())
        return check_dataset(assembled, load_shapes(shapes_dir), root=root, reference=reference)
    cores = jobs or available_cores()
    # A few reports per run: each run validates the shared files again (half a run of one
    # synthetic report), while a run of many grows faster than its data; and at least two
    # runs per process, so that the processes finish together.
    batch = batch or max(1, min(REPORTS_PER_RUN, len(plan.reports) // (2 * cores)))
    units = [
        _Unit(ontology_dir, shapes_dir, paths, own, root, reference)
        for paths, own in plan.units(batch)
    ]
    workers = max(1, min(cores, len(units)))
    context = multiprocessing.get_context("spawn")  # no locks inherited from a threaded parent
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    minted: Typed = {}
    try:
        futures = {pool.submit(_run_unit, unit): unit for unit in units}
        done: dict[tuple[Path, ...], ValidationReport] = {}
        for future in as_completed(futures):
            done[futures[future].own], typed = future.result()
            minted.update(typed)
            progress(f"validated {len(done)}/{len(units)} parts ({len(plan.reports)} reports)")
    except BrokenProcessPool:
        raise TipgraphError(
            "a validation worker died (killed by the system, out of memory?); "
            "try again with fewer --jobs."
        ) from None
    finally:
        pool.shutdown(cancel_futures=True)  # the first error stops what has not started
    shared = done.pop(())
    merged = merge_reports(shared, [done[unit.own] for unit in units if unit.own])
    if not across:
        return merged
    return merged.adding(_minted_twice_results(_minted_twice(minted), plan.reports, root))


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
    found = [(s["iri"].value, sorted(s["graphs"].value.split())) for s in solutions]
    return _minted_twice_results(found, list(folders.values()), root)


def _minted_twice(minted: Typed) -> list[tuple[str, list[str]]]:
    """The IRIs minted by more than one report graph, with those graphs (as MINTED_TWICE)."""
    graphs_of: dict[str, list[str]] = {}
    for graph in sorted(minted):
        for iri in minted[graph]:
            graphs_of.setdefault(iri, []).append(graph)
    return sorted((iri, graphs) for iri, graphs in graphs_of.items() if len(graphs) > 1)


def _minted_twice_results(
    found: Iterable[tuple[str, list[str]]], reports: Iterable[Path], root: Path | None
) -> list[ValidationResult]:
    folders = {graph_iri(folder.name): folder for folder in reports}
    results = []
    for iri, graphs in found:
        files = sorted(
            str(file.relative_to(root) if root and file.is_relative_to(root) else file)
            for graph in graphs
            for file in _files_in(folders[graph])
        )
        results.append(
            ValidationResult(
                focus_node=iri,
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
