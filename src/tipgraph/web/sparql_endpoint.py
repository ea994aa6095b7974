"""The read-only SPARQL 1.1 Protocol endpoint at ``/sparql`` (query operation only)."""

from __future__ import annotations

import hashlib
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from tipgraph.config import EndpointSettings
from tipgraph.errors import NotAcceptable
from tipgraph.evaluation import QueryRequest
from tipgraph.formats import ResultKind, candidates, media_types_for
from tipgraph.namespaces import BASE, PREFIXES
from tipgraph.negotiation import accepts_a_format, negotiate, prefers_html
from tipgraph.query_errors import KNOWN
from tipgraph.service import service_description
from tipgraph.serving.fairness import client_key
from tipgraph.serving.pool import QueryPool
from tipgraph.serving.result_cache import CachedAnswer, ResultCache
from tipgraph.store.location import Manifest
from tipgraph.web.links import Links
from tipgraph.web.protocol import ProtocolError, read_protocol_request
from tipgraph.web.state import app_state
from tipgraph.web.streaming import DisconnectWatcher, StreamedResult, collect

# The editor's first query: no PREFIX block, the endpoint predeclares the prefixes it uses.
PREDECLARED_NOTE = (
    "# tip:, skos:, qb:, sdmx-measure: … are predeclared here: no PREFIX lines needed."
)
EXAMPLE_QUERY = """SELECT ?indicator ?label (COUNT(?observation) AS ?observations)
WHERE {
  ?observation tip:indicator ?indicator .
  ?indicator skos:prefLabel ?label .
  FILTER(LANG(?label) = "en")
}
GROUP BY ?indicator ?label
ORDER BY DESC(?observations)"""


def _etag(manifest: Manifest, request: QueryRequest, accept: str | None) -> str:
    digest = hashlib.sha256(
        "\0".join(
            [
                manifest.version,
                request.query,
                accept or "",
                "\1".join(request.formats),
                "\1".join(request.default_graphs),
                "\1".join(request.named_graphs),
                str(request.max_rows),
            ]
        ).encode()
    )
    return f'"{digest.hexdigest()[:32]}"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag in tags


def permalink(path: str, query: str) -> str:
    """The URL that opens the query page at ``path`` with ``query`` loaded and run."""
    return f"{path}?{urlencode({'query': query}, quote_via=quote)}"


def _query_page(request: Request, query: str | None) -> HTMLResponse:
    """The query UI (YASGUI), with ``query`` loaded and run when it is a permalink's."""
    state = app_state(request)
    templates = state.templates
    links: Links = state.links
    path = request.url_for("sparql").path
    examples = [
        {
            "slug": example.slug,
            "title": example.title,
            "description": example.description,
            "answers": ", ".join(str(n) for n in example.answers),
            "href": permalink(path, example.query),
        }
        for example in state.examples
    ]
    default = PREDECLARED_NOTE + "\n" + EXAMPLE_QUERY + "\n"
    config = {  # read by static/query.js
        "endpoint": path,
        "base": BASE,
        "publicBase": links.public_base,
        "defaultQuery": default,
        "query": query,
        "prefixes": PREFIXES,  # predeclared: the editor adds no PREFIX line for them
        "shownPrefixes": {**KNOWN, **PREFIXES},  # for IRIs in results without a label
    }
    html = templates.get_template("query.html").render(
        endpoint=links.endpoint,
        action=path,
        editor_text=default if query is None else query,
        examples=examples,
        config=config,
        permalink=None if query is None else permalink(path, query),
    )
    return HTMLResponse(html, headers={"Vary": "Accept"})


def _service_description(request: Request) -> Response:
    state = app_state(request)
    offered = media_types_for(ResultKind.GRAPH)
    media = negotiate(request.headers.get("accept"), offered)
    if media is None:
        raise NotAcceptable(
            "the service description is RDF; accept text/turtle or another RDF type."
        )
    manifest: Manifest = state.manifest
    links: Links = state.links
    body = service_description(links.endpoint_iri, manifest, media)
    return Response(body, media_type=media.content_type, headers={"Vary": "Accept"})


async def sparql(request: Request) -> Response:
    """Answer a SPARQL query (GET ?query=, POST form, POST application/sparql-query)."""
    state = app_state(request)
    settings: EndpointSettings = state.settings
    links: Links = state.links
    protocol = await read_protocol_request(request, settings.max_query_bytes)
    accept = request.headers.get("accept")
    if request.method != "POST" and not protocol.names_format and prefers_html(accept):
        return _query_page(request, protocol.query)  # a browser: the UI, with any query run
    if protocol.query is None:
        if request.method == "POST":
            raise ProtocolError(400, "no query: give the query parameter (or a query body).")
        return _service_description(request)
    known = any(candidates(name) for name in protocol.formats)
    if not known and not accepts_a_format(accept):
        raise NotAcceptable(
            f"none of the accepted types ({accept}) is a SPARQL results or RDF format; accept "
            "application/sparql-results+json, text/csv, text/turtle or another listed in /sparql."
        )
    query = QueryRequest(
        query=protocol.query,
        accept=accept,
        formats=protocol.formats,
        default_graphs=protocol.default_graphs,
        named_graphs=protocol.named_graphs,
        max_rows=settings.max_rows,
        max_bytes=settings.max_result_bytes or None,  # as the pool would set it
        base_iri=links.endpoint_iri,  # a relative IRI (`<s>`) is the endpoint's, as in Oxigraph
    )
    manifest: Manifest = state.manifest
    etag = _etag(manifest, query, accept)
    cache_headers = {
        "ETag": etag,
        "Cache-Control": f"public, max-age={settings.cache_seconds}",
        "Vary": "Accept",
    }
    if request.method != "POST" and _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=cache_headers)
    cache: ResultCache = state.result_cache
    key = (
        manifest.version,
        query.query,  # the exact text: see tipgraph.serving.result_cache
        accept,
        query.formats,
        query.default_graphs,
        query.named_graphs,
        query.max_rows,
    )
    if (answer := cache.get(key)) is not None:
        return Response(answer.body, media_type=answer.media_type, headers=cache_headers)
    pool: QueryPool = state.query_pool
    # The client's address, after the trusted proxy's X-Forwarded-For (uvicorn's proxy headers).
    client = client_key(request.client.host if request.client else "")
    running = pool.submit(query, client)
    watcher = DisconnectWatcher(request.receive, running)
    try:
        head = await running.head()
        chunks, complete = await collect(running, settings.buffer_bytes)
    except BaseException:
        running.cancel()
        watcher.stop()
        raise
    media_type = head.media_type.content_type
    if complete:
        watcher.stop()
        body = b"".join(chunks)
        cache.put(key, CachedAnswer(body, media_type))
        return Response(body, media_type=media_type, headers=cache_headers)
    return StreamedResult(running, chunks, watcher, media_type=media_type, headers=cache_headers)


# A plain Starlette route: see tipgraph.web.openapi.
ROUTE = Route("/sparql", sparql, methods=["GET", "HEAD", "POST"], name="sparql")
