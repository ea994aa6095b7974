"""Each failure the fuzz tests found, kept as the plain test of the input that found it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import schemathesis
from fastapi.testclient import TestClient

from tipgraph.formats import BY_NAME, HTML
from tipgraph.namespaces import ID
from tipgraph.negotiation import negotiate, parse_accept
from tipgraph.web.links import iri_path
from tipgraph.web.resources import minted

from .conftest import CHECKS

SOURCE_TEXT = "/doc/report/az-mia-thb-2018/text/en"
TURTLE = BY_NAME["text/turtle"]


UNDOCUMENTED = [
    pytest.param("/id/{path}", {"path_parameters": {"path": "0"}}, id="404 (documented: 200, 422)"),
    pytest.param(
        "/doc/{path}",
        {"path_parameters": {"path": "agency/mia"}, "headers": {"Accept": "text/html"}},
        id="200 text/html (documented: application/json)",
    ),
    pytest.param(
        "/dumps/",
        {"query": {"format": "¡\x97Ì\x0b\x89¤\U000d9f9eç"}},
        id="406 without a Content-Type (documented: text/plain)",
    ),
    pytest.param(
        "/dumps/{name}",
        {"path_parameters": {"name": "tipgraph.nt"}, "headers": {"Range": "bytes=0-9"}},
        id="206 (undocumented)",
    ),
    pytest.param(
        "/ontology{extension}",
        {"path_parameters": {"extension": "/0.1.0"}},
        id="303 from the version IRI (undocumented)",
    ),
]


@pytest.mark.parametrize(("path", "request_parts"), UNDOCUMENTED)
def test_answers_the_description_did_not_list(
    api: schemathesis.BaseSchema, path: str, request_parts: dict[str, Any]
) -> None:
    case = api[path]["GET"].Case(**request_parts)
    case.call_and_validate(checks=CHECKS, allow_redirects=False)


def test_the_dumps_index_406_for_an_unknown_format_had_no_content_type(
    http: httpx.Client,
) -> None:
    response = http.get("/dumps/", params={"format": "¡"})
    assert response.status_code == 406
    assert response.headers["content-type"].startswith("text/plain")


def test_a_superscript_digit_as_offset_was_a_500(http: httpx.Client) -> None:
    """``"²".isdigit()`` is true, but ``int("²")`` raises: ``?start=²`` crashed the page."""
    response = http.get(
        SOURCE_TEXT, params={"start": "²", "end": "5"}, headers={"Accept": "text/html"}
    )
    assert response.status_code == 200
    assert "<mark" not in response.text


@pytest.mark.parametrize(
    ("decoded", "iri"),
    [
        ("a b", f"{ID}a%20b"),  # was None: " " is no IRI character
        ("a?b", f"{ID}a%3Fb"),  # was an IRI with a query
        ("a#b", f"{ID}a%23b"),  # was an IRI with a fragment
        ("a%20b", f"{ID}a%2520b"),
        ("ə/ı", f"{ID}ə/ı"),
    ],
)
def test_a_decoded_request_path_names_the_iri_it_came_from(decoded: str, iri: str) -> None:
    assert minted(decoded) == iri
    assert ID + iri_path(decoded) == iri


@pytest.mark.parametrize(
    ("sent", "location"),
    [
        ("/id/a%20b", "/doc/a%20b"),  # was 404: the IRI …/id/a%20b was not recognised
        ("/id/a%3Fb", "/doc/a%3Fb"),  # was /doc/a?b: another resource, and a query
        ("/id/a%23b?lang=az", "/doc/a%23b?lang=az"),  # was /doc/a#b?lang=az
        ("/id/%C9%99", "/doc/%C9%99"),
    ],
)
def test_the_id_redirect_names_the_same_iri(http: httpx.Client, sent: str, location: str) -> None:
    response = http.get(sent, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == location


def test_an_accept_entry_with_a_malformed_q_is_ignored() -> None:
    assert parse_accept("text/turtle;q=nan") == []  # was a NaN q-value
    # Was read as q=0, refusing Turtle: HTML was chosen.
    assert negotiate("text/turtle;q=abc, */*;q=0.1", (TURTLE, HTML)) == TURTLE


@pytest.mark.parametrize("length", ["\u00b2".encode("latin-1"), b"9" * 5000])
def test_a_content_length_of_odd_digits_is_no_500(client: TestClient, length: bytes) -> None:
    """Found in review: "²".isdigit() is true and int() refuses it, or 5,000 digits (behind
    uvicorn, httptools refuses both first; in-process, the app must)."""
    response = client.post(
        "/sparql",
        content=b"ASK {}",
        headers={"Content-Type": "application/sparql-query", "Content-Length": length},
    )
    assert response.status_code < 500
