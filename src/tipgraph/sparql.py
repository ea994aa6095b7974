"""SPARQL on the wire: media types, Accept negotiation, and the checks made before evaluation."""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

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
    ALIASES,
    BY_NAME,
    BY_SHORT_NAME,
    HTML,
    MEDIA_TYPES,
    MediaType,
    ResultKind,
    by_name,
    first_usable,
    media_types_for,
)
from tipgraph.namespaces import PREFIXES
from tipgraph.sparql_grammar import QueryOutline, read_query

__all__ = [  # the registry's names, long imported from here
    "ALIASES",
    "BY_NAME",
    "BY_SHORT_NAME",
    "HTML",
    "MEDIA_TYPES",
    "MediaType",
    "ResultKind",
    "first_usable",
    "media_types_for",
]


def format_by_name(name: str) -> MediaType | None:
    """A ``format=`` parameter value (short name or media type) as a MediaType, if known."""
    return by_name(name)


@dataclass(frozen=True)
class AcceptRange:
    """One entry of an Accept header: ``type/subtype`` (``*`` allowed) with its q-value."""

    type: str
    subtype: str
    q: float

    def matches(self, media: str) -> int:
        """Specificity of the match with ``media`` (2 exact, 1 type/*, 0 */*), or -1."""
        main, sub = media.split("/", 1)
        if self.type == "*":
            return 0
        if self.type != main:
            return -1
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == sub else -1


def parse_accept(header: str | None) -> list[AcceptRange]:
    """The ranges of an Accept header (RFC 9110 §12.5.1); malformed entries are ignored."""
    if not header or not header.strip():
        return [AcceptRange("*", "*", 1.0)]
    ranges = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = ALIASES.get(fields[0].lower(), fields[0].lower())
        if media.count("/") != 1:
            continue
        main, sub = media.split("/")
        q: float | None = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                q = _q_value(value)
        if q is not None and main and sub and not (main == "*" and sub != "*"):
            ranges.append(AcceptRange(main, sub, q))
    return ranges


def _q_value(value: str) -> float | None:
    """A q parameter's weight, clamped to 0–1; None if it is no number (or NaN)."""
    try:
        q = float(value)
    except ValueError:
        return None
    return None if math.isnan(q) else min(max(q, 0.0), 1.0)


@functools.lru_cache(maxsize=512)  # clients send the same few Accept headers over and over
def negotiate(accept: str | None, offered: tuple[MediaType, ...]) -> MediaType | None:
    """The offered type the client prefers most, or None if it accepts none of them.

    Each offered type takes the q-value of its most specific matching range; ties go to the
    server's order. ``q=0`` means "not acceptable".
    """
    ranges = parse_accept(accept)
    best: tuple[float, int] = (0.0, 0)
    chosen = None
    for position, media in enumerate(offered):
        matching = [(r.matches(media.name), r.q) for r in ranges if r.matches(media.name) >= 0]
        if not matching:
            continue
        q = max(matching)[1]
        score = (q, -position)
        if q > 0 and (chosen is None or score > best):
            best, chosen = score, media
    return chosen


def prefers_html(accept: str | None) -> bool:
    """Whether a client (a browser) prefers an HTML page to any RDF or results format."""
    return bool(accept) and negotiate(accept, (*MEDIA_TYPES, HTML)) == HTML


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
    (403), anything else gets the parser's message with line and column (400)."""
    first = _PROLOGUE.match(text)
    if first is not None and first.group(1).lower() in UPDATE_KEYWORDS:
        return UpdateRefused("SPARQL Update is not accepted: the store is read-only, for queries.")
    return QuerySyntaxError(f"query does not parse: {message}")


# Queries are sent again and again (the examples, a dashboard's): a worker remembers how the
# last few short ones read, by their exact text.
REMEMBERED_CHARACTERS = 16 * 1024


def _reading(query: str, base_iri: str | None = None) -> QueryOutline | grammar.QuerySyntax:
    """How ``query`` reads with the predeclared prefixes, or why it does not. With ``base_iri``,
    a query that reads only with a base (a relative IRI: ``<s>``) is read with it declared."""
    try:
        return read_query(query, PREFIXES)
    except grammar.QueryTooDeep as error:
        return error
    except grammar.QuerySyntax as error:
        if base_iri is None:
            return error
        return _with_base(query, base_iri) or error


def _with_base(query: str, base_iri: str) -> QueryOutline | None:
    """How ``query`` reads after ``BASE <base_iri>``, its positions those of ``query``; or None.

    The declaration goes before the first line, without a newline, so every position only
    shifts by its length.
    """
    declaration = f"BASE {ox.NamedNode(base_iri)} "
    try:
        outline = read_query(declaration + query, PREFIXES)
    except grammar.QuerySyntax:
        return None
    shift = len(declaration)
    return dataclasses.replace(
        outline,
        services=tuple(p - shift for p in outline.services),
        where_groups=tuple(p - shift for p in outline.where_groups),
    )


_remembered_reading = functools.lru_cache(maxsize=256)(_reading)


def refuse_federated(
    query: str, *, strict: bool = False, base_iri: str | None = None
) -> QueryOutline | None:
    """Raise FederatedQueryRefused if the query has a SERVICE pattern, QueryTooDeep if it nests
    deeper than the parser goes; return how it reads. If the grammar does not read it, return
    None (the embedded store's own parser gives the message, and its workers have no network),
    or, when ``strict`` (a SPARQL service is the store: it would run whatever it is sent), raise
    as :func:`read` does.

    pyoxigraph would call the named service over HTTP, letting any client make the server
    request any URL; it offers no switch to turn that off. The check reads the query with the
    engine's own grammar, and the query workers cannot open a network socket either (see
    :mod:`tipgraph.sandbox`). Relative IRIs read against ``base_iri``, as the engine's do.
    """
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
