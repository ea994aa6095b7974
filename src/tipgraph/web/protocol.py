"""Read a SPARQL 1.1 Protocol query request (§2.1) from an HTTP request, strictly.

Parameters are decoded here rather than by the framework so that invalid UTF-8 and repeated
``query`` parameters are errors, not silently replaced or dropped. The result format is asked
for leniently, as clients ask for it: ``format``, ``output`` and ``results`` (SPARQLWrapper sends
all three, some repeated: ``format=tsv&format=text/tab-separated-values``) are kept in order for
the first usable one to win (:func:`tipgraph.formats.first_usable`).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.requests import ClientDisconnect, Request

from tipgraph.errors import TipgraphError
from tipgraph.formats import FORMAT_PARAMETERS

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"


class ProtocolError(TipgraphError):
    """The HTTP request is not a valid SPARQL protocol query request."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class ProtocolRequest:
    """What the client sent: the query (None: none given) and the protocol's options."""

    query: str | None
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    formats: tuple[str, ...]  # every format/output/results value, in order; empty: by Accept
    names_format: bool = False  # whether the URL has a format/output/results parameter at all


def _decode_pairs(raw: bytes, where: str) -> list[tuple[str, str]]:
    try:
        text = raw.decode("utf-8")
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise ProtocolError(400, f"the {where} is not valid UTF-8 (percent-encoded).") from None


def _single(pairs: list[tuple[str, str]], name: str) -> str | None:
    values = [value for key, value in pairs if key == name]
    if len(values) > 1:
        raise ProtocolError(
            400, f"the {name!r} parameter is given {len(values)} times; give it once."
        )
    return values[0] if values else None


def _formats(pairs: list[tuple[str, str]]) -> tuple[str, ...]:
    """The format names asked for, in order; an empty value means "by Accept"."""
    return tuple(v.strip() for k, v in pairs if k in FORMAT_PARAMETERS and v.strip())


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing (413) one larger than ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    # ASCII digits only ("²".isdigit() is true, int("²") fails); a length with more digits
    # than the limit is larger, whatever they are (int() refuses over 4,300 digits).
    digits = declared.isascii() and declared.isdigit()
    if digits and (len(declared) > len(str(limit)) or int(declared) > limit):
        raise ProtocolError(413, f"the request body is larger than {limit} bytes.")
    body = bytearray()
    try:
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                raise ProtocolError(413, f"the request body is larger than {limit} bytes.")
    except ClientDisconnect:
        raise ProtocolError(400, "the client went away before sending the whole body.") from None
    return bytes(body)


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def read_protocol_request(request: Request, max_bytes: int) -> ProtocolRequest:
    """The query request carried by a GET or POST, per SPARQL 1.1 Protocol §2.1."""
    raw_query_string: bytes = request.scope.get("query_string", b"")
    if len(raw_query_string) > max_bytes:
        raise ProtocolError(414, f"the query string is longer than {max_bytes} bytes; use POST.")
    url_pairs = _decode_pairs(raw_query_string, "query string")
    if "update" in (key for key, _ in url_pairs):
        raise ProtocolError(403, "this endpoint is read-only: SPARQL Update is not accepted.")
    pairs = url_pairs
    query = _single(url_pairs, "query")
    if request.method == "POST":
        media = _media_type(request)
        body = await read_body(request, max_bytes)
        if media == FORM:
            form = _decode_pairs(body, "form body")
            if any(key == "update" for key, _ in form):
                raise ProtocolError(
                    403, "this endpoint is read-only: SPARQL Update is not accepted."
                )
            if query is not None and _single(form, "query") is not None:
                raise ProtocolError(400, "the query is given both in the URL and in the form body.")
            pairs = url_pairs + form
            query = _single(pairs, "query")
        elif media == SPARQL_QUERY:
            if query is not None:
                raise ProtocolError(400, "the query is given both in the URL and in the body.")
            try:
                query = body.decode("utf-8")
            except UnicodeDecodeError:
                raise ProtocolError(400, "the query body is not valid UTF-8.") from None
        elif media == SPARQL_UPDATE:
            raise ProtocolError(403, "this endpoint is read-only: SPARQL Update is not accepted.")
        else:
            raise ProtocolError(
                415,
                f"a POSTed query must be {SPARQL_QUERY} or {FORM}, not {media or 'untyped'}.",
            )
    if query is not None and not query.strip():
        raise ProtocolError(400, "the query is empty.")
    return ProtocolRequest(
        query=query,
        default_graphs=tuple(v for k, v in pairs if k == "default-graph-uri"),
        named_graphs=tuple(v for k, v in pairs if k == "named-graph-uri"),
        formats=_formats(pairs),
        names_format=any(key in FORMAT_PARAMETERS for key, _ in url_pairs),
    )
