"""`tipgraph query` and `tipgraph serve` with ``--store URL``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from tipgraph.cli import main

from ..helpers import ROOT
from ..helpers.servers import free_port
from .conftest import Service, _stop, start_oxigraph

ORDERED = """SELECT ?indicator ?label (COUNT(?o) AS ?n)
WHERE { ?o tip:indicator ?indicator . ?indicator skos:prefLabel ?label FILTER(LANG(?label) = "en") }
GROUP BY ?indicator ?label ORDER BY DESC(?n) ?indicator"""


def query(store: str, *arguments: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--root", str(ROOT), "query", "--store", store, *arguments])
    return result.exit_code, result.stdout, result.stderr


def test_query_prints_what_the_embedded_store_prints(loaded: Service, store_dir: Path) -> None:
    for output_format in ("table", "csv", "tsv", "json"):
        remote = query(loaded.query_url, ORDERED, "--format", output_format)
        embedded = query(str(store_dir), ORDERED, "--format", output_format)
        assert remote[0] == 0, remote[2]
        assert remote[1] == embedded[1], output_format


def test_query_writes_graphs_as_turtle(loaded: Service) -> None:
    code, out, _ = query(loaded.query_url, "CONSTRUCT WHERE { ?s a tip:AnnualReport }")
    assert code == 0
    assert "@prefix tip: <https://w3id.org/tipgraph/ontology#> ." in out
    assert "tip:AnnualReport" in out


def test_a_syntax_error_is_found_before_the_service_is_asked(loaded: Service) -> None:
    """The parser's message, line and column, as on a store directory."""
    code, _, err = query(loaded.query_url, "SELECT * WHERE { ?s ?p }")
    assert code == 2
    assert err.startswith("Error: query does not parse: error at 1:")


def test_an_unreachable_store_is_one_sentence_and_exit_2() -> None:
    code, out, err = query(f"http://127.0.0.1:{free_port()}/query", "ASK {}")
    assert code == 2 and not out
    assert err.count("\n") == 1  # one line, no traceback
    assert "cannot reach the SPARQL service at http://127.0.0.1:" in err


def test_credentials_never_show(loaded: Service) -> None:
    url = f"http://someone:secret@127.0.0.1:{free_port()}/sparql"
    code, _, err = query(url, "ASK {}")
    assert code == 2
    assert "secret" not in err and "someone" not in err


def test_serve_does_not_load_a_service_itself(tmp_path: Path) -> None:
    service = start_oxigraph(tmp_path)
    try:
        command = [sys.executable, "-m", "tipgraph.cli", "--root", str(ROOT), "serve"]
        served = subprocess.run(
            [*command, "--store", service.query_url, "--port", str(free_port())],
            capture_output=True,
            text=True,
            timeout=60,
        )
        asked = query(service.query_url, "ASK {}")
    finally:
        _stop(service)
    assert served.returncode == 2
    assert "holds no tipgraph data yet; run `tipgraph load --store URL`" in served.stderr
    assert "Traceback" not in served.stderr
    assert asked[0] == 2 and "holds no tipgraph data yet" in asked[2]


def test_load_query_and_dump_a_fresh_service(tmp_path: Path, store_dir: Path) -> None:
    """The whole round: `tipgraph load --store URL`, then query it, then dump it (the dump is
    byte-identical to the embedded store's: blank nodes are labelled from their content)."""
    service = start_oxigraph(tmp_path)
    runner = CliRunner()
    try:
        loaded = runner.invoke(
            main, ["--root", str(ROOT), "load", "--no-validate", "--store", service.query_url]
        )
        counted = query(service.query_url, ORDERED, "--format", "csv")
        remote = runner.invoke(main, ["dump", "--store", service.query_url, "--format", "nq"])
    finally:
        _stop(service)
    embedded = runner.invoke(main, ["dump", "--store", str(store_dir), "--format", "nq"])
    assert loaded.exit_code == 0, loaded.output
    assert counted == query(str(store_dir), ORDERED, "--format", "csv")
    assert remote.exit_code == 0, remote.output
    assert remote.stdout_bytes == embedded.stdout_bytes
