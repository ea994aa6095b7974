"""The one pipeline from files to a published store: parse → validate → load fresh → swap."""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox

from tipgraph.aggregates import Aggregates
from tipgraph.catalog import describe, write_downloads
from tipgraph.config import Settings
from tipgraph.conformance import (
    Plan,
    available_cores,
    cross_report_results,
    input_files,
    validate_reports,
)
from tipgraph.coverage import check_coverage
from tipgraph.dataset import (
    AssembledDataset,
    SourceText,
    parse_file,
    rdf_files,
    source_text_quad,
    source_texts,
)
from tipgraph.errors import DataNotValidError, StoreError
from tipgraph.namespaces import SHAPES_GRAPH
from tipgraph.publish_remote import publish
from tipgraph.quality import Validation, count_shapes
from tipgraph.search_index import SearchIndex
from tipgraph.store.bulk import OnProgress, bulk_load
from tipgraph.store.location import DATABASE, Manifest, StoreLocation, StoreVersion
from tipgraph.store.remote import RemoteStore
from tipgraph.validation import Severity, ValidationReport, ValidationResult

log = logging.getLogger(__name__)
Progress = Callable[[str], None]
T = TypeVar("T")

# A load that has taken no space and almost no CPU for STALL_SECONDS, on a disk with less space
# left than its database takes (or LOW_SPACE), waits for space that never comes: see
# _watching_space.
LOW_SPACE = 64 << 20
STALL_SECONDS = 5.0


def content_version(files: Iterable[Path], root: Path) -> str:
    """A SHA-256 over the paths and bytes of the input: equal input, equal version."""
    digest = hashlib.sha256()
    for file in sorted(files):
        name = file.relative_to(root) if file.is_relative_to(root) else file
        digest.update(f"{name}\0{file.stat().st_size}\0".encode())
        with file.open("rb") as stream:
            while block := stream.read(1 << 20):
                digest.update(block)
    return digest.hexdigest()


def build_store(
    settings: Settings,
    location: StoreLocation,
    *,
    validate: bool = True,
    data_paths: Iterable[Path] | None = None,
    jobs: int | None = None,
    dumps: bool = True,
    progress: Progress = log.info,
    on_load: OnProgress = lambda _: None,
) -> StoreVersion:
    """Load the ontology and data into a fresh version of the store and make it current.

    With ``validate`` the data must conform to the shapes (DataNotValidError otherwise): each
    report is validated in one of ``jobs`` processes, the rules across reports on the new store
    before it is made current. Files are bulk-loaded two per process, reported to
    ``on_load``; ``dumps`` writes the downloads beside the store. Any failure leaves the
    current version exactly as it was.
    """
    started = time.perf_counter()
    processes = jobs or available_cores()
    given = _Input.of(settings, data_paths)
    version = content_version(given.files, settings.root)
    with location.new_version() as folder:  # first: a store that cannot be written says so
        checked_from = _now()
        report = (
            _validate_each_report(settings, given.paths, processes, progress) if validate else None
        )
        given_up = threading.Event()

        def write() -> tuple[dict[str, int], str]:
            """Fill the database in ``folder``, then the files beside it; stop writing once
            the load was given up."""
            store = None
            try:
                store = ox.Store(str(folder / DATABASE))
                progress("loading")
                counts = _fill(
                    store, given, settings, processes, validate=validate, on_load=on_load
                )
                store.flush()
                store.optimize()
                validation = (
                    None
                    if report is None
                    else _validation(store, report, given, settings, checked_from)
                )
                loaded_at = _now()
                if not given_up.is_set():  # its folder may be gone: never create it again
                    Aggregates.compute(store).write(folder)
                    SearchIndex.from_store(store, version).write(folder)
                    if dumps:
                        write_downloads(store, folder, loaded_at, progress, validation)
                return counts, loaded_at
            finally:
                del store  # close the database before its folder is moved or removed

        try:
            counts, loaded_at = _watching_space(write, folder, given_up)
        except OSError as error:
            if error.errno == errno.ENOSPC or os.strerror(errno.ENOSPC) in str(error):
                raise StoreError(
                    f"{location.path}: no space left on the device; the load stopped and "
                    "nothing changed."
                ) from None
            if _short_of_space(folder):  # RocksDB, out of room, may fail in other ways first
                raise StoreError(
                    f"{location.path}: the load failed with no space left on the device "
                    f"({error}); nothing changed."
                ) from None
            raise StoreError(
                f"{location.path}: the load failed ({error}); nothing changed."
            ) from None
        manifest = Manifest(
            version=version,
            triples=sum(counts.values()),
            graphs=dict(sorted(counts.items())),
            files=len(given.files),
            loaded_at=loaded_at,
            seconds=round(time.perf_counter() - started, 3),
            validated=validate,
        )
        return location.activate(folder, manifest)


