"""A cached answer belongs to one query text: a query that differs by a byte never takes an
example's place in the cache (finding 2 of the security review)."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from tipgraph.config import EndpointSettings
from tipgraph.examples import load_examples
from tipgraph.namespaces import PREFIXES
from tipgraph.store.location import StoreVersion
from tipgraph.web.app import create_app

ORIGINAL_FILTER = '  FILTER (LANG(?label) = "en" && LANG(?countryName) = "en")'
# To a look-alike lexer that replaced \u escapes everywhere, the string ends early and the rest
# of the line is a comment, so the key matched the example's; Oxigraph reads the filter.
POISON = (
    '  FILTER (LANG(?label) = "en\\u0022#" || LANG(?label) = "en") FILTER(STR(?iso) != "TUR") '
    'FILTER(true #\n&& LANG(?countryName) = "en")'
)


@pytest.fixture
def fresh_client(built_store: StoreVersion) -> Iterator[TestClient]:
    """An app with an empty cache of its own."""
    settings = EndpointSettings(store=built_store.path.parent, workers=1, timeout=10)
    with TestClient(create_app(settings)) as client:
        yield client


def _isos(client: TestClient, query: str) -> list[str]:
    response = client.get("/sparql", params={"query": query, "format": "json"})
    assert response.status_code == 200, response.text
    return [row["iso"]["value"] for row in response.json()["results"]["bindings"]]


def test_a_look_alike_of_an_example_does_not_poison_its_answer(
    fresh_client: TestClient, built_store: StoreVersion
) -> None:
    example = next(e for e in load_examples() if e.slug == "agreements-with-countries")
    assert ORIGINAL_FILTER in example.query
    poisoned = example.query.replace(ORIGINAL_FILTER, POISON)
    store = ox.Store.read_only(str(built_store.database))
    truth = [
        row["iso"].value
        for row in store.query(example.query, prefixes=PREFIXES, use_default_graph_as_union=True)
    ]
    assert "TUR" in truth

    assert "TUR" not in _isos(fresh_client, poisoned)  # the attack runs, and is cached
    assert _isos(fresh_client, example.query) == truth  # the example is not its victim
    stats = fresh_client.get("/health").json()["cache"]
    assert stats["entries"] == 2
