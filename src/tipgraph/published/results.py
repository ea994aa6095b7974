"""Query results as Python values: rows of ``int``, ``Decimal``, ``str`` … for notebooks."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from tipgraph.namespaces import XSD

if TYPE_CHECKING:
    import pandas


class IRI(str):
    """An IRI in a query result (a ``str``: compare and print it as one)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"IRI({str.__repr__(self)})"


class BlankNode(str):
    """A blank node's label in a query result; labels are local to one result."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"BlankNode({str.__repr__(self)})"


class Text(str):
    """A literal with a language tag: a ``str`` that knows its ``language``."""

    __slots__ = ("language",)
    language: str

    def __new__(cls, value: str, language: str) -> Text:
        text = super().__new__(cls, value)
        text.language = language
        return text

    def __repr__(self) -> str:
        return f"Text({str.__repr__(self)}, language={self.language!r})"


Value = IRI | BlankNode | Text | str | int | float | Decimal | bool | datetime.date


def _literal(lexical: str, datatype: str | None) -> Value:
    """A literal as the Python value of its datatype; its lexical form when none fits."""
    converters: dict[str, Any] = {
        f"{XSD}integer": int,
        f"{XSD}int": int,
        f"{XSD}long": int,
        f"{XSD}nonNegativeInteger": int,
        f"{XSD}positiveInteger": int,
        f"{XSD}decimal": Decimal,
        f"{XSD}double": float,
        f"{XSD}float": float,
        f"{XSD}boolean": lambda v: v.strip() in {"true", "1"},
        f"{XSD}date": datetime.date.fromisoformat,
    }
    convert = converters.get(datatype or "")
    if convert is None:
        return lexical
    try:
        value: Value = convert(lexical)
    except ValueError:
        return lexical
    return value


def value_of(term: Mapping[str, str]) -> Value:
    """A term of SPARQL 1.1 JSON results as a Python value."""
    kind, lexical = term["type"], term["value"]
    if kind == "uri":
        return IRI(lexical)
    if kind == "bnode":
        return BlankNode(lexical)
    if "xml:lang" in term:
        return Text(lexical, term["xml:lang"])
    return _literal(lexical, term.get("datatype"))


def term_value(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Value:
    """A pyoxigraph term as a Python value."""
    if isinstance(term, ox.NamedNode):
        return IRI(term.value)
    if isinstance(term, ox.BlankNode):
        return BlankNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Text(term.value, term.language)
        return _literal(term.value, term.datatype.value)
    return str(term)


Row = dict[str, Value]


@dataclass(frozen=True)
class QueryResult(Sequence[Row]):
    """The answer to a query: rows (SELECT), a boolean (ASK) or triples (CONSTRUCT, DESCRIBE).

    A SELECT result is a sequence of rows, each a dict from variable name to value; unbound
    variables are left out of a row.
    """

    variables: tuple[str, ...] = ()
    rows: tuple[Row, ...] = ()
    boolean: bool | None = None
    triples: tuple[tuple[Value, Value, Value], ...] = field(default=())

    @classmethod
    def from_json(cls, body: bytes) -> QueryResult:
        """SPARQL 1.1 Query Results JSON (a SELECT or ASK answer)."""
        parsed = json.loads(body)
        if "boolean" in parsed:
            return cls(boolean=bool(parsed["boolean"]))
        names = tuple(parsed["head"].get("vars", ()))
        rows = tuple(
            {name: value_of(term) for name, term in binding.items()}
            for binding in parsed["results"]["bindings"]
        )
        return cls(names, rows)

    @classmethod
    def from_triples(cls, triples: Iterator[ox.Triple]) -> QueryResult:
        return cls(
            ("subject", "predicate", "object"),
            triples=tuple(
                (term_value(t.subject), term_value(t.predicate), term_value(t.object))
                for t in triples
            ),
        )

    def __len__(self) -> int:
        return len(self.triples) if self.triples else len(self.rows)

    def __getitem__(self, index: int) -> Row:  # type: ignore[override]
        if self.triples:
            return dict(zip(self.variables, self.triples[index], strict=True))
        return self.rows[index]

    def __iter__(self) -> Iterator[Row]:
        return (self[i] for i in range(len(self)))

    def __bool__(self) -> bool:
        return bool(self.boolean) if self.boolean is not None else len(self) > 0

    def to_pandas(self) -> pandas.DataFrame:
        """The rows as a pandas DataFrame, one column per variable (``pip install
        'tipgraph[pandas]'``)."""
        try:
            import pandas
        except ImportError:
            raise ImportError("to_pandas() needs pandas: pip install 'tipgraph[pandas]'") from None
        return pandas.DataFrame(list(self), columns=list(self.variables))