def publish_to_service(
    settings: Settings,
    remote: RemoteStore,
    *,
    validate: bool = True,
    data_paths: Iterable[Path] | None = None,
    jobs: int | None = None,
    progress: Progress = log.info,
) -> Manifest:
    """Validate the data and load it into a SPARQL service through the Graph Store Protocol,
    each graph replaced whole; the manifest and the dataset description go last.

    The files are also bulk-loaded into a scratch store here, where the rule across reports is
    checked and the description counted before anything is sent. Files are then parsed one at a
    time and sent as N-Triples in chunks: memory stays bounded.
    """
    started = time.perf_counter()
    processes = jobs or available_cores()
    given = _Input.of(settings, data_paths)
    checked_from = _now()
    report = _validate_each_report(settings, given.paths, processes, progress) if validate else None
    with tempfile.TemporaryDirectory(prefix="tipgraph-publish-") as folder:
        store = ox.Store(folder)
        _fill(store, given, settings, processes, validate=validate)
        validation = (
            None if report is None else _validation(store, report, given, settings, checked_from)
        )
        description = describe(store, [], _now(), validation)
        del store
    by_graph: dict[str, list[Path]] = {}
    for file, graph in given.sources:
        by_graph.setdefault(graph, []).append(file)

    def statements(graph: str) -> Iterator[ox.Quad]:
        for file in by_graph.get(graph, []):
            yield from parse_file(file, graph)
        yield from (source_text_quad(text) for text in given.texts if text.graph == graph)

    graphs = sorted(set(by_graph) | {text.graph for text in given.texts})
    return publish(
        remote,
        ((graph, statements(graph)) for graph in graphs),
        version=content_version(given.files, settings.root),
        files=len(given.files),
        validated=validate,
        description=description,
        started=started,
        progress=progress,
    )


@dataclass(frozen=True)
class _Input:
    """What a load reads: the data paths, every RDF file with its graph, the source texts."""

    paths: list[Path]
    sources: list[tuple[Path, str]]  # the ontology, the data, and the shapes
    texts: list[SourceText]

    @classmethod
    def of(cls, settings: Settings, data_paths: Iterable[Path] | None) -> _Input:
        paths = [Path(p) for p in (data_paths or [settings.data_dir])]
        sources = input_files(settings.ontology_dir, paths)
        # The shapes are published too (their own graph): /ontology documents what is checked.
        sources += [(file, SHAPES_GRAPH) for file in rdf_files(settings.shapes_dir)]
        return cls(paths, sources, source_texts(paths))

    @property
    def files(self) -> list[Path]:
        return [file for file, _ in self.sources] + [text.path for text in self.texts]


def _fill(
    store: ox.Store,
    given: _Input,
    settings: Settings,
    processes: int,
    *,
    validate: bool,
    on_load: OnProgress = lambda _: None,
) -> dict[str, int]:
    """Bulk-load everything into ``store`` and check the rule across reports; the triples of
    each graph."""
    # Two files per core: each load waits on the disk part of the time (measured: 4.5 s
    # against 5.3 s for a million triples on two cores).
    counts = bulk_load(store, given.sources, threads=2 * processes, on_progress=on_load)
    store.extend(map(source_text_quad, given.texts))
    for text in given.texts:  # one statement each, about a subject of its own
        counts[text.graph] = counts.get(text.graph, 0) + 1
    if validate:
        _require(cross_report_results(store, Plan.of(given.paths).reports, settings.root))
    return counts


