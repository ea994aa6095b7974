"""SPARQL on the wire: media types, Accept negotiation, and the checks made before evaluation."""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from enum import StrEnum

import pyoxigraph as ox

from tipgraph.errors import FederatedQueryRefused, QueryTooDeep


class ResultKind(StrEnum):
    """What a query form returns: solutions (SELECT), a boolean (ASK), or a graph."""

    SOLUTIONS = "solutions"
    BOOLEAN = "boolean"
    GRAPH = "graph"


@dataclass(frozen=True)
class MediaType:
    """A format tipgraph serialises results to, by the pyoxigraph serialiser that writes it."""

    name: str
    short_names: tuple[str, ...]
    format_iri: str  # its name in http://www.w3.org/ns/formats/, for service descriptions
    results_format: ox.QueryResultsFormat | None = None
    rdf_format: ox.RdfFormat | None = None

    @property
    def kinds(self) -> tuple[ResultKind, ...]:
        if self.results_format is not None:
            return (ResultKind.SOLUTIONS, ResultKind.BOOLEAN)
        return (ResultKind.GRAPH,)

    @property
    def content_type(self) -> str:
        textual = self.name.startswith("text/") or self.name.endswith(("json", "xml"))
        return f"{self.name}; charset=utf-8" if textual else self.name


# Server preference order: the first acceptable one wins among equal q-values.
MEDIA_TYPES: tuple[MediaType, ...] = (
    MediaType(
        "application/sparql-results+json",
        ("json", "srj"),
        "SPARQL_Results_JSON",
        ox.QueryResultsFormat.JSON,
    ),
    MediaType(
        "application/sparql-results+xml",
        ("xml", "srx"),
        "SPARQL_Results_XML",
        ox.QueryResultsFormat.XML,
    ),
    MediaType("text/csv", ("csv",), "SPARQL_Results_CSV", ox.QueryResultsFormat.CSV),
    MediaType(
        "text/tab-separated-values", ("tsv",), "SPARQL_Results_TSV", ox.QueryResultsFormat.TSV
    ),
    MediaType("text/turtle", ("turtle", "ttl"), "Turtle", rdf_format=ox.RdfFormat.TURTLE),
    MediaType(
        "application/n-triples", ("nt", "ntriples"), "N-Triples", rdf_format=ox.RdfFormat.N_TRIPLES
    ),
    MediaType(
        "application/ld+json", ("jsonld", "json-ld"), "JSON-LD", rdf_format=ox.RdfFormat.JSON_LD
    ),
    MediaType(
        "application/rdf+xml", ("rdf", "rdfxml", "owl"), "RDF_XML", rdf_format=ox.RdfFormat.RDF_XML
    ),
    MediaType("application/n-quads", ("nq", "nquads"), "N-Quads", rdf_format=ox.RdfFormat.N_QUADS),
    MediaType("application/trig", ("trig",), "TriG", rdf_format=ox.RdfFormat.TRIG),
)
# Aliases clients send for the types above (RFC 4180 CSV is text/csv; JSON is often plain).
ALIASES = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
    "application/x-turtle": "text/turtle",
    "text/plain": "application/n-triples",
    "application/json-ld": "application/ld+json",
}
BY_NAME = {m.name: m for m in MEDIA_TYPES}
BY_SHORT_NAME = {short: m for m in MEDIA_TYPES for short in m.short_names}


def media_types_for(kind: ResultKind) -> tuple[MediaType, ...]:
    """The formats that can carry a result of ``kind``, in server preference order."""
    return tuple(m for m in MEDIA_TYPES if kind in m.kinds)


def format_by_name(name: str) -> MediaType | None:
    """A ``format=`` parameter value (short name or media type) as a MediaType, if known."""
    name = name.strip().lower()
    return BY_SHORT_NAME.get(name) or BY_NAME.get(ALIASES.get(name, name))


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


HTML = MediaType("text/html", ("html",), "")


def prefers_html(accept: str | None) -> bool:
    """Whether a client (a browser) prefers an HTML page to any RDF or results format."""
    return bool(accept) and negotiate(accept, (*MEDIA_TYPES, HTML)) == HTML


