"""The OpenAPI description: the answers each route may give, and ``/sparql``'s whole entry.

The routes of the web modules pass :func:`answers` (``responses=``) and :data:`CONDITIONAL`
(``openapi_extra=``) to their decorators; ``/sparql`` is a plain Starlette route, so its entry is
written here. :func:`complete` finishes what FastAPI derives. Every status, media type and
required header listed is one the app really sends: tests/fuzz checks each answer against this.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from tipgraph.formats import BY_SHORT_NAME, FORMAT_PARAMETERS, HTML, MEDIA_TYPES, MediaType

TEXT = {"type": "string"}
PLAIN = {"text/plain": {"schema": TEXT}}
STRING_HEADER = {"schema": {"type": "string"}}
SPARQL_JSON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["head"],
    "properties": {
        "head": {"type": "object"},
        "results": {
            "type": "object",
            "required": ["bindings"],
            "properties": {"bindings": {"type": "array", "items": {"type": "object"}}},
        },
        "boolean": {"type": "boolean"},
    },
}
DUMPS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["version", "loaded_at", "checksums", "files"],
    "properties": {
        "version": {"type": "string"},
        "loaded_at": {"type": "string"},
        "checksums": {"type": "string"},
        "files": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "media_type", "bytes", "sha256", "url"],
                "properties": {
                    "name": {"type": "string"},
                    "format": {"type": "string"},
                    "label": {"type": "string"},
                    "media_type": {"type": "string"},
                    "bytes": {"type": "integer", "minimum": 0},
                    "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                    "count": {"type": "integer", "minimum": 0},
                    "unit": {"type": "string"},
                    "compressed": {"type": "boolean"},
                    "role": {
                        "type": "string",
                        "enum": ["data", "validation", "metadata"],
                        "description": "data: a dump; validation: the proof the data passed "
                        "the gate (SHACL report, coverage, validation activity); metadata: "
                        "the CSVW description of tipgraph.csv.",
                    },
                    "url": {"type": "string"},
                },
            },
        },
    },
}
HEALTH_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["status", "store", "version", "triples", "workers"],
    "properties": {
        "status": {"type": "string"},
        "store": {"type": "string", "enum": ["embedded", "sparql"]},
        "version": {"type": "string"},
        "triples": {"type": "integer", "minimum": 0},
        "loaded_at": {"type": "string"},
        "workers": {"type": "integer", "minimum": 0},
        "ready": {"type": "integer", "minimum": 0},
        "running": {"type": "integer", "minimum": 0},
        "waiting": {"type": "integer", "minimum": 0},
        "preparing": {
            "type": "array",
            "description": "What the server still reads in the background since it started.",
            "items": {"type": "string", "enum": ["figures", "search"]},
        },
        "network_isolated": {"type": "boolean"},
        "network_isolation": {
            "type": "array",
            "description": "What keeps the query workers off the network (tipgraph.sandbox).",
            "items": {"type": "string", "enum": ["namespace", "seccomp"]},
        },
        "refused": {
            "type": "object",
            "description": "429 answers since start, by reason (tipgraph.serving.fairness).",
            "properties": {
                "query_seconds": {"type": "integer", "minimum": 0},
                "in_flight": {"type": "integer", "minimum": 0},
            },
        },
        "cache": {"type": "object"},
    },
}


def content(
    media_types: Iterable[str | MediaType], schemas: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The ``content`` of an answer in any of ``media_types``: text is a string, SPARQL JSON
    results have their schema, ``schemas`` gives others' (JSON-LD is any JSON)."""
    known = {"application/sparql-results+json": SPARQL_JSON_SCHEMA} | (schemas or {})
    described: dict[str, Any] = {}
    for media in media_types:
        name = media if isinstance(media, str) else media.name
        if name in known:
            described[name] = {"schema": known[name]}
        else:
            described[name] = {"schema": TEXT} if name.startswith("text/") else {}
    return described


ETAG = {"ETag": {"description": "Changes with the data and the representation.", **STRING_HEADER}}
REQUIRED_ETAG = {"ETag": ETAG["ETag"] | {"required": True}}
NOT_MODIFIED = {
    "description": "Not modified: If-None-Match names this representation's ETag (or is *).",
    "headers": REQUIRED_ETAG,
}
SEE_OTHER = {
    "description": "See the document at Location.",
    "headers": {"Location": {"required": True, **STRING_HEADER}},
}
NOT_FOUND = {
    "description": "Nothing here: one line of text, or a page for browsers.",
    "content": content(["text/plain", "text/html"]),
}
NOT_ACCEPTABLE = {
    "description": "No acceptable representation (Accept, format= or the suffix).",
    "content": PLAIN,
}
Answer = dict[str, Any]  # one entry of an operation's responses


def ok(
    description: str,
    media_types: Iterable[str | MediaType],
    *,
    etag: bool = True,
    schemas: dict[str, Any] | None = None,
) -> Answer:
    """A 200 in one of ``media_types`` (see :func:`content`), with an ETag header: one that is
    always sent, unless ``etag`` is false."""
    return {
        "description": description,
        "content": content(media_types, schemas),
        "headers": REQUIRED_ETAG if etag else ETAG,
    }


USUAL: dict[int, Answer] = {
    303: SEE_OTHER,
    304: NOT_MODIFIED,
    404: NOT_FOUND,
    406: NOT_ACCEPTABLE,
}


def answers(ok_answer: Answer, *statuses: int) -> dict[int | str, Answer]:
    """``responses=`` for a route: its 200 and the usual answers of ``statuses`` (303, 304,
    404, 406); add others with ``|``."""
    described: dict[int | str, Answer] = {200: ok_answer}
    return described | {status: USUAL[status] for status in statuses}