def _watching_space(work: Callable[[], T], folder: Path, given_up: threading.Event) -> T:
    """``work()``, run in a thread while this one watches the free space under ``folder``.

    Short of space, RocksDB does not always fail: when a compaction finds less room than it
    needs, a write or a flush may wait for the space to come back, which only this load could
    free, so forever (retrying every few seconds: a burst of writes, removed at once). When
    the process has spent almost no CPU and taken no more space for STALL_SECONDS, with less
    space left than the database being built takes (or LOW_SPACE), the load is given up:
    ``given_up`` is set and OSError(ENOSPC) raised. The thread is left waiting inside RocksDB
    (a daemon, gone with the process); removing the folder frees the space it waits for, so it
    may wake up and fail, but ``work`` writes nothing new once ``given_up`` is set.
    """
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as error:
            failure.append(error)

    thread = threading.Thread(target=run, name="tipgraph-load", daemon=True)
    thread.start()
    # Since when the load has done nothing: the CPU spent then, the least space left so far.
    since, cpu, least = time.monotonic(), time.process_time(), _free_bytes(folder)
    try:
        while thread.is_alive():
            thread.join(timeout=0.5)
            now, free = time.monotonic(), _free_bytes(folder)
            if free < least - (1 << 20) or time.process_time() - cpu > 0.1 + (now - since) / 20:
                since, cpu, least = now, time.process_time(), min(least, free)
            elif now - since >= STALL_SECONDS and _short_of_space(folder):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(folder))
    except BaseException:  # given up, or interrupted (Ctrl-C)
        given_up.set()
        raise
    if failure:
        raise failure[0]
    return outcome[0]


def _short_of_space(folder: Path) -> bool:
    """Whether less space is left under ``folder`` than the database built in it takes (or
    LOW_SPACE): too little for RocksDB to compact it."""
    try:
        return _free_bytes(folder) < max(LOW_SPACE, _bytes_in(folder))
    except OSError:
        return False


def _free_bytes(folder: Path) -> int:
    """The space left for this process under ``folder``, as RocksDB counts it."""
    stats = os.statvfs(folder)
    blocks = stats.f_bfree if os.geteuid() == 0 else stats.f_bavail
    return blocks * stats.f_frsize


def _bytes_in(folder: Path) -> int:
    """The size of the files under ``folder``."""
    return sum(
        (Path(parent) / name).stat().st_size
        for parent, _, names in os.walk(folder)
        for name in names
    )


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _validation(
    store: ox.Store, report: ValidationReport, given: _Input, settings: Settings, started: str
) -> Validation:
    """What the gate found, to be published: the report, and the coverage of every source text
    counted on ``store`` (the data just loaded); it ends now, with the last check."""
    coverage = check_coverage(AssembledDataset(store=store, texts=given.texts))
    return Validation.of(
        report,
        coverage,
        shapes=count_shapes(store),
        shapes_files=[file for file, graph in given.sources if graph == SHAPES_GRAPH],
        root=settings.root,
        started=started,
        ended=_now(),
    )


def _validate_each_report(
    settings: Settings, paths: list[Path], jobs: int, progress: Progress
) -> ValidationReport:
    """The report of every report's validation; DataNotValidError unless every report conforms
    (the rule across reports comes later, on the store the data is loaded into)."""
    progress("validating")
    report = validate_reports(
        settings.ontology_dir,
        settings.shapes_dir,
        paths,
        root=settings.root,
        jobs=jobs,
        across=False,
        progress=progress,
    )
    _require(report.results)
    return report


def _require(results: Sequence[ValidationResult]) -> None:
    """Raise DataNotValidError if any of ``results`` is a violation."""
    violations = [result for result in results if result.severity is Severity.VIOLATION]
    if violations:
        first = violations[0]
        raise DataNotValidError(
            f"the data does not conform to the shapes ({len(violations)} violation(s); first: "
            f"{first.focus_node}: {first.message}); run `tipgraph validate` for all of them, "
            "or load anyway with --no-validate. The store was not changed."
        )
