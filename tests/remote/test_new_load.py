"""A server on a SPARQL service follows a new load into it: new ETags, no cached answer from
the old load, and /health asking for a restart when the graphs changed."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pyoxigraph as ox
from fastapi.testclient import TestClient

from tipgraph.config import EndpointSettings
from tipgraph.publish_remote import publish
from tipgraph.web.app import create_app

from .conftest import _stop, start_oxigraph

GRAPH = "https://w3id.org/tipgraph/graph/example"
QUERY = "SELECT ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }"
JSON = {"Accept": "application/sparql-results+json"}


def _load(service_config: object, label: str, version: str, graph: str = GRAPH) -> None:
    from tipgraph.store.remote import RemoteStore

    triple = ox.Triple(
        ox.NamedNode("https://w3id.org/tipgraph/id/thing"),
        ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
        ox.Literal(label),
    )
    with RemoteStore.from_config(service_config) as remote:  # type: ignore[arg-type]
        publish(remote, [(graph, [triple])], version=version, files=1, validated=False)


def _labels(client: TestClient) -> tuple[list[str], str]:
    response = client.get("/sparql", params={"query": QUERY}, headers=JSON)
    assert response.status_code == 200, response.text
    rows = response.json()["results"]["bindings"]
    return [row["label"]["value"] for row in rows], response.headers["etag"]


def _until(check: object, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "the server did not notice the new load"
        time.sleep(0.1)


def test_a_new_load_is_followed_and_never_served_from_the_cache(tmp_path: Path) -> None:
    service = start_oxigraph(tmp_path)
    try:
        _load(service.config, "first", "1" * 64)
        settings = EndpointSettings(store=service.config, workers=1, timeout=10)
        app = create_app(dataclasses.replace(settings, refresh_seconds=0.2))
        with TestClient(app) as client:
            first = _labels(client)
            assert first[0] == ["first"]
            assert _labels(client) == first  # from the cache
            _load(service.config, "second", "2" * 64)
            _until(lambda: client.get("/health").json()["version"] == "2" * 64)
            labels, etag = _labels(client)
            assert labels == ["second"] and etag != first[1]
            assert client.get("/health").status_code == 200

            _load(service.config, "third", "3" * 64, graph=GRAPH + "-other")
            _until(lambda: client.get("/health").status_code == 503)
            assert "restart" in client.get("/health").json()["status"]
    finally:
        _stop(service)


def test_updates_never_reach_the_service(tmp_path: Path) -> None:
    """An update, even one holding a SELECT, is refused before it is sent (400), and the
    service's data is untouched."""
    service = start_oxigraph(tmp_path)
    try:
        _load(service.config, "kept", "4" * 64)
        app = create_app(EndpointSettings(store=service.config, workers=1, timeout=10))
        with TestClient(app) as client:
            for update in (
                "DROP ALL",
                "CLEAR DEFAULT",
                f"DELETE WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}",
                f"INSERT {{ GRAPH <{GRAPH}> {{ ?s ?p 1 }} }} "
                "WHERE { SELECT ?s ?p { ?s ?p ?o } }",
            ):
                response = client.post("/sparql", data={"query": update}, headers=JSON)
                assert response.status_code == 403, (update, response.text)
                assert "SPARQL Update is not accepted" in response.text
            assert _labels(client)[0] == ["kept"]
    finally:
        _stop(service)
