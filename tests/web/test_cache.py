"""Repeated queries and pages come from the result cache: same bytes, counted as hits."""

from __future__ import annotations

from fastapi.testclient import TestClient

JSON = {"Accept": "application/sparql-results+json"}
QUERY = "SELECT ?agency WHERE { ?agency a schema:GovernmentOrganization } ORDER BY ?agency"


def _hits(client: TestClient) -> int:
    hits: int = client.get("/health").json()["cache"]["hits"]
    return hits


def test_a_repeated_query_is_answered_from_the_cache_and_another_layout_is_not(
    client: TestClient,
) -> None:
    first = client.get("/sparql", params={"query": QUERY}, headers=JSON)
    before = _hits(client)
    again = client.get("/sparql", params={"query": QUERY}, headers=JSON)
    relaid = client.post(
        "/sparql",
        content="SELECT ?agency\nWHERE {\n  ?agency a schema:GovernmentOrganization  # bodies\n}"
        "\nORDER BY ?agency",
        headers=JSON | {"Content-Type": "application/sparql-query"},
    )
    assert first.status_code == again.status_code == relaid.status_code == 200
    assert again.content == first.content == relaid.content
    assert first.json()["results"]["bindings"]
    # The same text hits; another layout is another text, hence another entry (keys are exact:
    # tests/web/test_cache_poisoning.py shows why).
    assert _hits(client) == before + 1


def test_another_format_is_another_entry(client: TestClient) -> None:
    client.get("/sparql", params={"query": QUERY}, headers=JSON)
    before = _hits(client)
    csv = client.get("/sparql", params={"query": QUERY}, headers={"Accept": "text/csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert _hits(client) == before


def test_a_repeated_page_is_served_from_the_cache(client: TestClient) -> None:
    first = client.get("/doc/agency/mia", headers={"Accept": "text/html"})
    before = _hits(client)
    again = client.get("/doc/agency/mia", headers={"Accept": "text/html"})
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["content-type"] == first.headers["content-type"]
    assert _hits(client) == before + 1


def test_a_failed_query_is_not_kept(client: TestClient) -> None:
    before = _hits(client)
    for _ in range(2):
        response = client.get("/sparql", params={"query": "SELECT * WHERE {"}, headers=JSON)
        assert response.status_code == 400
    assert _hits(client) == before
