"""Evaluate one SPARQL query on a pyoxigraph store and write it in the negotiated format.

Evaluation and serialisation happen in one place and one thread: pyoxigraph result objects
must not cross threads. Rows and bytes are counted while pyoxigraph's own serialisers write, so
a result over ``max_rows`` or ``max_bytes`` is an error rather than a silently truncated answer.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import pyoxigraph as ox

from tipgraph.errors import NotAcceptable, QueryError, ResultTooLarge
from tipgraph.formats import MediaType, ResultKind, first_usable, media_types_for
from tipgraph.namespaces import PREFIXES
from tipgraph.negotiation import format_by_name, negotiate
from tipgraph.sparql import not_a_query, query_kind, refuse_federated, with_prologue
from tipgraph.store.remote import Answer, RemoteStore, Solution


class Output(Protocol):
    """Where serialised bytes go (a file, a pipe to the web process, a buffer)."""

    def write(self, data: bytes, /) -> int: ...

    def flush(self) -> None: ...


@dataclass(frozen=True)
class QueryRequest:
    """A query with what the client asked of its answer (SPARQL 1.1 Protocol §2.1)."""

    query: str
    accept: str | None = None
    format: str | None = None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    max_rows: int | None = None
    max_bytes: int | None = None
    formats: tuple[str, ...] = ()  # the endpoint's format/output/results values: first usable
    base_iri: str | None = None  # what relative IRIs in the query resolve against


@dataclass(frozen=True)
class ResultHead:
    """What is known of a result before its first byte: its kind and media type."""

    kind: ResultKind
    media_type: MediaType


def _dataset_options(store_query: QueryRequest, names_dataset: bool) -> dict[str, object]:
    """pyoxigraph's dataset arguments: the protocol's dataset, else FROM, else the union."""
    if store_query.default_graphs or store_query.named_graphs:
        # §2.1.4: a protocol dataset replaces the query's FROM / FROM NAMED entirely.
        try:
            return {
                "default_graph": [ox.NamedNode(iri) for iri in store_query.default_graphs],
                "named_graphs": [ox.NamedNode(iri) for iri in store_query.named_graphs],
            }
        except ValueError as error:
            raise QueryError(
                f"a default-graph-uri or named-graph-uri is not an IRI: {error}"
            ) from None
    if names_dataset:
        return {}
    return {"use_default_graph_as_union": True}


def choose_media_type(request: QueryRequest, kind: ResultKind) -> MediaType:
    """The format for a result of ``kind``: ``format=`` if given, else by Accept; or 406."""
    offered = media_types_for(kind)
    if request.format:
        chosen = format_by_name(request.format)
        if chosen is None or chosen not in offered:
            names = ", ".join(m.short_names[0] for m in offered)
            raise NotAcceptable(
                f"format={request.format!r} cannot carry a {kind} result; use one of {names}."
            )
        return chosen
    negotiated = first_usable(request.formats, kind) or negotiate(request.accept, offered)
    if negotiated is None:
        names = ", ".join(m.name for m in offered)
        raise NotAcceptable(
            f"none of the accepted types ({request.accept}) can carry a {kind} result; "
            f"accept one of {names}."
        )
    return negotiated


class PreparedQuery:
    """A parsed, started query: its head is known, its body not yet written."""

    def __init__(self, store: ox.Store, request: QueryRequest) -> None:
        # Read first, as Oxigraph reads it: a SERVICE pattern gets its 400 here, before the
        # engine would call it (the worker has no network either: tipgraph.sandbox).
        outline = refuse_federated(request.query, base_iri=request.base_iri)
        names_dataset = outline is not None and outline.names_dataset
        try:
            self._result = store.query(
                request.query,
                prefixes=PREFIXES,  # predeclared, as README documents; PREFIX overrides them
                base_iri=request.base_iri,
                **_dataset_options(request, names_dataset),  # type: ignore[arg-type]
            )
        except SyntaxError as error:
            raise not_a_query(request.query, str(error)) from None
        if isinstance(self._result, ox.QuerySolutions):
            kind = ResultKind.SOLUTIONS
        elif isinstance(self._result, ox.QueryBoolean):
            kind = ResultKind.BOOLEAN
        else:
            kind = ResultKind.GRAPH
        self.head = ResultHead(kind, choose_media_type(request, kind))
        self._max_rows, self._max_bytes = request.max_rows, request.max_bytes

    def write(self, output: Output) -> int:
        """Serialise the whole result to ``output``; return its rows (or triples)."""
        return write_result(
            self._result, self.head.media_type, self._max_rows, output, self._max_bytes
        )


def write_result(
    result: ox.QueryBoolean | ox.QuerySolutions | Iterator[ox.Triple],
    media: MediaType,
    cap: int | None,
    output: Output,
    max_bytes: int | None = None,
) -> int:
    """Serialise ``result`` to ``output`` with pyoxigraph's serialisers; return its rows (or
    triples), raising ResultTooLarge past ``cap`` rows or ``max_bytes`` bytes."""
    if max_bytes is not None:
        output = CappedOutput(output, max_bytes)
    if isinstance(result, ox.QueryBoolean):
        assert media.results_format is not None
        result.serialize(output, format=media.results_format)  # type: ignore[arg-type]
        output.flush()
        return 1
    if isinstance(result, ox.QuerySolutions):
        assert media.results_format is not None
        counter = RowCounter(output, media.results_format, cap)
        # pyoxigraph only needs write() and flush(), which any Output has.
        result.serialize(counter, format=media.results_format)  # type: ignore[arg-type]
        counter.flush()
        return counter.rows
    assert media.rdf_format is not None
    if isinstance(result, ox.QueryTriples) and media.rdf_format in LINE_FORMATS:
        # One statement a line: pyoxigraph writes them without a Python object for each
        # (a tenth of a CONSTRUCT's time), and the lines are counted.
        lines = StatementCounter(output, cap)
        result.serialize(lines, format=media.rdf_format)  # type: ignore[arg-type]
        lines.flush()
        return lines.count
    triples = CappedTriples(result, cap)
    ox.serialize(triples, output, media.rdf_format, prefixes=_prefixes(media))  # type: ignore[arg-type]
    output.flush()
    return triples.count


class RemotePreparedQuery:
    """A query sent to a SPARQL service, its answer open: what :class:`PreparedQuery` is for the
    embedded store, with the same head, formats, row cap and predeclared prefixes.

    The service's answer is read (SPARQL XML, Turtle) and written again by pyoxigraph, so every
    format tipgraph offers is offered (Virtuoso writes no N-Quads or TriG), the row cap holds,
    and the bytes match the embedded store's. Without a dataset of its own (FROM, or the
    protocol's), the query gets the loaded ``graphs`` as its default graph (their union, as on
    the embedded store) and as its named graphs, whatever the server's own defaults.
    """

    def __init__(self, remote: RemoteStore, request: QueryRequest, graphs: Sequence[str]) -> None:
        # The service runs whatever it is sent, SERVICE included: only a query read exactly as
        # Oxigraph reads it, with no SERVICE pattern, goes (an update never does). It is read
        # here, never evaluated: an empty store would run its SERVICE patterns itself.
        outline = refuse_federated(request.query, strict=True, base_iri=request.base_iri)
        assert outline is not None
        kind = query_kind(outline)
        choose_media_type(request, kind)  # refuse an unacceptable format before sending
        default, named = remote_dataset(request, graphs, outline.names_dataset)
        self._exit = contextlib.ExitStack()
        try:
            self._answer: Answer = self._exit.enter_context(
                remote.query(
                    with_prologue(request.query, outline, PREFIXES, request.base_iri),
                    kind,
                    default,
                    named,
                )
            )
            actual = self._answer.result_kind()
            self.head = ResultHead(actual, choose_media_type(request, actual))
        except BaseException:
            self._exit.close()
            raise
        self._max_rows, self._max_bytes = request.max_rows, request.max_bytes

    def write(self, output: Output) -> int:
        """Serialise the whole answer to ``output``; return its rows (or triples)."""
        try:
            result: ox.QueryBoolean | ox.QuerySolutions | Iterator[ox.Triple]
            if self.head.kind is ResultKind.BOOLEAN:
                body = json.dumps({"head": {}, "boolean": self._answer.boolean()})
                result = ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
            elif self.head.kind is ResultKind.SOLUTIONS:
                variables, solutions = self._answer.variables_and_solutions()
                source = io.BufferedReader(_JsonResults(variables, solutions))
                result = ox.parse_query_results(source, ox.QueryResultsFormat.JSON)
            else:
                result = self._answer.triples()
            return write_result(
                result, self.head.media_type, self._max_rows, output, self._max_bytes
            )
        finally:
            self._exit.close()

    def close(self) -> None:
        self._exit.close()


def remote_dataset(
    request: QueryRequest, graphs: Sequence[str], names_dataset: bool
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The protocol dataset to send with ``request`` to a SPARQL service: the client's, else
    none when the query names its own (FROM), else the loaded graphs as both the default
    graph (their union) and the named graphs."""
    if request.default_graphs or request.named_graphs:
        try:
            for iri in (*request.default_graphs, *request.named_graphs):
                ox.NamedNode(iri)
        except ValueError as error:
            raise QueryError(
                f"a default-graph-uri or named-graph-uri is not an IRI: {error}"
            ) from None
        return request.default_graphs, request.named_graphs
    if names_dataset:
        return (), ()
    return tuple(graphs), tuple(graphs)


