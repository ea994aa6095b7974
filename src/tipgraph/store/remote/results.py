"""A service's answers read as they arrive: SPARQL XML solutions and booleans, Turtle triples.

These are the formats every server tested writes faithfully (Virtuoso's N-Triples and JSON lose
the lexical form of some literals, e.g. ``"P1Y"^^xsd:duration`` becomes ``"12"``; its Turtle
keeps it).
"""

from __future__ import annotations

import dataclasses
import io
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import httpx
import pyoxigraph as ox

from tipgraph.errors import StoreError
from tipgraph.formats import ResultKind
from tipgraph.namespaces import RDF

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Solution = dict[str, Term]
RESULTS = "{http://www.w3.org/2005/sparql-results#}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SOLUTIONS_ACCEPT = "application/sparql-results+xml"
GRAPH_ACCEPT = "text/turtle, application/n-triples;q=0.9"
READ_BYTES = 1 << 16


class _ResponseFile(io.RawIOBase):
    """A streamed HTTP response body as a file, for pyoxigraph's parsers (read as needed)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def blank_node(label: str) -> ox.BlankNode:
    """A blank node labelled as a server labels it, made a valid label the same way each time
    (Virtuoso writes ``nodeID://b10000`` in results and ``_:b10000`` in Turtle)."""
    label = label.removeprefix("_:").removeprefix("nodeID://")
    try:
        return ox.BlankNode(label)
    except ValueError:
        return ox.BlankNode("x" + label.encode().hex())


@dataclasses.dataclass
class Answer:
    """The open answer to a query: solutions (SPARQL XML), a boolean, or triples (Turtle)."""

    response: httpx.Response
    kind: ResultKind | None

    @property
    def media_type(self) -> str:
        value: str = self.response.headers.get("content-type", "")
        return value.split(";")[0].strip().lower()

    def result_kind(self) -> ResultKind:
        """What the server sent, by its media type (StoreError when it is no SPARQL answer)."""
        if self.media_type == SOLUTIONS_ACCEPT:
            return self.kind if self.kind is ResultKind.BOOLEAN else ResultKind.SOLUTIONS
        if ox.RdfFormat.from_media_type(self.media_type) is not None:
            return ResultKind.GRAPH
        shown = self.response.request.url.copy_with(query=None)
        if ox.QueryResultsFormat.from_media_type(self.media_type) is not None:
            raise StoreError(
                f"{shown} answered in {self.media_type} although asked for {SOLUTIONS_ACCEPT}, "
                "the only results format tipgraph reads from a service."
            )
        raise StoreError(
            f"{shown} did not answer as a SPARQL service (it sent "
            f"{self.media_type or 'no media type'}); check the --store URL "
            "(Oxigraph: http://host:7878/query, Virtuoso: http://host:8890/sparql)."
        )

    def _chunks(self) -> Iterator[bytes]:
        return self.response.iter_bytes(READ_BYTES)

    def variables_and_solutions(self) -> tuple[list[str], Iterator[Solution]]:
        """The variables, then the solutions as they arrive (SPARQL XML, streamed)."""
        if self.result_kind() is not ResultKind.SOLUTIONS:
            raise StoreError(f"the service answered a SELECT query with {self.media_type}.")
        return _read_xml(self._chunks())

    def solutions(self) -> Iterator[Solution]:
        return self.variables_and_solutions()[1]

    def boolean(self) -> bool:
        """The answer to an ASK (Virtuoso answers a table of one ``__ASK_RETVAL``: 1 or 0)."""
        if self.result_kind() is ResultKind.GRAPH:
            raise StoreError(f"the service answered an ASK query with {self.media_type}.")
        variables, rows = _read_xml(self._chunks())
        found = list(rows)
        if not variables and found and "boolean" in found[0]:  # a real boolean
            return found[0]["boolean"].value in ("1", "true")
        if len(variables) == 1 and len(found) <= 1:
            value = found[0].get(variables[0]) if found else None
            return value is not None and value.value in ("1", "true")
        raise StoreError("the service answered an ASK query with a table.")

    def triples(self) -> Iterator[ox.Triple]:
        """The triples of a graph answer, parsed as they arrive."""
        if self.result_kind() is not ResultKind.GRAPH:
            raise StoreError(f"the service answered a graph query with {self.media_type}.")
        rdf_format = ox.RdfFormat.from_media_type(self.media_type)
        assert rdf_format is not None
        source = io.BufferedReader(_ResponseFile(self._chunks()), READ_BYTES)
        try:
            for quad in ox.parse(source, rdf_format, without_named_graphs=True):
                yield ox.Triple(_label(quad.subject), quad.predicate, _label(quad.object))
        except SyntaxError as error:
            raise StoreError(f"the service sent RDF that does not parse: {error}") from None


def _label(term: Any) -> Any:
    return blank_node(term.value) if isinstance(term, ox.BlankNode) else term


def _read_xml(chunks: Iterator[bytes]) -> tuple[list[str], Iterator[Solution]]:
    """SPARQL XML results read as they arrive: the variables, then a generator of solutions.
    A boolean answer is one solution binding ``boolean`` to "true" or "false"."""
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start", "end"))
    events: Iterator[tuple[str, ET.Element]] = _events(parser, chunks)
    variables: list[str] = []
    for event, element in events:
        if event == "end" and element.tag == f"{RESULTS}variable":
            variables.append(element.get("name", ""))
        elif event == "end" and element.tag == f"{RESULTS}head":
            break
    return variables, _xml_solutions(events)


def _events(
    parser: ET.XMLPullParser[ET.Element], chunks: Iterator[bytes]
) -> Iterator[tuple[str, ET.Element]]:
    try:
        for chunk in chunks:
            parser.feed(chunk)
            yield from parser.read_events()  # type: ignore[misc]
        parser.close()
        yield from parser.read_events()  # type: ignore[misc]
    except ET.ParseError as error:
        raise StoreError(f"the service sent SPARQL XML that does not parse: {error}") from None


def _xml_solutions(events: Iterator[tuple[str, ET.Element]]) -> Iterator[Solution]:
    solution: Solution = {}
    name = ""
    results: ET.Element | None = None
    for event, element in events:
        tag = element.tag
        if event == "start":
            if tag == f"{RESULTS}results":
                results = element
            elif tag == f"{RESULTS}result":
                solution = {}
            elif tag == f"{RESULTS}binding":
                name = element.get("name", "")
            continue
        if tag == f"{RESULTS}uri":
            solution[name] = _iri(element.text or "")
        elif tag == f"{RESULTS}bnode":
            solution[name] = blank_node((element.text or "").strip())
        elif tag == f"{RESULTS}literal":
            solution[name] = _literal(element)
        elif tag == f"{RESULTS}result":
            yield solution
            if results is not None:
                results.clear()  # what was read is not kept: constant memory
        elif tag == f"{RESULTS}boolean":
            yield {"boolean": ox.Literal((element.text or "").strip())}


def _iri(value: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(value.strip())
    except ValueError:
        raise StoreError(f"the service sent {value!r} as an IRI, which is none.") from None


def _literal(element: ET.Element) -> ox.Literal:
    text = element.text or ""
    language = element.get(XML_LANG)
    datatype = element.get("datatype")
    if language:
        return ox.Literal(text, language=language.lower())
    if datatype and datatype != f"{RDF}langString":
        return ox.Literal(text, datatype=_iri(datatype))
    return ox.Literal(text)
