"""The workbench's proof: the 2018 report rebuilt from `new-report` and `draft`, compared with
the curated data. The figures are printed (`pytest -s`); the floors below keep them."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from tipgraph.cli import main
from tipgraph.namespaces import sparql_prologue

from .helpers import REPORT, ROOT

CURATED = ROOT / "data" / REPORT
SLUG = "az-proof-2018"
FIGURES = """
SELECT ?o ?stated ?value ?qualifier ?period ?unit ?start ?end WHERE {
  ?o a ?type ; tip:statedValue ?stated ; sdmx-dimension:refPeriod ?period ;
     prov:wasDerivedFrom ?quote .
  VALUES ?type { qb:Observation tip:DraftFigure }
  ?quote a tip:Quote ; oa:hasSelector ?position . ?position oa:start ?start ; oa:end ?end .
  OPTIONAL { ?o sdmx-measure:obsValue ?value }
  OPTIONAL { ?o tip:valueQualifier ?qualifier }
  OPTIONAL { ?o sdmx-attribute:unitMeasure ?unit }
}"""
NUMERALS = """
SELECT ?start ?kind WHERE {
  ?n a tip:NonStatisticalNumeral ; tip:numeralKind ?kind ; oa:hasSelector ?position .
  ?position a oa:TextPositionSelector ; oa:start ?start .
}"""


def _rows(files: list[Path], query: str) -> list[dict[str, str]]:
    store = ox.Store()
    for file in files:
        store.load(path=file, format=ox.RdfFormat.TURTLE)
    solutions = store.query(sparql_prologue() + query)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in solutions]


@pytest.fixture(scope="module")
def draft(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("proof")
    for name in ("ontology", "shapes"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copytree(ROOT / "data" / "reference", root / "data" / "reference")
    runner = CliRunner()
    made = runner.invoke(
        main,
        [
            *("--root", str(root), "new-report", SLUG, "--text", str(CURATED / "source.en.txt")),
            *("--title", "Annual report on 2018", "--publisher", "MIA"),
            *("--issued", "2019", "--period", "2018"),
        ],
    )
    assert made.exit_code == 0, made.output
    drafted = runner.invoke(main, ["--root", str(root), "draft", SLUG])
    assert drafted.exit_code == 0, drafted.output
    return root / "data" / SLUG / "draft.ttl"


def test_the_draft_proposes_the_curated_figures(draft: Path) -> None:
    curated = {
        r["o"]: r for r in _rows([CURATED / "report.ttl", CURATED / "statistics.ttl"], FIGURES)
    }
    proposed = _rows([draft], FIGURES)
    found = right_value = right_qualifier = right_period = right_unit = wrong_unit = 0
    for figure in curated.values():
        start, end = int(figure["start"]), int(figure["end"])
        same = [
            d
            for d in proposed
            if (int(d["start"]), int(d["end"])) == (start, end) and d["stated"] in figure["stated"]
        ]
        if not same:
            continue
        found += 1
        chosen = min(same, key=lambda d: d["stated"] != figure["stated"])  # "527,000", not "27"
        right_value += chosen.get("value") is not None and float(chosen["value"]) == float(
            figure["value"]
        )
        right_qualifier += chosen.get("qualifier") == figure.get("qualifier")
        right_period += chosen["period"].rsplit("/", 1)[-1] == figure["period"].rsplit("/", 1)[-1]
        right_unit += chosen.get("unit") == figure["unit"]
        wrong_unit += chosen.get("unit") not in (None, figure["unit"])
    print(
        f"\n{len(curated)} curated figures; the draft proposed {found} with their quote, "
        f"{right_value} with the value, {right_qualifier} with the qualifier, {right_period} "
        f"with the period, {right_unit} with the unit ({wrong_unit} with another); "
        f"{len(proposed)} draft figures in all"
    )
    assert found >= 63 and right_value >= 62 and right_qualifier >= 62 and right_period >= 48
    assert right_unit >= 51 and wrong_unit <= 4
    assert len(proposed) <= len(curated)  # nothing proposed as a figure that is none


def test_the_draft_proposes_the_curated_non_statistical_numerals(draft: Path) -> None:
    curated = {int(r["start"]): r["kind"] for r in _rows([CURATED / "report.ttl"], NUMERALS)}
    proposed = {int(r["start"]): r["kind"] for r in _rows([draft], NUMERALS)}
    same = sum(1 for start, kind in curated.items() if proposed.get(start) == kind)
    print(f"\n{len(curated)} curated non-statistical numerals; {same} proposed with their kind")
    assert same == len(curated)


def _turtle_blocks(text: str) -> list[str]:
    return re.findall(r"```turtle\n(.*?)```", text, re.DOTALL)


def _graph(turtle: str, prefixes: str) -> set[tuple[str, str, str]]:
    """The triples of ``turtle`` (blank nodes by their place, not their label)."""
    store = ox.Store()
    store.load(prefixes + turtle, format=ox.RdfFormat.TURTLE)
    return {
        (str(q.subject), str(q.predicate), str(q.object))
        for q in store
        if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)
    }


def test_the_worked_paragraph_of_the_guide_is_what_the_tools_and_the_data_say(draft: Path) -> None:
    guide = (ROOT / "CURATING.md").read_text(encoding="utf-8")
    proposed, curated = _turtle_blocks(guide)
    statistics = (CURATED / "statistics.ttl").read_text(encoding="utf-8")
    prefixes = "".join(re.findall(r"^@prefix .*\n", statistics, re.MULTILINE))
    assert _graph(curated, prefixes) <= _graph(statistics, "")
    drafted = draft.read_text(encoding="utf-8").replace(SLUG, REPORT)
    draft_prefixes = "".join(re.findall(r"^@prefix .*\n", drafted, re.MULTILINE))
    assert _graph(proposed, draft_prefixes) <= _graph(drafted, "")
