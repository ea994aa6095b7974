"""The `tipgraph` command line, through click's CliRunner, on the real data and real pyshacl."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from tipgraph.cli import main

from .helpers import REPORT, ROOT
from .helpers.documented import documented


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--root", str(ROOT), *args])
    return result.exit_code, result.stdout, result.stderr


def run_in(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--root", str(root), *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    "command",
    [[], ["validate"], ["coverage"], ["locate"], ["load"], ["query"], ["dump"], ["serve"]],
)
def test_help(command: list[str]) -> None:
    code, out, _ = run(*command, "--help")
    assert code == 0
    assert "Usage:" in out


def test_validate_bundled_data_conforms() -> None:
    code, out, err = run("validate")
    assert code == 0, out
    assert out == ""
    assert "conforms" in err


def test_validate_json_for_pipelines() -> None:
    code, out, _ = run("validate", "--format", "json")
    body = json.loads(out)
    assert code == 0
    assert body["conforms"] is True
    assert body["triples"] > 3000
    assert body["results"] == []


def test_validate_turtle_is_the_shacl_report() -> None:
    code, out, _ = run("validate", "--format", "turtle")
    assert code == 0
    assert "sh:ValidationReport" in out
    assert "sh:conforms true" in out


def test_validate_reports_violations_by_focus_node_with_file(checkout_copy: Path) -> None:
    statistics = checkout_copy / "data" / REPORT / "statistics.ttl"
    text = statistics.read_text(encoding="utf-8")
    statistics.write_text(text.replace('    tip:statedValue "946" ;\n', ""), encoding="utf-8")
    code, out, err = run_in(checkout_copy, "validate")
    assert code == 1
    assert "workers-without-contract-2018" in out
    assert f"data/{REPORT}/statistics.ttl" in out
    assert "numeral as written" in out
    assert "violation" in err


def test_validate_json_lists_violations(checkout_copy: Path) -> None:
    statistics = checkout_copy / "data" / REPORT / "statistics.ttl"
    text = statistics.read_text(encoding="utf-8")
    statistics.write_text(
        text.replace("tip:valueQualifier qualifier:exact", "", 1), encoding="utf-8"
    )
    code, out, _ = run_in(checkout_copy, "validate", "--format", "json")
    body = json.loads(out)
    assert code == 1
    assert body["conforms"] is False
    (result,) = {
        r["message"]: r for r in body["results"] if "valueQualifier" in (r["path"] or "")
    }.values()
    assert result["severity"] == "Violation"
    assert result["files"] == [f"data/{REPORT}/statistics.ttl"]


def test_validate_broken_turtle_names_file_line_and_column(checkout_copy: Path) -> None:
    broken = checkout_copy / "data" / REPORT / "legal.ttl"
    lines = broken.read_text(encoding="utf-8").splitlines()
    lines[20] = lines[20] + ' "unterminated'
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run_in(checkout_copy, "validate")
    assert code == 2
    assert out == ""
    assert f"data/{REPORT}/legal.ttl:21:" in err
    assert "Traceback" not in err
    documented("broken Turtle (validate, load)", code, err)


def test_validate_another_data_folder(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "agencies.ttl").write_text(
        "@prefix org: <http://www.w3.org/ns/org#> .\n"
        "<https://w3id.org/tipgraph/id/agency/Bad_IRI> a org:Organization .\n",
        encoding="utf-8",
    )
    code, out, _ = run("validate", str(folder))
    assert code == 1
    assert "Bad_IRI" in out
    assert "lowercase" in out


def test_validate_outside_a_checkout_says_what_to_do(tmp_path: Path) -> None:
    code, _, err = run_in(tmp_path, "validate")
    assert code == 2
    assert "--root" in err


def test_coverage_of_bundled_data_is_complete() -> None:
    code, out, err = run("coverage")
    assert code == 0
    assert out == ""
    assert "0 missing" in err


def test_coverage_lists_every_numeral_with_all() -> None:
    code, out, _ = run("coverage", "--all", "--format", "json")
    (report,) = json.loads(out)
    assert code == 0
    assert len(report["numerals"]) >= 80
    assert all(n["covered_by"] for n in report["numerals"])


def test_coverage_names_the_missing_numeral(checkout_copy: Path) -> None:
    statistics = checkout_copy / "data" / REPORT / "statistics.ttl"
    text = statistics.read_text(encoding="utf-8")
    statistics.write_text(
        text.replace('tip:statedValue "706"', 'tip:statedValue "707"'), encoding="utf-8"
    )
    code, out, _ = run_in(checkout_copy, "coverage")
    assert code == 1
    assert "'706' MISSING" in out
    assert f"data/{REPORT}/source.en.txt:" in out


def test_locate_prints_selectors() -> None:
    source = f"data/{REPORT}/source.en.txt"
    code, out, _ = run("locate", str(ROOT / source), "706 victims")
    assert code == 0
    assert "oa:TextPositionSelector ; oa:start 13714 ; oa:end 13725" in out
    assert 'oa:exact "706 victims"' in out


def test_locate_explains_an_ambiguous_passage() -> None:
    code, out, err = run("locate", str(ROOT / f"data/{REPORT}/source.en.txt"), "victims")
    assert out == ""
    assert code == 2
    assert "quote more of the sentence" in err


def test_load_then_query_as_a_table(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    code, _, err = run("load", "--store", store)
    assert code == 0, err
    assert re.search(r"loaded [\d,]+ triples in 4 graphs", err)
    query = (
        "SELECT ?indicator (COUNT(?o) AS ?n) { ?o tip:indicator ?indicator } GROUP BY ?indicator"
    )
    code, out, _ = run("query", "--store", store, query)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["indicator", "|", "n"]
    assert lines[-1].endswith("rows)")
    assert any(line.startswith("<https://w3id.org/tipgraph/id/") for line in lines[2:-1])
    code, out, _ = run("query", "--store", store, "--format", "csv", query)
    assert out.splitlines()[0] == "indicator,n"
    code, out, _ = run("query", "--store", store, "--format", "turtle", "DESCRIBE tip:Quote")
    assert code == 0 and "@prefix tip:" in out
    code, out, _ = run("query", "--store", store, "ASK { ?s a qb:Observation }")
    assert out == "true\n"


def test_query_from_a_file_and_a_bad_query(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    run("load", "--store", store, "--no-validate")
    query_file = tmp_path / "q.rq"
    query_file.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n")
    code, out, _ = run("query", "--store", store, "--format", "json", "-f", str(query_file))
    assert code == 0 and json.loads(out)["results"]["bindings"][0]["n"]["value"].isdigit()
    query_file.write_text("SELECT * WHERE {\n  ?s ?p \n")
    code, _, err = run("query", "--store", store, "-f", str(query_file))
    assert code == 2
    assert "error at 3:1" in err or "error at 2:" in err


def test_query_without_a_store_says_to_load(tmp_path: Path) -> None:
    code, _, err = run("query", "--store", str(tmp_path / "none"), "ASK {}")
    assert code == 2
    assert "tipgraph load" in err


def test_load_refuses_invalid_data(checkout_copy: Path, tmp_path: Path) -> None:
    statistics = checkout_copy / "data" / REPORT / "statistics.ttl"
    text = statistics.read_text(encoding="utf-8")
    statistics.write_text(text.replace("prov:wasDerivedFrom", "rdfs:seeAlso"), encoding="utf-8")
    code, _, err = run_in(checkout_copy, "load", "--store", str(tmp_path / "store"))
    assert code == 2
    assert "does not conform" in err
    documented("data that does not conform (load)", code, err)
    assert not (tmp_path / "store" / "current").exists()