class _JsonResults(io.RawIOBase):
    """Solutions written as SPARQL JSON as they are read, for pyoxigraph's parser."""

    def __init__(self, variables: list[str], solutions: Iterator[Solution]) -> None:
        self._parts = self._generate(variables, solutions)
        self._pending = b""

    @staticmethod
    def _generate(variables: list[str], solutions: Iterator[Solution]) -> Iterator[bytes]:
        yield b'{"head":{"vars":' + json.dumps(variables).encode() + b'},"results":{"bindings":['
        separator = b""
        for solution in solutions:
            row = {name: _json_term(term) for name, term in solution.items()}
            yield separator + json.dumps(row, ensure_ascii=False).encode()
            separator = b","
        yield b"]}}"

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            part = next(self._parts, None)
            if part is None:
                return 0
            self._pending = part
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def _json_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if term.language:
        return {"type": "literal", "value": term.value, "xml:lang": term.language}
    if term.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
        return {"type": "literal", "value": term.value}
    return {"type": "literal", "value": term.value, "datatype": term.datatype.value}


def _prefixes(media: MediaType) -> dict[str, str] | None:
    return PREFIXES if media.rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None


class CappedOutput:
    """Passes bytes to ``output``, raising ResultTooLarge at the write that would pass
    ``max_bytes``: a huge value, written in one piece, is refused before any of it is passed on."""

    def __init__(self, output: Output, max_bytes: int) -> None:
        self._output = output
        self._max_bytes = max_bytes
        self.written = 0

    def write(self, data: bytes, /) -> int:
        self.written += len(data)
        if self.written > self._max_bytes:
            size = self._max_bytes
            limit = f"{size >> 20} MiB" if size % (1 << 20) == 0 else f"{size} bytes"
            raise ResultTooLarge(
                f"the result is larger than {limit}; narrow the query (fewer rows, shorter "
                "values) or download a dump."
            )
        return self._output.write(data)

    def flush(self) -> None:
        self._output.flush()


