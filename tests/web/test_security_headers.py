"""Security headers on every answer, and error answers that reveal nothing of the server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
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
