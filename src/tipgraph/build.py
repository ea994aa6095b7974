"""The one pipeline from files to a published store: parse → validate → load fresh → swap."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from itertools import chain
from pathlib import Path

import pyoxigraph as ox

from tipgraph.catalog import write_downloads
from tipgraph.config import Settings
from tipgraph.dataset import (
    SourceText,
    assemble_dataset,
    data_sources,
    parse_file,
    rdf_files,
    source_text_quad,
    source_texts,
)
from tipgraph.errors import DataNotValidError, StoreError
from tipgraph.namespaces import ONTOLOGY_GRAPH, SHAPES_GRAPH
from tipgraph.store.location import DATABASE, Manifest, StoreLocation, StoreVersion

log = logging.getLogger(__name__)
Progress = Callable[[str], None]
PROGRESS_EVERY = 100_000  # quads


def input_files(settings: Settings, data_paths: Iterable[Path]) -> list[tuple[Path, str]]:
    """Every file a build reads, with the named graph it goes to."""
    sources = [(file, ONTOLOGY_GRAPH) for file in rdf_files(settings.ontology_dir)]
    return sources + data_sources(data_paths)


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


def _counted(
    quads: Iterable[ox.Quad], counts: dict[str, int], progress: Progress
) -> Iterator[ox.Quad]:
    total = sum(counts.values())
    for quad in quads:
        graph = quad.graph_name.value  # type: ignore[union-attr]
        counts[graph] = counts.get(graph, 0) + 1
        total += 1
        if total % PROGRESS_EVERY == 0:
            progress(f"{total:,} triples loaded")
        yield quad


def build_store(
    settings: Settings,
    location: StoreLocation,
    *,
    validate: bool = True,
    data_paths: Iterable[Path] | None = None,
    progress: Progress = log.info,
) -> StoreVersion:
    """Load the ontology and data into a fresh version of the store and make it current.

    With ``validate`` the data must conform to the shapes (DataNotValidError otherwise). Any
    failure leaves the current version exactly as it was.
    """
    started = time.perf_counter()
    paths = [Path(p) for p in (data_paths or [settings.data_dir])]
    sources = input_files(settings, paths)
    texts = source_texts(paths)
    text_files = [text.path for text in texts]
    # The shapes are published too (their own graph), so /ontology documents what is checked.
    shapes = [(file, SHAPES_GRAPH) for file in rdf_files(settings.shapes_dir)]
    version = content_version([f for f, _ in sources + shapes] + text_files, settings.root)
    # Validation parses every file into memory: load those quads rather than parse them again.
    quads: Iterable[ox.Quad] = chain(
        _validate(settings, paths, progress) if validate else _parse(sources, texts),
        _parse(shapes, []),
    )
    counts: dict[str, int] = {}
    with location.new_version() as folder:
        store = None
        try:
            store = ox.Store(str(folder / DATABASE))
            store.bulk_extend(_counted(quads, counts, progress))
            store.flush()
            store.optimize()
            loaded_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            write_downloads(store, folder, loaded_at, progress)
        except OSError as error:
            raise StoreError(
                f"{location.path}: the load failed ({error}); nothing changed."
            ) from None
        finally:
            del store  # close the database before its folder is moved or removed
        manifest = Manifest(
            version=version,
            triples=sum(counts.values()),
            graphs=dict(sorted(counts.items())),
            files=len(sources) + len(shapes) + len(text_files),
            loaded_at=loaded_at,
            seconds=round(time.perf_counter() - started, 3),
            validated=validate,
        )
        return location.activate(folder, manifest)


def _parse(sources: list[tuple[Path, str]], texts: list[SourceText]) -> Iterator[ox.Quad]:
    """Every quad of the input, streamed file by file (no whole-dataset objects)."""
    for file, graph in sources:
        yield from parse_file(file, graph)
    yield from map(source_text_quad, texts)


def _validate(settings: Settings, paths: list[Path], progress: Progress) -> ox.Store:
    """The dataset parsed in memory, once it conforms to the shapes."""
    from tipgraph.validation import load_shapes, validate

    progress("validating")
    assembled = assemble_dataset(settings.ontology_dir, paths)
    report = validate(assembled, load_shapes(settings.shapes_dir), root=settings.root)
    if not report.conforms:
        first = report.results[0]
        raise DataNotValidError(
            f"the data does not conform to the shapes ({report.violations} violation(s); first: "
            f"{first.focus_node}: {first.message}); run `tipgraph validate` for all of them, "
            "or load anyway with --no-validate. The store was not changed."
        )
    return assembled.store