def _too_many(cap: int, what: str) -> ResultTooLarge:
    """The error for a result of more than ``cap`` rows or triples (``what``)."""
    return ResultTooLarge(f"the result has more than {cap} {what}; narrow the query or add LIMIT.")


class CappedTriples(Iterator[ox.Triple]):
    """The triples of a graph result, raising ResultTooLarge past ``cap``."""

    def __init__(self, triples: Iterator[ox.Triple], cap: int | None) -> None:
        self._triples = triples
        self._cap = cap
        self.count = 0

    def __next__(self) -> ox.Triple:
        triple: ox.Triple = next(self._triples)
        self.count += 1
        if self._cap is not None and self.count > self._cap:
            raise _too_many(self._cap, "triples")
        return triple


# Formats that write a statement a line, escaping the line breaks of literals.
LINE_FORMATS = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS)


class StatementCounter:
    """Passes N-Triples or N-Quads to ``output``, counting statements (lines); raises
    ResultTooLarge past ``cap``."""

    def __init__(self, output: Output, cap: int | None) -> None:
        self._output = output
        self._cap = cap
        self.count = 0

    def write(self, data: bytes) -> int:
        self.count += data.count(b"\n")
        if self._cap is not None and self.count > self._cap:
            raise _too_many(self._cap, "triples")
        return self._output.write(data)

    def flush(self) -> None:
        self._output.flush()