# SPARQL 1.1 Query §19.2: \u and \U escapes are replaced before the query is parsed; like
# Oxigraph, a doubled backslash is a pair and escapes nothing.
CODEPOINT_ESCAPE = re.compile(r"\\(?:(\\)|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))")
# The tokens that may contain the word SERVICE without being the keyword: strings, IRIs,
# comments, variables, and the local part of prefixed names. Strings match even unterminated
# (to the end of the line or text), so the scan stays linear whatever the input.
TOKEN = re.compile(
    "|".join(
        (
            r"(?P<string>'{3}(?:[^'\\]|\\.?|'(?!''))*(?:'{3}|\Z)"
            r'|"{3}(?:[^"\\]|\\.?|"(?!""))*(?:"{3}|\Z)'
            r"|'(?:[^'\\\n\r]|\\.?)*(?:'|(?=[\n\r])|\Z)"
            r'|"(?:[^"\\\n\r]|\\.?)*(?:"|(?=[\n\r])|\Z))',
            r"(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)",
            r"(?P<comment>#[^\n\r]*)",
            r"(?P<variable>[?$]\w+)",
            r"(?P<name>(?:[A-Za-z_][\w\-.]*)?:(?:[\w\-.:%]|\\.)*)",
            r"(?P<word>[A-Za-z_]\w*)",
        )
    ),
    re.DOTALL,
)
SERVICE = re.compile("service", re.IGNORECASE)
OPENING, CLOSING = "({[", ")}]"
MAX_NESTING = 200  # Oxigraph's recursive parser overflows its stack on thousands of "("


