"""Sorting on disk: the same order as sorting in memory, whatever the size of a run."""

from __future__ import annotations

import random

import pytest

from tipgraph.sorting import sorted_lines


def _lines(count: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    return [f"<http://example.org/{rng.randrange(count // 2)}> .\n".encode() for _ in range(count)]


@pytest.mark.parametrize("run_lines", [1, 7, 100, 10_000])
def test_runs_on_disk_merge_to_the_in_memory_order(run_lines: int) -> None:
    lines = _lines(1000, seed=run_lines)
    assert list(sorted_lines(lines, run_lines=run_lines)) == sorted(lines)


@pytest.mark.parametrize("run_lines", [3, 10_000])
def test_unique_drops_repeats_across_runs(run_lines: int) -> None:
    lines = _lines(500, seed=2)
    assert list(sorted_lines(lines, run_lines=run_lines, unique=True)) == sorted(set(lines))


def test_nothing_in_nothing_out() -> None:
    assert list(sorted_lines([], run_lines=2)) == []
