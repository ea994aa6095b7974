"""The rows of the figures table, straight from the store: labels, units, filters, order."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tipgraph.figures_view import FigureRow, ViewError, figure_rows, select_view, sort_rows
from tipgraph.namespaces import ID
from tipgraph.published import open_dataset


@pytest.fixture(scope="module")
def rows(store_dir: Path) -> Iterator[list[FigureRow]]:
    dataset = open_dataset(store_dir)
    try:
        yield figure_rows(dataset.reader, ("en",))
    finally:
        dataset.close()


def test_a_count_reads_with_its_unit_in_the_right_number(rows: list[FigureRow]) -> None:
    people = [r for r in rows if (u := r.first("unit")) and u.iri == f"{ID}unit/person"]
    assert people
    for row in people:
        word = "person" if row.number == 1 else "persons"
        assert row.display.endswith(f" {word}"), row.display
    manats = [r for r in rows if (u := r.first("unit")) and u.iri == f"{ID}unit/azn"]
    assert manats and all(r.display.endswith(" manats") for r in manats)


def test_a_qualifier_other_than_exact_comes_first(rows: list[FigureRow]) -> None:
    for row in rows:
        qualifier = row.first("qualifier")
        if qualifier and not qualifier.iri.endswith("/exact"):
            assert row.display.startswith(qualifier.label.lower() + " "), row.display
        else:
            assert row.display[0].isdigit(), row.display


def test_a_row_without_the_sorted_column_comes_last(rows: list[FigureRow]) -> None:
    for sort in ("actor", "-actor"):
        ordered = sort_rows(rows, sort)
        present = [r.first("actor") is not None for r in ordered]
        assert present == sorted(present, reverse=True), sort
        assert any(present) and not all(present)


def test_a_filter_names_a_value_by_iri_path_or_last_segment(rows: list[FigureRow]) -> None:
    iri = f"{ID}period/2018"
    counts = {len(select_view(rows, {"period": [v]}, None).rows) for v in (iri, "period/2018")}
    assert len(counts) == 1 and counts.pop() > 0
    assert select_view(rows, {"period": [f"{ID}period/1066"]}, None).rows == []
    with pytest.raises(ViewError, match="names no period"):
        select_view(rows, {"period": ["1066"]}, None)
    with pytest.raises(ViewError, match="no column 'colour'"):
        select_view(rows, {"colour": ["red"]}, None)
