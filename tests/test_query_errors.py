"""A query that does not parse gets its mistake in words first, then the parser's message."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from tipgraph.errors import QuerySyntaxError
from tipgraph.namespaces import PREFIXES
from tipgraph.sparql import not_a_query, read


def message_for(query: str) -> str:
    """What a user reads for ``query``, from the engine's own parse error."""
    try:
        ox.Store().query(query, prefixes=PREFIXES)
    except SyntaxError as error:
        problem = not_a_query(query, str(error))
        assert isinstance(problem, QuerySyntaxError)
        return str(problem)
    raise AssertionError(f"{query!r} parses")


@pytest.mark.parametrize(
    ("query", "sentence"),
    [
        (
            "SELECT * WHERE { ?s wdt:P31 ?o }",
            "unknown prefix `wdt:` at line 1, column 21 — add "
            "`PREFIX wdt: <http://www.wikidata.org/prop/direct/>` at the top of the query.",
        ),
        (
            "SELECT * WHERE {\n  ?s agency:mia ?o }",
            "unknown prefix `agency:` at line 2, column 6 — add "
            "`PREFIX agency: <https://w3id.org/tipgraph/id/agency/>` at the top of the query.",
        ),
        (
            "SELECT * WHERE { ?s foo:bar ?o }",
            "unknown prefix `foo:` at line 1, column 21 — declare it at the top of the query "
            "with `PREFIX foo: <…>`, the namespace IRI it stands for.",
        ),
        (
            "SELECT * WHERE { ?s ?p ?o ",
            "unbalanced braces: one `{` never closed (the last opened at line 1, column 16) — "
            "add the missing `}`.",
        ),
        (
            "SELECT * WHERE { ?s ?p ?o } }",
            "unbalanced braces: the `}` at line 1, column 29 closes no `{` — remove it or add "
            "the missing `{`.",
        ),
        (
            "SELECT * { ?s ?p ?o FILTER(?o > 1 }",
            "unbalanced parentheses: one `(` never closed",
        ),
        (
            "SELECT ?s",
            "the query has no WHERE body — add `WHERE { … }` with the patterns to match.",
        ),
        ("SELECT * WHERE { ?s ?p ?o . @ }", "unexpected character `@` at line 1, column 29"),
        ("SELECT * WHERE { ?s ?p “x” }", "typographic quote `“` at line 1, column 24"),
        ("@prefix ex: <http://example.org/> .\nASK {}", "`@prefix` at line 1, column 1 is Turtle"),
    ],
)
def test_the_mistake_comes_first_in_words(query: str, sentence: str) -> None:
    message = message_for(query)
    assert message.startswith("query does not parse: " + sentence)
    assert "error at " in message.split(sentence, 1)[1]  # the parser's position, after it


def test_predeclared_and_declared_prefixes_are_no_mistake() -> None:
    """A prefix in a string, an IRI or a comment, a declared one and a predeclared one are
    not named: the parser's own message is left as it is."""
    query = (
        "PREFIX ex: <http://example.org/>\n# wdt: in a comment\n"
        'SELECT * WHERE { ?s ex:p "wdt:x" ; eli:number <urn:x:y> ; ?p }'
    )
    message = message_for(query)
    assert message.startswith("query does not parse: error at 3:")
    assert "unknown prefix" not in message


def test_the_parsers_character_ranges_are_shortened() -> None:
    message = message_for("SELECT * WHERE { ?s wdt:P31 ?o }")
    assert "\\u{" not in message and "[name characters]" in message


def test_the_grammar_reader_explains_too() -> None:
    """The check made before a SPARQL service is asked gives the same sentence."""
    with pytest.raises(QuerySyntaxError, match="unknown prefix `wdt:`"):
        read("SELECT * WHERE { ?s wdt:P31 ?o }")


def test_the_well_known_prefixes_are_not_predeclared_ones() -> None:
    """A well-known prefix proposed in an error is never one the endpoint already declares."""
    from tipgraph.query_errors import KNOWN

    assert not set(KNOWN) & set(PREFIXES)