# Request headers worth documenting (Accept is never a parameter in OpenAPI).
IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": "ETags already held: 304 when one is current (or *).",
}
CONDITIONAL: dict[str, Any] = {"parameters": [IF_NONE_MATCH]}
RANGE: dict[str, Any] = {
    "parameters": [
        IF_NONE_MATCH,
        {
            "name": "Range",
            "in": "header",
            "required": False,
            "schema": {"type": "string"},
            "description": "Bytes of the file to send (RFC 9110 §14.2), e.g. bytes=0-1023.",
        },
    ]
}

QUERY_PARAMETERS: list[dict[str, Any]] = [
    {
        "name": "query",
        "in": "query",
        "schema": {"type": "string"},
        "description": (
            "A SPARQL 1.1 query. Without it, GET answers the service description "
            "(browsers get the query page)."
        ),
    },
    {
        "name": "default-graph-uri",
        "in": "query",
        "schema": {"type": "array", "items": {"type": "string"}},
        "description": "Graphs forming the default graph (replaces FROM).",
    },
    {
        "name": "named-graph-uri",
        "in": "query",
        "schema": {"type": "array", "items": {"type": "string"}},
        "description": "Graphs available to GRAPH (replaces FROM NAMED).",
    },
    *(
        {
            "name": name,
            "in": "query",
            "schema": {"type": "array", "items": {"type": "string"}},
            "description": (
                f"Result format overriding Accept: {', '.join(BY_SHORT_NAME)} or a media type. "
                "format, output and results may be repeated: the first value that can carry "
                "the result wins; unknown ones fall back to Accept."
            ),
        }
        for name in FORMAT_PARAMETERS
    ),
]
RETRY_AFTER = {
    "description": "Seconds to wait before asking again.",
    "schema": {"type": "integer", "minimum": 0},
}
SPARQL_ERRORS: dict[int, Answer] = {
    400: {
        "description": "Malformed query, SERVICE refused, too many rows, or bad parameters.",
        "content": PLAIN,
    },
    403: {"description": "SPARQL Update is refused: the endpoint is read-only.", "content": PLAIN},
    406: {"description": "No acceptable format for this kind of result.", "content": PLAIN},
    413: {"description": "Request body too large.", "content": PLAIN},
    414: {"description": "Query string too long: POST the query instead.", "content": PLAIN},
    415: {"description": "POST body of an unsupported media type.", "content": PLAIN},
    429: {
        "description": "This client is over its share of the query workers; see Retry-After.",
        "content": PLAIN,
        "headers": {"Retry-After": RETRY_AFTER | {"required": True}},
    },
    503: {
        "description": "Time or memory limit exceeded, or busy (then with Retry-After).",
        "content": PLAIN,
        "headers": {"Retry-After": RETRY_AFTER},
    },
}


def _sparql_responses(method: str) -> dict[str, Answer]:
    """GET also answers browsers with the query page (HTML)."""
    if method == "get":
        result = ok(
            "The result in the negotiated format; without a query, the service description "
            "(RDF); for browsers, the query page.",
            [*MEDIA_TYPES, HTML],
            etag=False,
        )
        described = {200: result, 304: NOT_MODIFIED, **SPARQL_ERRORS}
    else:  # never answered from the client's cache
        result = ok("The result in the negotiated format.", MEDIA_TYPES, etag=False)
        described = {200: result, **SPARQL_ERRORS}
    return {str(status): answer for status, answer in described.items()}


POST_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "properties": {
                    "query": {"type": "string"},
                    "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                    "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                },
            }
        },
        "application/sparql-query": {"schema": {"type": "string"}},
    },
}


def _operation(operation_id: str, method: str, **extra: Any) -> dict[str, Any]:
    conditional = [IF_NONE_MATCH] if method == "get" else []
    return {
        "operationId": operation_id,
        "summary": "SPARQL 1.1 query (read-only)",
        "parameters": QUERY_PARAMETERS + conditional,
        "responses": _sparql_responses(method),
        **extra,
    }


# /sparql is a plain Starlette route (FastAPI's parameter machinery would cost more than a
# point lookup, and the protocol is parsed strictly by hand anyway), so its entry is written here.
OPENAPI_PATH = {
    "get": _operation("query_get", "get"),
    "post": _operation("query_post", "post", requestBody=POST_BODY),
}
HEALTH_RESPONSES = {
    "200": {
        "description": "Ready.",
        "content": {"application/json": {"schema": HEALTH_SCHEMA}},
    },
    "503": {
        "description": "Not ready: no query worker, the SPARQL service does not answer, or a "
        "restart is needed (the same body; status says why).",
        "content": {"application/json": {"schema": HEALTH_SCHEMA}},
    },
}
VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def complete(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` as FastAPI derived it, finished: ``/sparql``'s entry, ``/health``'s answers,
    and without the 422 FastAPI lists for every route with parameters (tipgraph answers a
    parameter it cannot read with 400 text/plain, see :mod:`tipgraph.web.errors`, and no route's
    parameters can fail FastAPI's validation). Idempotent."""
    schema = copy.deepcopy(schema)
    paths: dict[str, dict[str, Any]] = schema.setdefault("paths", {})
    paths["/sparql"] = copy.deepcopy(OPENAPI_PATH)
    if "get" in paths.get("/health", {}):
        paths["/health"]["get"]["responses"] = copy.deepcopy(HEALTH_RESPONSES)
    for operations in paths.values():
        for operation in operations.values():
            operation.get("responses", {}).pop("422", None)
    components = schema.get("components", {})
    for name in VALIDATION_SCHEMAS:
        components.get("schemas", {}).pop(name, None)
    if "schemas" in components and not components["schemas"]:
        del components["schemas"]
    if "components" in schema and not schema["components"]:
        del schema["components"]
    return schema
