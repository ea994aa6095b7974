"""Validation per report, in parallel: the same findings as one run over everything, plus the
rule no report can break alone (an IRI minted by two reports)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from tipgraph.cli import main
from tipgraph.conformance import Plan, check_dataset, cross_report_results, validate_reports
from tipgraph.dataset import assemble_dataset
from tipgraph.namespaces import QB, RDF, graph_iri
from tipgraph.store.location import StoreLocation
from tipgraph.validation import load_shapes

ROOT = Path(__file__).resolve().parent.parent
OBS = "https://w3id.org/tipgraph/id/observation/"
GENERATE = ("--triples", "10000", "--seed", "5")  # two reports and their reference folder


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three synthetic reports (bench/generate.py) and their reference folder."""
    root = tmp_path_factory.mktemp("conformance") / "root"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), *GENERATE, "--out", str(root)],
        check=True,
        capture_output=True,
    )
    return root


@pytest.fixture
def root(generated: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "root"
    shutil.copytree(generated, copy)
    return copy


def _reports(root: Path) -> list[Path]:
    return Plan.of([root / "data"]).reports


def _edit(file: Path, old: str, new: str) -> None:
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_plan_puts_every_report_with_the_shared_folder(generated: Path) -> None:
    plan = Plan.of([generated / "data"])
    assert len(plan.reports) >= 2
    assert all(file.parent.name == "synthetic-reference" for file in plan.shared)
    assert plan.units()[0] == (plan.shared, ())
    assert plan.units()[1] == ((*plan.shared, plan.reports[0]), (plan.reports[0],))
    together = plan.units(batch=2)[1]
    assert together == ((*plan.shared, *plan.reports[:2]), tuple(plan.reports[:2]))


@pytest.mark.parametrize("batch", [1, 2], ids=["a report a run", "two reports a run"])
def test_parallel_validation_finds_what_one_run_over_everything_finds(
    root: Path, batch: int
) -> None:
    first, second = _reports(root)[:2]
    # A violation in each of two reports: a label lost, a dimension value outside its list …
    _edit(
        first / "data.ttl",
        "obs:1 a qb:Observation ;\n    rdfs:label",
        "obs:1 a qb:Observation ;\n    rdfs:comment",
    )
    _edit(
        second / "data.ttl",
        "sdmx-dimension:refPeriod period:",
        "sdmx-dimension:refPeriod <https://w3id.org/tipgraph/id/period/nowhen> , period:",
    )
    # … and a figure that is not its words (a fidelity rule, checked in Python).
    _edit(second / "data.ttl", "sdmx-measure:obsValue ", "sdmx-measure:obsValue 1")
    parts: list[str] = []
    parallel = validate_reports(
        root / "ontology",
        ROOT / "shapes",
        [root / "data"],
        root=root,
        jobs=2,
        progress=parts.append,
        batch=batch,
    )
    reports = len(_reports(root))
    runs = 1 + -(-reports // batch)  # the shared files, then the reports ``batch`` at a time
    assert parts[-1] == f"validated {runs}/{runs} parts ({reports} reports)"
    whole = check_dataset(
        assemble_dataset(root / "ontology", [root / "data"]),
        load_shapes(ROOT / "shapes"),
        root=root,
    )
    assert not parallel.conforms and not whole.conforms
    assert parallel.results == whole.results
    assert any(r.shape == "tipgraph:ValueIsTheWords" for r in parallel.results)
    assert parallel.triples == whole.triples
    assert parallel.report_turtle.count("sh:ValidationResult") >= len(whole.results)


def test_an_iri_minted_by_two_reports_is_a_violation_and_is_not_loaded(
    root: Path, tmp_path: Path
) -> None:
    first, second = _reports(root)[:2]
    minted = f"{OBS}{first.name}/1"
    with (second / "data.ttl").open("a", encoding="utf-8") as data:
        data.write(f"\n<{minted}> a <http://purl.org/linked-data/cube#Observation> .\n")
    result = CliRunner().invoke(main, ["--root", str(root), "validate", "--format", "json"])
    assert result.exit_code == 1, result.output
    assert minted in result.output
    assert "minted (given a type) by 2 reports" in result.output

    store = tmp_path / "store"
    loaded = CliRunner().invoke(main, ["--root", str(root), "load", "--store", str(store)])
    assert loaded.exit_code == 2
    assert "does not conform" in loaded.output
    assert StoreLocation(store).current() is None


def test_a_syntax_error_in_a_worker_names_the_file_and_line(root: Path) -> None:
    report = _reports(root)[1]
    with (report / "data.ttl").open("a", encoding="utf-8") as data:
        data.write("\n<broken> <triple\n")
    result = CliRunner().invoke(main, ["--root", str(root), "validate"])
    assert result.exit_code == 2
    assert re.search(rf"{report.name}/data\.ttl:\d+:\d+: ", result.output), result.output


def test_the_generated_data_loads_with_progress_in_triples(root: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    result = CliRunner().invoke(
        main,
        ["--root", str(root), "load", "--store", str(store), "--no-dumps", "--no-validate"],
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"loading 100% .* triples/s", result.output)
    version = StoreLocation(store).require_current()
    assert version.manifest.triples > 10_000
    assert not (version.path / "dumps").exists()


def test_the_rule_across_reports_runs_on_any_store(tmp_path: Path) -> None:
    """What `tipgraph load` checks on the new store before making it current."""
    folders = [tmp_path / "report-a", tmp_path / "report-b", tmp_path / "report-c"]
    shared, other = f"{OBS}report-a/1", f"{OBS}report-c/1"
    store = ox.Store()
    for folder, subject in zip(folders, (shared, shared, other), strict=True):
        folder.mkdir()
        (folder / "data.ttl").write_text(f"<{subject}> a <{QB}Observation> .\n", encoding="utf-8")
        store.add(
            ox.Quad(
                ox.NamedNode(subject),
                ox.NamedNode(f"{RDF}type"),
                ox.NamedNode(f"{QB}Observation"),
                ox.NamedNode(graph_iri(folder.name)),
            )
        )
    found = cross_report_results(store, folders, tmp_path)
    assert [r.focus_node for r in found] == [shared]
    assert found[0].files == ("report-a/data.ttl", "report-b/data.ttl")
    assert cross_report_results(store, folders[:1], tmp_path) == []


def test_relative_paths_and_single_files_are_checked_too(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = _reports(root)[:2]
    _edit(
        first / "data.ttl",
        "obs:1 a qb:Observation ;\n    rdfs:label",
        "obs:1 a qb:Observation ;\n    rdfs:comment",
    )
    monkeypatch.chdir(root)
    shared = "data/synthetic-reference"
    for given in (
        [f"data/{first.name}", f"data/{second.name}", shared],
        [f"data/{first.name}/data.ttl", f"data/{second.name}", shared],
    ):
        result = CliRunner().invoke(main, ["--root", ".", "validate", *given])
        assert result.exit_code == 1, result.output
        assert f"{OBS}{first.name}/1" in result.output
