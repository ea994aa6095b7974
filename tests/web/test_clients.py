"""The SPARQL clients analysts use, unchanged, against a real server: one matrix.

SPARQLWrapper with every return format on GET, POST (form) and POST (query body); rdflib's
SPARQLStore; pandas reading CSV and TSV results; Jena's ``rsparql`` and Comunica. The tools
outside Python are found by an environment variable, else where their installer puts them; a
test that needs a missing tool fails and says how to install it (it never skips).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from urllib.parse import urlencode
from xml.dom.minidom import Document

import pandas
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    POSTDIRECTLY,
    RDF,
    RDFXML,
    TSV,
    TURTLE,
    URLENCODED,
    XML,
    SPARQLWrapper,
)

from ..helpers import ROOT
from ..helpers.servers import LiveServer

SELECT = (
    "PREFIX tip: <https://w3id.org/tipgraph/ontology#> "
    "SELECT ?observation ?indicator WHERE { ?observation tip:indicator ?indicator } "
    "ORDER BY ?observation LIMIT 3"
)
ASK = "ASK { ?s ?p ?o }"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5"
DESCRIBE = "DESCRIBE <https://w3id.org/tipgraph/id/agency/mia>"
RESULTS = {
    JSON: "application/sparql-results+json",
    XML: "application/sparql-results+xml",
    CSV: "text/csv",
    TSV: "text/tab-separated-values",
}
GRAPHS = {
    TURTLE: "text/turtle",
    N3: "text/turtle",  # N3 asked, Turtle (a subset of N3) given
    RDF: "application/rdf+xml",
    RDFXML: "application/rdf+xml",
    XML: "application/rdf+xml",
    JSONLD: "application/ld+json",
    JSON: "application/ld+json",
}
METHODS = {"GET": (GET, URLENCODED), "POST": (POST, URLENCODED), "POST-body": (POST, POSTDIRECTLY)}
CASES = [
    (query, form, expected)
    for query, formats in (
        (SELECT, RESULTS),
        (ASK, RESULTS),
        (CONSTRUCT, GRAPHS),
        (DESCRIBE, GRAPHS),
    )
    for form, expected in formats.items()
]


def _case_id(case: tuple[str, str, str]) -> str:
    return f"{case[0].split()[0] if 'PREFIX' not in case[0] else 'SELECT'}-{case[1]}"


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_sparqlwrapper(live_server: LiveServer, case: tuple[str, str, str], method: str) -> None:
    query, return_format, expected = case
    wrapper = SPARQLWrapper(f"{live_server.url}/sparql")
    wrapper.setQuery(query)
    wrapper.setReturnFormat(return_format)
    wrapper.setMethod(METHODS[method][0])
    wrapper.setRequestMethod(METHODS[method][1])
    result = wrapper.query()
    assert result.info()["content-type"].split(";")[0] == expected
    _check(result.convert(), expected)


def _check(converted: object, expected: str) -> None:
    """The converted answer holds what the query asked for."""
    if expected == "application/sparql-results+json":
        assert isinstance(converted, dict)
        assert "boolean" in converted or len(converted["results"]["bindings"]) == 3
    elif expected == "application/sparql-results+xml":
        assert isinstance(converted, Document)
        assert converted.getElementsByTagName("boolean") or converted.getElementsByTagName("result")
    elif expected in ("text/csv", "text/tab-separated-values"):
        assert isinstance(converted, bytes) and converted.strip()
    elif isinstance(converted, rdflib.Graph):
        assert len(converted) > 0
    elif isinstance(converted, bytes):
        rdf_format = ox.RdfFormat.from_media_type(expected)
        assert rdf_format is not None and list(ox.parse(converted, format=rdf_format))
    else:  # SPARQLWrapper parses JSON-LD asked as JSON with json.loads
        assert expected == "application/ld+json" and converted


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_rdflib_sparqlstore(live_server: LiveServer, method: str) -> None:
    store = SPARQLStore(f"{live_server.url}/sparql", method=method, returnFormat="xml")
    graph = rdflib.Graph(store)
    rows = list(graph.query(SELECT))
    assert len(rows) == 3 and all(isinstance(row[1], rdflib.URIRef) for row in rows)  # type: ignore[index]
    assert graph.query(ASK).askAnswer is True
    assert len(graph.query(CONSTRUCT).graph) == 5  # type: ignore[arg-type]
    assert len(list(graph.triples((None, rdflib.RDF.type, None)))) > 0


@pytest.mark.parametrize(("name", "separator"), [("csv", ","), ("tsv", "\t")])
def test_pandas_reads_results(live_server: LiveServer, name: str, separator: str) -> None:
    url = f"{live_server.url}/sparql?{urlencode({'query': SELECT, 'format': name})}"
    frame = pandas.read_csv(url, sep=separator)
    assert len(frame) == 3
    columns = ["observation", "indicator"] if name == "csv" else ["?observation", "?indicator"]
    assert list(frame.columns) == columns


# Jena's command-line tools: Debian's libapache-jena-java ships the jars, not the scripts.
JENA_JARS = Path("/usr/share/java")
JENA_CLASSPATH = ("jena-arq", "jena-base", "jena-cmds", "jena-core", "jena-iri", "commons-cli")
JENA_CLASSPATH += ("commons-codec", "commons-compress", "commons-csv", "commons-io")
JENA_CLASSPATH += ("commons-lang3", "dexx.collection", "gson", "guava", "httpclient", "httpcore")
JENA_CLASSPATH += ("jackson-core", "jackson-databind", "jackson-annotations", "jakarta.json-api")
JENA_CLASSPATH += ("jsonld-java", "protobuf", "thrift", "titanium-json-ld", "slf4j-api")
JENA_CLASSPATH += ("slf4j-nop",)
SHADED_MESSAGES = "org/apache/jena/ext/xerces/"


@pytest.fixture(scope="module")
def rsparql(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Jena's rsparql: $TIPGRAPH_RSPARQL, else `rsparql` on the PATH, else Debian's jars."""
    command = os.environ.get("TIPGRAPH_RSPARQL") or shutil.which("rsparql")
    if command:
        return [command]
    java = shutil.which("java")
    if java is None or not (JENA_JARS / "jena-cmds.jar").is_file():
        pytest.fail(
            "the Jena client tests need Jena's rsparql: apt-get install -y "
            "--no-install-recommends libapache-jena-java default-jre-headless, or set "
            "TIPGRAPH_RSPARQL to an rsparql command.",
            pytrace=False,
        )
    jars = [str(JENA_JARS / f"{name}.jar") for name in JENA_CLASSPATH]
    messages = _xerces_messages(tmp_path_factory.mktemp("jena"))
    return [java, "-cp", ":".join([*jars, str(messages)]), "arq.rsparql"]


