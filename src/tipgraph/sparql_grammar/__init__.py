"""Reading a SPARQL query as Oxigraph reads it: its form, dataset, prefixes, groups and any
SERVICE pattern, from a parser that follows Oxigraph's own grammar (not a look-alike lexer).

>>> outline = read_query("SELECT * FROM <http://g> { ?s ?p 'SERVICE <x> {}' }")
>>> outline.form, outline.names_dataset, outline.services
('SELECT', True, ())
>>> read_query("ASK { SERVICE <http://example.org/> { ?s ?p ?o } }").services
(6,)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tipgraph.sparql_grammar.peg import FAIL, State, TooComplex, TooDeep
from tipgraph.sparql_grammar.rules import QUERY

# Oxigraph's recursive parser overflows its stack on thousands of nested brackets; far fewer
# are ever needed.
MAX_DEPTH = 64
# Parsing steps allowed per character (and a floor for short texts): a valid query takes a few;
# the bound makes any input, however pathological, cost time in proportion to its length.
STEPS_PER_CHARACTER = 64
FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
MIN_STEPS = 200_000


class QuerySyntax(ValueError):
    """The text is not a query this grammar reads; ``position`` is where reading stopped."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.position = position


class QueryTooDeep(QuerySyntax):
    """Brackets or groups nest deeper than :data:`MAX_DEPTH`."""


@dataclass(frozen=True)
class QueryOutline:
    """What a query is, as the parser read it. Positions are offsets into the text."""

    form: str  # SELECT, CONSTRUCT, DESCRIBE or ASK
    services: tuple[int, ...]  # where each SERVICE pattern starts
    names_dataset: bool  # a FROM or FROM NAMED clause
    prefixes: frozenset[str]  # the prefixes it declares itself
    where_groups: tuple[int, ...]  # just after the "{" of each WHERE group (query, subqueries)


def line_and_column(text: str, position: int) -> tuple[int, int]:
    """1-based line and column of ``position`` in ``text``."""
    line = text.count("\n", 0, position) + 1
    return line, position - (text.rfind("\n", 0, position) + 1) + 1


def read_query(text: str, prefixes: Iterable[str] = (), has_base: bool = False) -> QueryOutline:
    """Parse ``text`` as a SPARQL query, with ``prefixes`` declared in advance; with
    ``has_base``, a base IRI is given with it, so relative IRIs (``<s>``) read, as in Oxigraph.

    Raises :class:`QuerySyntax` (or :class:`QueryTooDeep`) with the position where reading
    stopped and what was expected there, as Oxigraph words it.
    """
    state = State(
        text,
        budget=max(MIN_STEPS, STEPS_PER_CHARACTER * len(text)),
        max_depth=MAX_DEPTH,
        prefixes=set(prefixes),
        has_base=has_base,
    )
    try:
        end = QUERY.parse(state, 0)
    except (TooDeep, RecursionError) as error:
        position = error.position if isinstance(error, TooDeep) else state.farthest
        line, column = line_and_column(text, position)
        raise QueryTooDeep(
            f"error at {line}:{column}: brackets and groups are nested more than {MAX_DEPTH} deep.",
            position,
        ) from None
    except TooComplex:
        raise QuerySyntax(
            "the query is too intricate to read within its size's share of work; simplify it.", 0
        ) from None
    if end == FAIL:
        line, column = line_and_column(text, state.farthest)
        expected = ", ".join(sorted(state.expected - {"whitespace"})) or "the end"
        raise QuerySyntax(f"error at {line}:{column}: expected {expected}", state.farthest)
    marks = state.marks
    form = next(mark.kind for mark in marks if mark.kind in FORMS)
    declared = (text[m.start : m.end] for m in marks if m.kind == "PREFIX")
    return QueryOutline(
        form=form,
        services=tuple(sorted(m.start for m in marks if m.kind == "SERVICE")),
        names_dataset=any(m.kind == "FROM" for m in marks),
        prefixes=frozenset(_prefix_of(declaration) for declaration in declared),
        where_groups=tuple(sorted(m.start + 1 for m in marks if m.kind == "WHERE")),
    )


def _prefix_of(declaration: str) -> str:
    """The name ``p`` of a ``PREFIX p: <…>`` declaration."""
    return declaration[len("PREFIX") :].lstrip(" \t\r\n").split(":", 1)[0]
