"""Reading a query before it is evaluated, as Oxigraph reads it: its form, SERVICE patterns,
prologue and dataset (:mod:`tipgraph.sparql_grammar`), and the checks made on it."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

import pyoxigraph as ox

from tipgraph import sparql_grammar as grammar
from tipgraph.errors import (
    FederatedQueryRefused,
    QueryError,
    QuerySyntaxError,
    QueryTooDeep,
    UpdateRefused,
)
from tipgraph.formats import (
    ResultKind,
)
from tipgraph.namespaces import PREFIXES
from tipgraph.query_errors import explained
from tipgraph.sparql_grammar import QueryOutline, read_query


def read(query: str, prefixes: Iterable[str] = PREFIXES) -> QueryOutline:
    """``query`` as Oxigraph reads it (see :mod:`tipgraph.sparql_grammar`), ``prefixes``
    predeclared; raises QuerySyntaxError (400) with the parser's position and expectation, or
    UpdateRefused (403) for an update."""
    try:
        return read_query(query, prefixes)
    except grammar.QueryTooDeep as error:
        raise QueryTooDeep(str(error)) from None
    except grammar.QuerySyntax as error:
        raise not_a_query(query, str(error)) from None


# The prologue (comments, BASE, PREFIX) and the first keyword after it; possessive (*+), so
# no input makes the match backtrack.
_PROLOGUE = re.compile(
    r"(?:\s|#[^\n]*|BASE\s*<[^>]*>|PREFIX\s+[^\s:]*:\s*<[^>]*>)*+([A-Za-z]+)", re.IGNORECASE
)
UPDATE_KEYWORDS = {"insert", "delete", "load", "clear", "create", "drop", "copy", "move", "add"}
UPDATE_KEYWORDS |= {"with"}


def not_a_query(text: str, message: str) -> QueryError:
    """The error for ``text`` that does not parse as a query: an update is refused as such
    (403), anything else gets the parser's message with line and column (400), led by the
    mistake in words when it is a common one (:mod:`tipgraph.query_errors`)."""
    first = _PROLOGUE.match(text)
    if first is not None and first.group(1).lower() in UPDATE_KEYWORDS:
        return UpdateRefused("SPARQL Update is not accepted: the store is read-only, for queries.")
    return QuerySyntaxError(f"query does not parse: {explained(text, message)}")


# Queries are sent again and again (the examples, a dashboard's): a worker remembers how the
# last few short ones read, by their exact text.
REMEMBERED_CHARACTERS = 16 * 1024


def _reading(query: str, base_iri: str | None = None) -> QueryOutline | grammar.QuerySyntax:
    """How ``query`` reads with the predeclared prefixes (and, with ``base_iri``, a base for
    relative IRIs such as ``<s>``), or why it does not."""
    try:
        return read_query(query, PREFIXES, has_base=base_iri is not None)
    except grammar.QuerySyntax as error:  # QueryTooDeep too
        return error


_remembered_reading = functools.lru_cache(maxsize=256)(_reading)


def refuse_federated(
    query: str, *, strict: bool = False, base_iri: str | None = None
) -> QueryOutline | None:
    """Raise FederatedQueryRefused if the query has a SERVICE pattern, QueryTooDeep if it nests
    deeper than the parser goes; return how it reads. If the grammar does not read it, return
    None (the embedded store's own parser gives the message, and its workers have no network),
    or, when ``strict`` (a SPARQL service is the store: it would run whatever it is sent), raise
    as :func:`read` does. Unless ``strict``, a query that cannot hold what the check looks for
    (:func:`needs_reading`) is not read: None, as it names no dataset.

    pyoxigraph would call the named service over HTTP, letting any client make the server
    request any URL; it offers no switch to turn that off. The check reads the query with the
    engine's own grammar, and the query workers cannot open a network socket either (see
    :mod:`tipgraph.sandbox`). Relative IRIs read against ``base_iri``, as the engine's do.
    """
    if not strict and not needs_reading(query):
        return None
    short = len(query) <= REMEMBERED_CHARACTERS
    outline = _remembered_reading(query, base_iri) if short else _reading(query, base_iri)
    if isinstance(outline, grammar.QueryTooDeep):
        raise QueryTooDeep(str(outline))
    if isinstance(outline, grammar.QuerySyntax):
        if strict:
            raise not_a_query(query, str(outline))
        return None
    if outline.services:
        line, column = grammar.line_and_column(query, outline.services[0])
        raise FederatedQueryRefused(
            f"line {line}, column {column}: federated queries (SERVICE) are not executed "
            "by this endpoint; query the other service yourself and combine the results."
        )
    return outline


# Brackets a query may open in all before it could nest as deep as the grammar's limit: each
# level of nesting opens one, and the grammar counts about one level per bracket.
UNREAD_BRACKETS = grammar.MAX_DEPTH // 2


def needs_reading(query: str) -> bool:
    """Whether ``query`` could have a SERVICE pattern, a FROM clause or nesting near the
    grammar's limit, so must be read before the engine runs it.

    A keyword cannot be disguised: Oxigraph reads ``\\u`` escapes inside strings and IRIs only,
    and a keyword in any case is its letters in that case. So a text in which neither
    "service" nor "from" occurs, whatever the case, has neither pattern, and one with few
    brackets cannot nest deep. This saves a point lookup the grammar's 50 µs; the grammar
    still reads every query that so much as mentions either word (tests/sparql_grammar).
    """
    lowered = query.lower()
    return (
        "service" in lowered or "from" in lowered or sum(map(query.count, "({[<")) > UNREAD_BRACKETS
    )


# The query forms, by their keyword, and the kind of result each gives.
FORMS = {
    "SELECT": ResultKind.SOLUTIONS,
    "ASK": ResultKind.BOOLEAN,
    "CONSTRUCT": ResultKind.GRAPH,
    "DESCRIBE": ResultKind.GRAPH,
}


def query_kind(outline: QueryOutline) -> ResultKind:
    """The kind of result a query gives, from its form."""
    return FORMS[outline.form]


def with_prologue(
    query: str, outline: QueryOutline, prefixes: dict[str, str], base_iri: str | None = None
) -> str:
    """``query`` with ``PREFIX`` declarations for the ``prefixes`` it does not declare itself
    (and ``BASE <base_iri>`` first, which a BASE of the query's own overrides).

    What pyoxigraph's ``prefixes=`` does for the embedded store, for a SPARQL service. The
    declarations go on the query's first line, so a server's line numbers stay the user's.
    """
    prologue = "".join(
        f"PREFIX {name}: <{iri}> " for name, iri in prefixes.items() if name not in outline.prefixes
    )
    base = "" if base_iri is None else f"BASE {ox.NamedNode(base_iri)} "
    return base + prologue + query


def bind_values(query: str, bindings: dict[str, ox.NamedNode]) -> str:
    """``query`` with each variable of ``bindings`` bound to its IRI by a ``VALUES`` block at the
    start of the query's WHERE group and of every subquery's, so it constrains the pattern as
    pyoxigraph's substitutions do (a trailing VALUES clause would be joined only after GROUP BY
    and after a subquery's LIMIT). The terms are written by pyoxigraph, never spliced as text.

    A query without such a group (``DESCRIBE <iri>``, ``CONSTRUCT WHERE``) gets the trailing
    VALUES clause instead.
    """
    if not bindings:
        return query
    names = " ".join(f"?{name}" for name in bindings)
    terms = " ".join(str(ox.NamedNode(term.value)) for term in bindings.values())
    block = f" VALUES ({names}) {{ ({terms}) }} "
    positions = read(query).where_groups
    if not positions:
        return f"{query}\n{block}"
    pieces, start = [], 0
    for position in positions:
        pieces += [query[start:position], block]
        start = position
    pieces.append(query[start:])
    return "".join(pieces)