def _xerces_messages(folder: Path) -> Path:
    """Debian's jena-core 4.5.0 moved its shaded Xerces classes to ``xerces.`` but left their
    message bundles under ``org/apache/jena/ext/xerces/``: without them Jena cannot start. A
    folder with the bundles where the classes look, for the class path."""
    with zipfile.ZipFile(JENA_JARS / "jena-core.jar") as jar:
        for name in jar.namelist():
            if name.startswith(SHADED_MESSAGES) and name.endswith(".properties"):
                target = folder / "xerces" / name.removeprefix(SHADED_MESSAGES)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    return folder


def comunica_command() -> list[str]:
    """Comunica's comunica-sparql: $TIPGRAPH_COMUNICA, else where npm installs it."""
    command = os.environ.get("TIPGRAPH_COMUNICA")
    candidates = [
        ROOT / ".cache/node/node_modules/.bin/comunica-sparql",
        Path(tempfile.gettempdir()) / "tipgraph-comunica/node_modules/.bin/comunica-sparql",
    ]
    found = command or next((str(p) for p in candidates if p.is_file()), None)
    if found is None or shutil.which("node") is None:
        pytest.fail(
            "the Comunica client tests need node and Comunica: apt-get install -y nodejs npm; "
            "npm install --prefix .cache/node @comunica/query-sparql@4 (version 5 needs Node "
            "22), or set TIPGRAPH_COMUNICA to a comunica-sparql command.",
            pytrace=False,
        )
    return [found]


def _run(command: list[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    ("query", "results", "expected"),
    [
        (SELECT, "CSV", "observation,indicator"),
        (SELECT, "JSON", '"bindings"'),
        (SELECT, "TSV", "?observation\t?indicator"),
        (ASK, "XML", "<boolean>true</boolean>"),
        (CONSTRUCT, "TTL", "@prefix"),
        (DESCRIBE, "NT", "<https://w3id.org/tipgraph/id/agency/mia>"),
    ],
    ids=["select-csv", "select-json", "select-tsv", "ask-xml", "construct-ttl", "describe-nt"],
)
def test_jena_rsparql(
    live_server: LiveServer, rsparql: list[str], query: str, results: str, expected: str
) -> None:
    service = f"{live_server.url}/sparql"
    output = _run([*rsparql, "--service", service, f"--results={results}", query])
    assert expected in output


@pytest.mark.slow
@pytest.mark.parametrize(
    ("query", "output_type", "check"),
    [
        (SELECT, "application/sparql-results+json", "select"),
        (ASK, "simple", "ask"),
        (CONSTRUCT, "application/n-triples", "graph"),
    ],
    ids=["select", "ask", "construct"],
)
def test_comunica(live_server: LiveServer, query: str, output_type: str, check: str) -> None:
    command = comunica_command()
    source = f"sparql@{live_server.url}/sparql"
    output = _run([*command, source, "-q", query, "-t", output_type])
    if check == "select":
        assert len(json.loads(output)["results"]["bindings"]) == 3
    elif check == "ask":
        assert output.strip() == "true"
    else:
        assert len(list(ox.parse(output.encode(), format=ox.RdfFormat.N_TRIPLES))) == 5
