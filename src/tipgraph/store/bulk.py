"""Bulk loading of RDF files into an embedded store: Oxigraph's loader, one thread per core.

Each file is parsed and written by Oxigraph itself (no Python object per triple), files in
parallel like ``oxigraph load``, each into its named graph. Once a graph's last file is in, the
graph is counted: progress is in triples, and the manifest gets the count of every graph.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from tipgraph.dataset import RDF_SUFFIXES
from tipgraph.errors import DataLayoutError, DataSyntaxError


@dataclass(frozen=True)
class LoadProgress:
    """How far a bulk load is: files and bytes done, triples in the store, seconds spent."""

    files_done: int
    files: int
    bytes_done: int
    bytes: int
    triples: int
    seconds: float

    @property
    def triples_per_second(self) -> float:
        return self.triples / self.seconds if self.seconds > 0 else 0.0


OnProgress = Callable[[LoadProgress], None]


def count_graph(store: ox.Store, graph: str) -> int:
    """The number of triples in one named graph."""
    query = f"SELECT (COUNT(*) AS ?n) {{ GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }} }}"
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    return int(next(iter(solutions))["n"].value)


def load_file(store: ox.Store, file: Path, graph: str) -> None:
    """Bulk-load one file into ``graph``; a syntax error names the file, line and column.

    (``Store.load``, one transaction, is no quicker even for small files, and kept 800 MB for a
    million triples in many files, against 60 MB here.)
    """
    try:
        store.bulk_load(path=file, format=RDF_SUFFIXES[file.suffix], to_graph=ox.NamedNode(graph))
    except SyntaxError as error:
        raise DataSyntaxError(file, error.lineno, error.offset, error.msg) from None
    except UnicodeDecodeError as error:
        raise DataSyntaxError(file, None, None, f"not UTF-8 text ({error.reason})") from None
    except FileNotFoundError as error:
        raise DataLayoutError(f"{file}: cannot read ({error.strerror})") from None


def bulk_load(
    store: ox.Store,
    files: Sequence[tuple[Path, str]],
    *,
    threads: int = 1,
    on_progress: OnProgress = lambda _: None,
) -> dict[str, int]:
    """Load every (file, graph) pair, ``threads`` files at a time; the triples of each graph.

    The first error stops the files not yet started and is raised once the running ones end.
    """
    sizes = {file: file.stat().st_size for file, _ in files}
    total = sum(sizes.values())
    left = Counter(graph for _, graph in files)  # files still to load, per graph
    counts: dict[str, int] = {}
    done = {"files": 0, "bytes": 0}
    lock = threading.Lock()
    failed = threading.Event()
    started = time.perf_counter()

    def load(pair: tuple[Path, str]) -> None:
        file, graph = pair
        if failed.is_set():
            return
        try:
            load_file(store, file, graph)
        except BaseException:
            failed.set()
            raise
        with lock:
            left[graph] -= 1
            last = left[graph] == 0
        triples = count_graph(store, graph) if last else 0  # once a graph is complete
        with lock:
            if last:
                counts[graph] = triples
            done["files"] += 1
            done["bytes"] += sizes[file]
            on_progress(
                LoadProgress(
                    files_done=done["files"],
                    files=len(files),
                    bytes_done=done["bytes"],
                    bytes=total,
                    triples=sum(counts.values()),
                    seconds=time.perf_counter() - started,
                )
            )

    waiting = sorted(files, key=lambda pair: sizes[pair[0]])  # popped biggest first
    errors: list[BaseException] = []

    def take_files() -> None:
        while True:
            with lock:
                if failed.is_set() or not waiting:
                    return
                pair = waiting.pop()
            try:
                load(pair)
            except BaseException as error:
                errors.append(error)
                return

    # Daemon threads, not a ThreadPoolExecutor: on a full disk RocksDB may wait for space in
    # one of them forever, and Python waits for an executor's threads before it exits.
    loaders = [
        threading.Thread(target=take_files, name="tipgraph-bulk-load", daemon=True)
        for _ in range(max(1, min(threads, len(files))))
    ]
    for loader in loaders:
        loader.start()
    for loader in loaders:
        loader.join()
    if errors:
        raise errors[0]
    return counts
