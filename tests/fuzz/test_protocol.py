"""SPARQL Protocol requests made of arbitrary bytes: never a 5xx; text that is not UTF-8 is a
400 that says so (tipgraph.web.protocol.read_protocol_request, directly and through the app)."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qsl, quote_from_bytes, unquote_to_bytes

from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.requests import Request
from starlette.types import Message

from tipgraph.web.protocol import (
    FORM,
    SPARQL_QUERY,
    SPARQL_UPDATE,
    ProtocolError,
    ProtocolRequest,
    read_protocol_request,
)

KEYS = st.sampled_from(
    [b"query", b"format", b"default-graph-uri", b"named-graph-uri", b"update", b"x", b""]
)
# Bytes that are often not UTF-8 on their own, and some that are (a few real queries).
VALUES = st.binary(max_size=30) | st.sampled_from(
    [b"ASK {}", b"SELECT * { ?s ?p ?o } LIMIT 1", b"\xc3\xa9", b"\xc3", b"\xff", b"json", b""]
)
PAIRS = st.lists(st.tuples(KEYS, VALUES), max_size=4)
MEDIA = st.sampled_from(
    [FORM, f"{FORM}; charset=utf-8", SPARQL_QUERY, SPARQL_UPDATE, "text/plain", ""]
)
ESCAPED = {byte: f"%{byte:02X}".encode() for byte in b"&=%+#"}


def encoded(pairs: list[tuple[bytes, bytes]], raw: bool) -> bytes:
    """``name=value&…``, percent-encoded; ``raw``: only ``& = % + #`` escaped, the other bytes
    sent as they are (as a careless client, or one that is not a browser, may)."""

    def escape(data: bytes) -> bytes:
        if raw:
            return b"".join(ESCAPED.get(byte, bytes([byte])) for byte in data)
        return quote_from_bytes(data, safe="").encode()

    return b"&".join(escape(name) + b"=" + escape(value) for name, value in pairs)


def is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decodes(form: bytes) -> bool:
    """Whether a form-encoded string, and each of its names and values decoded, is UTF-8."""
    pieces = form.replace(b"+", b" ").replace(b"=", b"&").split(b"&")
    return is_utf8(form) and all(is_utf8(unquote_to_bytes(piece)) for piece in pieces)


def asgi_request(method: str, query_string: bytes, media: str, body: bytes) -> Request:
    messages: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> Message:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    headers = [(b"content-type", media.encode())] if media else []
    scope = {
        "type": "http",
        "method": method,
        "path": "/sparql",
        "query_string": query_string,
        "headers": headers,
    }
    return Request(scope, receive)


@given(
    method=st.sampled_from(["GET", "HEAD", "POST"]),
    url=PAIRS,
    raw=st.booleans(),
    media=MEDIA,
    body=st.tuples(PAIRS, st.booleans()).map(lambda p: encoded(*p)) | st.binary(max_size=60),
)
@settings(max_examples=300)
def test_a_request_is_read_or_refused_with_a_4xx_that_names_bad_utf8(
    method: str, url: list[tuple[bytes, bytes]], raw: bool, media: str, body: bytes
) -> None:
    query_string = encoded(url, raw)
    request = asgi_request(method, query_string, media, body)
    try:
        read = asyncio.run(read_protocol_request(request, max_bytes=1 << 16))
    except ProtocolError as error:
        assert 400 <= error.status < 500
        assert error.status == 400 or "UTF-8" not in str(error)
        if not decodes(query_string):
            assert str(error) == "the query string is not valid UTF-8 (percent-encoded)."
        elif refused_before_the_body(query_string):
            pass
        elif method == "POST" and is_form(media) and not decodes(body):
            assert str(error) == "the form body is not valid UTF-8 (percent-encoded)."
        return
    assert isinstance(read, ProtocolRequest)
    assert decodes(query_string)
    if method == "POST" and is_form(media):
        assert decodes(body)
    if method == "POST" and media == SPARQL_QUERY:
        assert is_utf8(body)


def is_form(media: str) -> bool:
    return media.split(";")[0].strip().lower() == FORM


def refused_before_the_body(query_string: bytes) -> bool:
    """Whether the URL alone is refused: an update, or the query given twice."""
    names = [name for name, _ in parse_qsl(query_string.decode(), keep_blank_values=True)]
    return "update" in names or names.count("query") > 1


@given(
    method=st.sampled_from(["GET", "POST"]),
    url=PAIRS,
    media=MEDIA,
    body=st.tuples(PAIRS, st.booleans()).map(lambda p: encoded(*p)) | st.binary(max_size=60),
    accept=st.sampled_from([None, "text/html", "text/csv", "image/png", "*/*;q=0"]),
)
@settings(max_examples=150)
def test_the_endpoint_never_answers_5xx_to_odd_bytes(
    fuzz_client: TestClient,
    method: str,
    url: list[tuple[bytes, bytes]],
    media: str,
    body: bytes,
    accept: str | None,
) -> None:
    query_string = encoded(url, raw=False).decode("ascii")
    headers = {"Content-Type": media} if media else {}
    if accept is not None:
        headers["Accept"] = accept
    content = body if method == "POST" else None
    response = fuzz_client.request(
        method, f"/sparql?{query_string}", content=content, headers=headers
    )
    assert response.status_code < 500, response.text
    if not decodes(query_string.encode()):
        assert response.status_code == 400
        assert "not valid UTF-8" in response.text
    elif refused_before_the_body(query_string.encode()):
        assert response.status_code in (400, 403)
    elif method == "POST" and is_form(media) and not decodes(body):
        assert response.status_code == 400
        assert "the form body is not valid UTF-8" in response.text
