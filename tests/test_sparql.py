"""Accept negotiation and the checks made before a query is evaluated."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

import pytest

from tipgraph.errors import FederatedQueryRefused, QueryTooDeep
from tipgraph.formats import ResultKind, media_types_for
from tipgraph.negotiation import format_by_name, negotiate, prefers_html
from tipgraph.sparql import UNREAD_BRACKETS, needs_reading, read, refuse_federated
from tipgraph.sparql_grammar import read_query

SOLUTIONS = media_types_for(ResultKind.SOLUTIONS)
GRAPHS = media_types_for(ResultKind.GRAPH)
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(
    ("accept", "offered", "expected"),
    [
        (None, SOLUTIONS, "application/sparql-results+json"),
        ("*/*", GRAPHS, "text/turtle"),
        ("application/sparql-results+xml", SOLUTIONS, "application/sparql-results+xml"),
        ("text/csv;q=0.4, text/tab-separated-values;q=0.6", SOLUTIONS, "text/tab-separated-values"),
        ("text/*, text/csv;q=0", SOLUTIONS, "text/tab-separated-values"),
        ("application/json", SOLUTIONS, "application/sparql-results+json"),
        ("application/ld+json, text/turtle;q=0.5", GRAPHS, "application/ld+json"),
        ("application/*;q=0.9, text/turtle;q=0.1", GRAPHS, "application/n-triples"),
        (BROWSER, GRAPHS, "text/turtle"),
        ("TEXT/CSV", SOLUTIONS, "text/csv"),
        ("garbage, text/csv", SOLUTIONS, "text/csv"),
        ("image/png", SOLUTIONS, None),
        ("text/turtle", SOLUTIONS, None),
        ("application/sparql-results+json;q=0", SOLUTIONS, None),
    ],
)
def test_negotiate(accept: str | None, offered: tuple, expected: str | None) -> None:  # type: ignore[type-arg]
    chosen = negotiate(accept, offered)
    assert (chosen.name if chosen else None) == expected


def test_prefers_html_only_for_browsers() -> None:
    assert prefers_html(BROWSER)
    assert prefers_html(BROWSER), "the same answer when negotiation is cached"
    assert not prefers_html("*/*")
    assert not prefers_html(None)
    assert not prefers_html("application/sparql-results+json, text/html;q=0.5")


def test_format_names() -> None:
    assert format_by_name("ttl") is format_by_name("text/turtle")
    assert format_by_name("JSON") is format_by_name("application/sparql-results+json")
    assert format_by_name("png") is None


# The SERVICE check is tested against Oxigraph itself, on a listener: tests/sparql_grammar.


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?service { ?service a ?type }",
        "SELECT * { ?s <http://example.org/service> ?o }",
        "PREFIX ex: <http://example.org/> SELECT * { ?s ex:service ?o }",
        "SELECT * { ?s ?p 'SERVICE <http://example.org/> {}' }",
        'SELECT * { ?s ?p """multi\nline "SERVICE" """ }',
        "SELECT * { ?s ?p ?o } # SERVICE <http://example.org/>",
        "SELECT * { ?s <http://id.example/state-migration-service> ?o }",
        "SELECT * { ?s <http://example.org/it's> ?o }",
        'SELECT * { ?l ?p "State Migration Service" FILTER(CONTAINS(?l, "service")) }',
    ],
)
def test_ordinary_queries_mentioning_service_pass(query: str) -> None:
    refuse_federated(query)  # not refused
    assert not read(query).services


def test_refusal_names_line_and_column() -> None:
    with pytest.raises(FederatedQueryRefused, match="line 3, column 3"):
        refuse_federated("SELECT *\nWHERE {\n  SERVICE <http://example.org/> {} }")


def test_names_dataset() -> None:
    assert read("SELECT * FROM <http://g> { ?s ?p ?o }").names_dataset
    assert read("select * from named <http://g> { graph ?g {} }").names_dataset
    assert not read("SELECT ?from { ?from ?p 'FROM' }").names_dataset


def test_deep_nesting_is_refused_before_it_reaches_the_engine() -> None:
    with pytest.raises(QueryTooDeep, match="nested more than"):
        refuse_federated("SELECT * { FILTER(" + "(" * 5000 + "1" + ")" * 5001 + " }")
    refuse_federated("SELECT * { FILTER(" + "(" * 50 + "1" + ")" * 51 + " }")


def test_a_query_without_the_words_or_brackets_it_is_read_for_is_not_read() -> None:
    lookup = "SELECT ?p ?o WHERE { <https://w3id.org/tipgraph/id/agency/x> ?p ?o }"
    assert not needs_reading(lookup)
    assert refuse_federated(lookup) is None  # names no dataset: the union is queried
    assert refuse_federated(lookup, strict=True) is not None  # a SPARQL service: always read


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { SeRvIcE <http://example.org/> {} }",
        "SELECT ?from { ?from ?p ?o }",  # the word, not the clause: read all the same
        "select * FROM named <http://g> { graph ?g {} }",
        "SELECT * { ?s ?p 'no services here' }",
        "SELECT * { FILTER(" + "(" * UNREAD_BRACKETS + "1" + ")" * (UNREAD_BRACKETS + 1) + " }",
    ],
)
def test_every_query_that_could_hold_what_the_check_looks_for_is_read(query: str) -> None:
    assert needs_reading(query)


NESTINGS = {
    "expression": lambda n: "SELECT * { FILTER(" + "(" * n + "1" + ")" * n + ") }",
    "group": lambda n: "SELECT * " + "{" * n + " ?s ?p ?o " + "}" * n,
    "collection": lambda n: "SELECT * { ?s ?p " + "(" * n + " 1 " + ")" * n + " }",
    "blank node": lambda n: "SELECT * { ?s ?p " + "[ ?p " * n + " 1 " + "]" * n + " }",
    "path": lambda n: "SELECT * { ?s " + "(" * n + "<p>" + ")" * n + " ?o }",
    "exists": lambda n: "SELECT * { " + "FILTER EXISTS { " * n + " ?s ?p ?o " + "}" * n + " }",
}


@pytest.mark.parametrize("nest", NESTINGS.values(), ids=NESTINGS)
def test_a_query_left_unread_could_not_have_nested_too_deep(nest: Callable[[int], str]) -> None:
    """A query is left unread only with at most UNREAD_BRACKETS brackets: twice that nesting
    still reads (the grammar counts about one level per bracket), so no QueryTooDeep is lost."""
    read_query(nest(2 * UNREAD_BRACKETS - 6), has_base=True)
    with pytest.raises(QueryTooDeep):
        refuse_federated(nest(2 * UNREAD_BRACKETS + 1), base_iri="http://example.org/")


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * { ?s ?p "' + '\\"' * 300_000 + " }",
        "SELECT * { ?s ?p '''" + "\\'" * 300_000,
        "<" * 600_000,
    ],
)
def test_the_check_is_linear_on_hostile_input(query: str) -> None:
    started = time.perf_counter()
    with contextlib.suppress(FederatedQueryRefused, QueryTooDeep):
        refuse_federated(query)
    assert time.perf_counter() - started < 2.0  # quadratic scanning took minutes
