"""The OpenAPI description of ``/sparql``, which FastAPI cannot derive from a plain route."""

from __future__ import annotations

from typing import Any

from tipgraph.sparql import MEDIA_TYPES

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
    {
        "name": "format",
        "in": "query",
        "schema": {"type": "string"},
        "description": (
            "Result format overriding Accept: json, xml, csv, tsv, ttl, nt, jsonld, rdf, nq, "
            "trig or a media type."
        ),
    },
]
RESPONSES: dict[int, dict[str, Any]] = {
    200: {
        "description": "The result, in the negotiated format.",
        "content": {m.name: {} for m in MEDIA_TYPES},
    },
    304: {"description": "Not modified (If-None-Match matched the ETag)."},
    400: {
        "description": "Malformed query, SERVICE refused, too many rows, or bad parameters.",
        "content": {"text/plain": {}},
    },
    403: {
        "description": "SPARQL Update is refused: the endpoint is read-only.",
        "content": {"text/plain": {}},
    },
    406: {
        "description": "No acceptable format for this kind of result.",
        "content": {"text/plain": {}},
    },
    413: {"description": "Request body too large.", "content": {"text/plain": {}}},
    415: {"description": "POST body of an unsupported media type.", "content": {"text/plain": {}}},
    503: {
        "description": "Time limit exceeded, or busy (see Retry-After).",
        "content": {"text/plain": {}},
    },
}


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


def _operation(operation_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "operationId": operation_id,
        "summary": "SPARQL 1.1 query (read-only)",
        "parameters": QUERY_PARAMETERS,
        "responses": {str(status): response for status, response in RESPONSES.items()},
        **extra,
    }


# /sparql is a plain Starlette route (FastAPI's parameter machinery would cost more than a
# point lookup, and the protocol is parsed strictly by hand anyway), so its entry is written here.
OPENAPI_PATH = {
    "get": _operation("query_get"),
    "post": _operation("query_post", requestBody=POST_BODY),
}