def unescape_codepoints(query: str) -> str:
    """The query with its ``\\uXXXX`` / ``\\UXXXXXXXX`` escapes replaced, as the parser sees it."""

    def replace(match: re.Match[str]) -> str:
        if match[1]:
            return match[0]
        code = int(match[2] or match[3], 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match[0]

    return CODEPOINT_ESCAPE.sub(replace, query)


def _may_be_service(kind: str | None, token: str) -> bool:
    """Whether the parser might read the keyword SERVICE in ``token``.

    Oxigraph matches keywords without a word boundary (``trueSERVICE<…>``, ``SERVICEe:x``), so
    any word, and any prefix of a prefixed name, that contains it counts.
    """
    if kind == "word":
        return SERVICE.search(token) is not None
    if kind == "name":
        return SERVICE.search(token.partition(":")[0]) is not None
    return False


def _unsure(kind: str | None, token: str) -> bool:
    """Whether the parser may split this token differently, making what follows it suspect.

    ``<`` is also "less than" (``FILTER(?a<1)SERVICE?v#>``, ``FILTER(1<'>')``), and a string the
    lexer finds unterminated may end elsewhere for the parser.
    """
    if kind == "iri":
        return any(c in token for c in "'()")
    if kind == "string":
        quote = token[:3] if token[:3] in ("'''", '"""') else token[:1]
        closed = len(token) >= 2 * len(quote) and token.endswith(quote)
        return not closed or token.endswith("\\" + quote)
    return False


def _where(text: str, position: int) -> str:
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return f"line {line}, column {column}"


def refuse_federated(query: str) -> None:
    """Raise FederatedQueryRefused if the query may contain the SERVICE keyword.

    pyoxigraph would call the named service over HTTP, letting any client make the server
    request any URL. The check errs on the side of refusing, and the query workers have no
    network either (see :func:`tipgraph.worker.cut_network`). It also refuses brackets nested
    deep enough to overflow the parser.
    """
    text = unescape_codepoints(query)
    depth, position = 0, 0
    for match in TOKEN.finditer(text):
        depth = _nesting(text, position, match.start(), depth)
        position = match.end()
        kind, token = match.lastgroup, match[0]
        suspect = _unsure(kind, token) and SERVICE.search(text, match.start()) is not None
        if _may_be_service(kind, token) or suspect:
            raise FederatedQueryRefused(
                f"{_where(text, match.start())}: federated queries (SERVICE) are not executed "
                "by this endpoint; query the other service yourself and combine the results."
            )
    _nesting(text, position, len(text), depth)


def _nesting(text: str, start: int, end: int, depth: int) -> int:
    """The bracket depth after ``text[start:end]`` (the punctuation between tokens)."""
    for offset in range(start, end):
        character = text[offset]
        if character in OPENING:
            depth += 1
            if depth > MAX_NESTING:
                raise QueryTooDeep(
                    f"{_where(text, offset)}: brackets are nested more than {MAX_NESTING} deep."
                )
        elif character in CLOSING:
            depth -= 1
    return depth


def names_dataset(query: str) -> bool:
    """Whether the query chooses its own dataset with FROM or FROM NAMED."""
    return any(
        match.lastgroup == "word" and match[0].upper() == "FROM"
        for match in TOKEN.finditer(unescape_codepoints(query))
    )


# The query forms, by their keyword, and the kind of result each gives.
FORMS = {
    "SELECT": ResultKind.SOLUTIONS,
    "ASK": ResultKind.BOOLEAN,
    "CONSTRUCT": ResultKind.GRAPH,
    "DESCRIBE": ResultKind.GRAPH,
}


def query_kind(query: str) -> ResultKind | None:
    """The kind of result ``query`` gives, from its form's keyword (None: no form found).

    For queries sent to a SPARQL service, whose answer must be asked for in a format before
    it is known; the service still parses the query (a malformed one is its 400).
    """
    for match in TOKEN.finditer(unescape_codepoints(query)):
        if match.lastgroup == "word" and match[0].upper() in FORMS:
            return FORMS[match[0].upper()]
    return None


def declared_prefixes(query: str) -> set[str]:
    """The prefixes the query declares itself with ``PREFIX name:``."""
    declared: set[str] = set()
    after_prefix = False
    for match in TOKEN.finditer(unescape_codepoints(query)):
        if after_prefix and match.lastgroup == "name":
            declared.add(match[0].partition(":")[0])
        after_prefix = match.lastgroup == "word" and match[0].upper() == "PREFIX"
    return declared


def with_prologue(query: str, prefixes: dict[str, str]) -> str:
    """``query`` with ``PREFIX`` declarations for the ``prefixes`` it does not declare itself.

    What pyoxigraph's ``prefixes=`` does for the embedded store, for a SPARQL service. The
    declarations go on the query's first line, so a server's line numbers stay the user's.
    """
    own = declared_prefixes(query)
    prologue = "".join(
        f"PREFIX {name}: <{iri}> " for name, iri in prefixes.items() if name not in own
    )
    return prologue + query


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
    positions = _where_groups(query)
    if not positions:
        return f"{query}\n{block}"
    pieces, start = [], 0
    for position in positions:
        pieces += [query[start:position], block]
        start = position
    pieces.append(query[start:])
    return "".join(pieces)


def _where_groups(query: str) -> list[int]:
    """The offsets just after the ``{`` that opens the WHERE group of the query and of each
    subquery (found between tokens, so braces in strings, IRIs and comments do not count)."""
    positions: list[int] = []
    form: str | None = None  # a form keyword whose WHERE group is still ahead
    parens = 0  # brackets opened since the keyword (an EXISTS { … } in a projection)
    template = 0  # a CONSTRUCT template being skipped: its brace depth
    position = 0
    for match in (*TOKEN.finditer(query), None):
        end = len(query) if match is None else match.start()
        for offset in range(position, end):
            character = query[offset]
            if form is None:
                continue
            if template:
                template += {"{": 1, "}": -1}.get(character, 0)
                if not template:
                    form = "SELECT"  # the template is behind: the next group is the WHERE
            elif character == "(":
                parens += 1
            elif character == ")":
                parens -= 1
            elif character == "{" and parens <= 0:
                if form == "CONSTRUCT":
                    template = 1
                else:
                    positions.append(offset + 1)
                    form = None
        if match is None:
            break
        position = match.end()
        word = match[0].upper() if match.lastgroup == "word" else None
        if word in FORMS:
            form, parens, template = word, 0, 0
        elif word == "WHERE" and form == "CONSTRUCT" and not template:
            form = None  # CONSTRUCT WHERE { … }: its group is its template, triples only
    return positions
