"""Rows are counted exactly while pyoxigraph's serialisers write, whatever the literals hold."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest

from tipgraph.errors import NotAcceptable, QuerySyntaxError, ResultTooLarge
from tipgraph.evaluation import PreparedQuery, QueryRequest

ROWS = 3000
# Literals built to look like row boundaries in every format.
NASTY = ['a,{"b":1},{}', "line\nbreak", 'quote"d', "<result>", 'x\r\n"y",z', "tab\there", '[{"', ""]


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    graph = ox.NamedNode("http://example.org/graph")
    for i in range(ROWS):
        value = ox.Literal(f"{NASTY[i % len(NASTY)]}{i}", language="en" if i % 2 else None)
        store.add(
            ox.Quad(
                ox.NamedNode(f"http://example.org/s{i}"),
                ox.NamedNode("http://example.org/p"),
                value,
                graph,
            )
        )
    return store


def parse_rows(body: bytes, output_format: str) -> int:
    if output_format == "json":
        return len(json.loads(body)["results"]["bindings"])
    if output_format == "xml":
        return body.count(b"<result>")
    if output_format == "csv":
        return len(list(csv.reader(io.StringIO(body.decode(), newline="")))) - 1
    return len(body.decode().split("\n")) - 2


class SmallWrites(io.BytesIO):
    """An output that sees every write, as the pipe to the web process does."""


@pytest.mark.parametrize("output_format", ["json", "xml", "csv", "tsv"])
def test_counts_match_the_parsed_rows(store: ox.Store, output_format: str) -> None:
    output = SmallWrites()
    prepared = PreparedQuery(store, QueryRequest("SELECT ?s ?o { ?s ?p ?o }", format=output_format))
    rows = prepared.write(output)
    assert rows == parse_rows(output.getvalue(), output_format) == ROWS


@pytest.mark.parametrize("output_format", ["json", "xml", "csv", "tsv", "nt", "ttl"])
def test_one_row_over_the_cap_is_an_error(store: ox.Store, output_format: str) -> None:
    query = (
        "SELECT ?s ?o { ?s ?p ?o }"
        if output_format in ("json", "xml", "csv", "tsv")
        else "CONSTRUCT WHERE { ?s ?p ?o }"
    )
    exact = PreparedQuery(store, QueryRequest(query, format=output_format, max_rows=ROWS))
    assert exact.write(io.BytesIO()) == ROWS
    over = PreparedQuery(store, QueryRequest(query, format=output_format, max_rows=ROWS - 1))
    with pytest.raises(ResultTooLarge, match=f"more than {ROWS - 1}"):
        over.write(io.BytesIO())


def test_errors_before_evaluation(store: ox.Store) -> None:
    with pytest.raises(QuerySyntaxError, match="1:"):
        PreparedQuery(store, QueryRequest("SELECT ?s {"))
    with pytest.raises(NotAcceptable):
        PreparedQuery(store, QueryRequest("ASK {}", accept="text/turtle"))


def test_the_tipgraph_prefixes_are_predeclared(store: ox.Store) -> None:
    output = io.BytesIO()
    PreparedQuery(store, QueryRequest("ASK { ?s a qb:Observation }")).write(output)
    assert json.loads(output.getvalue())["boolean"] is False


@pytest.mark.parametrize("output_format", ["json", "xml", "csv", "tsv"])
def test_empty_solutions_count_as_rows(store: ox.Store, output_format: str) -> None:
    query = "SELECT ?nothing WHERE { ?s ?p ?o } LIMIT 900"
    output = io.BytesIO()
    assert PreparedQuery(store, QueryRequest(query, format=output_format)).write(output) == 900
    capped = PreparedQuery(store, QueryRequest(query, format=output_format, max_rows=899))
    with pytest.raises(ResultTooLarge):
        capped.write(io.BytesIO())


@pytest.mark.parametrize("output_format", ["csv", "tsv", "xml", "json", "rdfxml", "turtle"])
def test_a_result_over_max_bytes_is_an_error_with_no_more_written(output_format: str) -> None:
    store = ox.Store()
    node = ox.NamedNode("http://example.org/s")
    store.add(ox.Quad(node, node, ox.Literal("long " * 400_000)))  # 2 MB, in one write for some
    solutions = output_format in ("json", "xml", "csv", "tsv")
    query = "SELECT ?o { ?s ?p ?o }" if solutions else "CONSTRUCT WHERE { ?s ?p ?o }"
    whole = PreparedQuery(store, QueryRequest(query, format=output_format, max_bytes=3 << 20))
    assert whole.write(io.BytesIO()) == 1
    over = PreparedQuery(store, QueryRequest(query, format=output_format, max_bytes=1 << 20))
    written = io.BytesIO()
    with pytest.raises(ResultTooLarge, match="larger than 1 MiB"):
        over.write(written)
    assert len(written.getvalue()) <= 1 << 20


@pytest.mark.parametrize(
    ("output_format", "rdf_format"), [("nt", ox.RdfFormat.N_TRIPLES), ("nq", ox.RdfFormat.N_QUADS)]
)
def test_line_formats_are_written_whole_and_counted_by_line(
    store: ox.Store, output_format: str, rdf_format: ox.RdfFormat
) -> None:
    """pyoxigraph writes N-Triples and N-Quads itself; literals with line breaks (NASTY) are
    escaped, so a line is a statement, and the text is what the triples' serialiser writes."""
    query = "CONSTRUCT WHERE { ?s ?p ?o }"
    output = SmallWrites()
    assert PreparedQuery(store, QueryRequest(query, format=output_format)).write(output) == ROWS
    triples = store.query(query, use_default_graph_as_union=True)
    assert isinstance(triples, ox.QueryTriples)
    assert output.getvalue() == ox.serialize(triples, format=rdf_format)
    assert len(list(ox.parse(output.getvalue(), format=rdf_format))) == ROWS
