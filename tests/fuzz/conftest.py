"""The fuzz tests' Hypothesis profile (deterministic, CI-sized) and their own app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import SchemathesisConfig

from tipgraph.config import EndpointSettings
from tipgraph.web.app import create_app

from ..helpers.servers import LiveServer, start_server, stop_server

# What an answer must be: no 5xx, and its status, media type, headers and body documented.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# The same examples on every run (derandomized, no example database): what fails in CI fails on
# every machine, and is then kept as a plain test in test_regressions.py.
settings.register_profile(
    "fuzz",
    derandomize=True,
    database=None,
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    print_blob=True,
)
settings.load_profile("fuzz")


@pytest.fixture(scope="session")
def fuzz_client(store_dir: Path) -> Iterator[TestClient]:
    """The app in-process on the bundled store, apart from the other tests' ``client``: the
    fuzzing neither fills its cache nor spends its clients' query budget."""
    app = create_app(EndpointSettings(store=store_dir, workers=1, timeout=10, max_rows=5000))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def fuzz_server(store_dir: Path) -> Iterator[LiveServer]:
    """A real server of the fuzz tests' own, without per-client limits: it spends no other
    test's budget, and every answer depends on the request alone. (Paths are tried here, not
    in-process: Starlette's TestClient decodes a request path twice.)"""
    server = start_server(
        store_dir,
        "--workers",
        "2",
        "--timeout",
        "5",
        "--client-seconds",
        "0",
        "--client-queries",
        "0",
    )
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def http(fuzz_server: LiveServer) -> Iterator[httpx.Client]:
    with fuzz_server.client(timeout=30) as client:
        yield client


@pytest.fixture(scope="session")
def api(fuzz_server: LiveServer) -> schemathesis.BaseSchema:
    """The server's own OpenAPI description, as Schemathesis reads it."""
    config = SchemathesisConfig.from_dict({"request-timeout": 10})
    return schemathesis.openapi.from_url(f"{fuzz_server.url}/openapi.json", config=config)
