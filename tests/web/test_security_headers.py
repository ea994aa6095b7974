"""Security headers on every answer, and error answers that reveal nothing of the server."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import Request, Response
from fastapi.testclient import TestClient

from tipgraph.config import EndpointSettings
from tipgraph.web.app import create_app

HTML_PATHS = ["/", "/sparql", "/id/agency/mia", "/ontology", "/dataset", "/dumps/"]
DATA_PATHS = ["/id/agency/mia.ttl", "/dataset.ttl", "/health", "/openapi.json"]
COMMON = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


@pytest.mark.parametrize("path", HTML_PATHS)
def test_html_allows_scripts_from_this_server_only_and_no_framing(
    client: TestClient, path: str
) -> None:
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy and "base-uri 'none'" in policy
    assert "unsafe-eval" not in policy and "'unsafe-inline'" not in policy.split("style-src")[0]
    assert COMMON.items() <= response.headers.items()


@pytest.mark.parametrize("path", DATA_PATHS)
def test_data_may_run_nothing_and_be_framed_nowhere(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert COMMON.items() <= response.headers.items()


@pytest.mark.parametrize(
    ("method", "path", "params"),
    [
        ("GET", "/sparql", {"query": "SELEC nothing"}),
        ("GET", "/id/agency/no-such-agency", {}),
        ("GET", "/no/such/route", {}),
        ("GET", "/dumps/../../etc/passwd", {}),
        ("POST", "/sparql", {}),
    ],
)
def test_error_answers_carry_the_headers_and_no_server_detail(
    client: TestClient, method: str, path: str, params: dict[str, str]
) -> None:
    response = client.request(method, path, params=params)
    assert 400 <= response.status_code < 500
    assert COMMON.items() <= response.headers.items()
    assert "content-security-policy" in response.headers
    assert "Traceback" not in response.text
    assert str(Path(__file__).resolve().parents[2]) not in response.text


@pytest.fixture
def failing_client(store_dir: Path) -> Iterator[TestClient]:
    """The app with one more route that fails the way a bug would, naming a local path."""
    app = create_app(EndpointSettings(store=store_dir, workers=1))

    @app.get("/fails")
    def fails() -> None:
        raise OSError(f"cannot read {store_dir}/secret")

    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_an_internal_error_says_so_without_a_path_or_traceback(
    failing_client: TestClient, store_dir: Path
) -> None:
    response = failing_client.get("/fails")
    assert response.status_code == 500
    assert response.text == "internal error\n"
    assert COMMON.items() <= response.headers.items()
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert str(store_dir) not in response.text
    assert "Traceback" not in response.text and "OSError" not in response.text


@pytest.mark.parametrize(("method", "path"), [("DELETE", "/sparql"), ("PUT", "/id/agency/mia")])
def test_a_method_not_allowed_is_plain_text_like_every_error(
    client: TestClient, method: str, path: str
) -> None:
    response = client.request(method, path)
    assert response.status_code == 405
    assert response.headers["content-type"].startswith("text/plain")
    assert "GET" in response.headers["allow"]
    assert response.text == f"{method} is not allowed here; this server is read-only.\n"


# The fast lane takes GETs without Origin; a HEAD, or a GET with Origin, takes the stack.
ORIGIN = {"Origin": "https://example.org"}
FAST_LANE_REQUESTS = {
    "results": ({"query": "SELECT * { ?s ?p ?o } LIMIT 3"}, {}),
    "turtle": ({"query": "CONSTRUCT WHERE { ?s a ?o } LIMIT 3"}, {"Accept": "text/turtle"}),
    "syntax error": ({"query": "SELEC nothing"}, {}),
    "service": ({"query": "SELECT * { SERVICE <http://example.org/> {} }"}, {}),
    "not acceptable": ({"query": "ASK {}"}, {"Accept": "image/png"}),
    "query page": ({}, {"Accept": "text/html"}),
    "service description": ({}, {"Accept": "text/turtle"}),
}


@pytest.mark.parametrize(("params", "headers"), FAST_LANE_REQUESTS.values(), ids=FAST_LANE_REQUESTS)
def test_the_fast_lane_answers_as_the_middleware_stack_does(
    client: TestClient, params: dict[str, str], headers: dict[str, str]
) -> None:
    fast = client.get("/sparql", params=params, headers=headers)
    head = client.head("/sparql", params=params, headers=headers)
    cross_origin = client.get("/sparql", params=params, headers=headers | ORIGIN)
    assert "access-control-allow-origin" not in fast.headers
    assert cross_origin.headers["access-control-allow-origin"] == "*"
    assert (fast.status_code, _labelled(fast)) == (
        cross_origin.status_code,
        _labelled(cross_origin),
    )
    assert head.status_code == fast.status_code
    assert _but_length(fast) == _but_length(head)  # the labels of blank nodes change lengths
    assert "content-security-policy" in fast.headers


def _labelled(response: httpx.Response) -> str:
    """The body, its blank nodes' labels (new in each service description) left out."""
    return re.sub(r"_:\w+", "_:", response.text)


def _but_length(response: httpx.Response) -> list[tuple[str, str]]:
    return [pair for pair in response.headers.multi_items() if pair[0] != "content-length"]


def test_a_get_of_sparql_without_origin_skips_the_middleware(store_dir: Path) -> None:
    """The fast lane is taken: a middleware sees the request only when it has Origin."""
    seen: list[str] = []
    app = create_app(EndpointSettings(store=store_dir, workers=1))

    @app.middleware("http")
    async def record(request: Request, call_next: Callable[[Request], Awaitable[Response]]):  # type: ignore[no-untyped-def]
        seen.append(request.url.path)
        return await call_next(request)

    with TestClient(app) as test_client:
        for headers in ({}, ORIGIN):
            response = test_client.get("/sparql", params={"query": "ASK {}"}, headers=headers)
            assert response.json() == {"head": {}, "boolean": True}
        test_client.get("/health")
    assert seen == ["/sparql", "/health"]
