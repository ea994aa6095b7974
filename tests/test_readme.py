"""README stays true: its commands exist, its queries run and return rows."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest

from tipgraph.cli import main
from tipgraph.dataset import AssembledDataset

from .helpers import ROOT
from .helpers.documented import table

README = (ROOT / "README.md").read_text(encoding="utf-8")
QUERIES = re.findall(r"```sparql\n(.*?)```", README, flags=re.DOTALL)


def test_readme_has_two_commands_at_the_top() -> None:
    blocks = re.findall(r"```sh\n(.*?)```", README, flags=re.DOTALL)
    run, test = blocks[0].strip(), blocks[1].strip()
    assert "tipgraph" in run
    assert test == "scripts/test"  # provisions what the tests need, then runs pytest
    assert "pytest" in (ROOT / test).read_text(encoding="utf-8")
    assert README.index("<!-- test-command -->") < README.index(test)


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_is_in_readme(command: str) -> None:
    assert f"`tipgraph {command}" in README


def test_readme_has_queries() -> None:
    assert QUERIES


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.split("SELECT")[-1][:30])
def test_readme_query_runs_and_returns_rows(bundled: AssembledDataset, query: str) -> None:
    solutions = bundled.store.query(query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    rows = list(solutions)
    assert len(rows) >= 5


def test_every_row_of_what_happens_when_is_checked_by_a_test() -> None:
    calls = "".join(path.read_text(encoding="utf-8") for path in (ROOT / "tests").rglob("*.py"))
    checked = set(re.findall(r'documented\(\s*"([^"]+)"', calls))
    rows = set(table())
    assert rows, "README has no table of what happens when…"
    assert rows - checked == set(), "rows no test checks"
    assert checked - rows == set(), "tests of rows README does not have"