# In SPARQL JSON a solution after the first starts with `,{"` followed by a variable name; inside
# a string the same bytes would end the string, so a `,` or `}` follows them there. An empty
# solution is `,{}` before `,` or `]` (a literal holding ",{}," would count too: the cap errs
# towards refusing). The first solution follows `"bindings":[`.
JSON_NEXT_ROW = re.compile(rb',\{(?:"[^},]|\}(?=[,\]]))')
JSON_BINDINGS = b'"bindings":['
XML_ROW = b"<result>"  # "<" in text is escaped as &lt;


class RowCounter:
    """Passes serialised solutions to ``output``, counting rows; raises past ``max_rows``."""

    def __init__(
        self, output: Output, results_format: ox.QueryResultsFormat, max_rows: int | None
    ) -> None:
        self._output = output
        self._format = results_format
        self._max_rows = max_rows
        self._tail = b""  # the end of the previous write, for patterns split between writes
        self._header_pending = True  # CSV and TSV: the first line names the variables
        self._in_quotes = False
        self._head = b""
        self._bindings_seen = False
        self.rows = 0

    def write(self, data: bytes) -> int:
        self.rows += self._count(data)
        if self._max_rows is not None and self.rows > self._max_rows:
            raise _too_many(self._max_rows, "rows")
        return self._output.write(data)

    def flush(self) -> None:
        self._output.flush()

    def _count(self, data: bytes) -> int:
        fmt = self._format
        if fmt == ox.QueryResultsFormat.TSV:  # literals escape their newlines; line 1 is a header
            lines = data.count(b"\n")
            return lines - self._take_header(data)
        if fmt == ox.QueryResultsFormat.XML:
            return self._split_count(data, lambda d: d.count(XML_ROW), len(XML_ROW) - 1)
        if fmt == ox.QueryResultsFormat.JSON:
            rows = self._split_count(data, lambda d: len(JSON_NEXT_ROW.findall(d)), 3)
            return rows + self._json_first_row(data)
        return self._count_csv(data)

    def _take_header(self, data: bytes) -> int:
        """1 for the write that carries the header line, else 0."""
        if self._header_pending and data:
            self._header_pending = False
            return 1
        return 0

    def _split_count(self, data: bytes, count: Callable[[bytes], int], keep: int) -> int:
        """Count in ``data``, also finding a pattern split between two writes."""
        joined = self._tail + data if self._tail else data
        found = count(joined) - (count(self._tail) if self._tail else 0)
        self._tail = joined[-keep:]
        return found

    def _json_first_row(self, data: bytes) -> int:
        """1 once the first solution has started, else 0 (the head comes first, in one write)."""
        if self._bindings_seen:
            return 0
        self._head += data
        start = self._head.find(JSON_BINDINGS)
        if start < 0 or len(self._head) < start + len(JSON_BINDINGS) + 3:
            return 0
        self._bindings_seen = True
        after = self._head[start + len(JSON_BINDINGS) : start + len(JSON_BINDINGS) + 3]
        self._head = b""
        opens_row = after.startswith(b'{"') and after[2:3] not in (b"}", b",")
        return 1 if opens_row or after.startswith(b"{}") else 0

    def _count_csv(self, data: bytes) -> int:
        """Row ends outside quoted fields (a quoted literal may hold newlines)."""
        header = self._take_header(data)
        if not self._in_quotes and b'"' not in data:
            rows = data.count(b"\n")
        else:
            rows = 0
            for index, part in enumerate(data.split(b'"')):
                if index:
                    self._in_quotes = not self._in_quotes
                if not self._in_quotes:
                    rows += part.count(b"\n")
        return rows - header
