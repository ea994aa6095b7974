"""Sorting more lines than fit in memory: sorted runs on disk, merged as they are read."""

from __future__ import annotations

import heapq
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from itertools import groupby, islice
from pathlib import Path

RUN_LINES = 200_000  # lines sorted in memory at once (tens of megabytes of N-Triples)


def sorted_lines(
    lines: Iterable[bytes],
    *,
    run_lines: int = RUN_LINES,
    unique: bool = False,
    folder: Path | None = None,
) -> Iterator[bytes]:
    """``lines`` (each ending in a newline) in byte order; ``unique`` drops repeats.

    Up to ``run_lines`` are sorted in memory; beyond that, sorted runs go to temporary files
    (in ``folder``, default the system's) that are merged lazily, so memory stays bounded
    whatever the input size.
    """
    source = iter(lines)
    first = sorted(islice(source, run_lines))
    if len(first) < run_lines:
        yield from _unique(first) if unique else first
        return
    with (
        tempfile.TemporaryDirectory(prefix="tipgraph-sort-", dir=folder) as scratch,
        ExitStack() as files,
    ):
        runs = [_write_run(Path(scratch), 0, first)]
        del first
        while chunk := sorted(islice(source, run_lines)):
            runs.append(_write_run(Path(scratch), len(runs), chunk))
        merged = heapq.merge(*(files.enter_context(run.open("rb")) for run in runs))
        yield from _unique(merged) if unique else merged


def _unique(lines: Iterable[bytes]) -> Iterator[bytes]:
    return (line for line, _ in groupby(lines))


def _write_run(folder: Path, number: int, lines: list[bytes]) -> Path:
    run = folder / f"run-{number:06d}"
    with run.open("wb", buffering=1 << 20) as stream:
        stream.writelines(lines)
    return run
