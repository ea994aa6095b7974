"""The result cache against Oxigraph itself: whatever sequence of near-identical queries comes
in, every answer the endpoint gives (cached or not) is the answer Oxigraph gives that very text.
A key that equated two texts of different meaning would hand one the other's answer."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tipgraph.config import EndpointSettings
from tipgraph.examples import load_examples
from tipgraph.namespaces import PREFIXES
from tipgraph.store.location import StoreVersion
from tipgraph.web.app import create_app

EXAMPLES = [e.query for e in load_examples() if e.query.lstrip().upper().find("SELECT") >= 0]
# Edits that keep a query's meaning and edits that change it, including the escapes and
# comments a look-alike normaliser got wrong.
EDITS = [
    ("\n", " \n"),
    ("\n", " # a comment\n"),
    ('"en"', '"e\\u006E"'),
    ('"en"', '"en\\u0022#"'),
    ('"en"', '"az"'),
    ("?label", "?label "),
    ("ORDER BY", "# \\u000A ORDER BY"),
    ("}", "} #\\u000a LIMIT 1\n"),
    ("}", "} LIMIT 1\n"),
]


@pytest.fixture(scope="module")
def app_client(built_store: StoreVersion) -> Iterator[TestClient]:
    settings = EndpointSettings(
        store=built_store.path.parent, workers=1, timeout=10, client_seconds=0, client_queries=0
    )
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture(scope="module")
def store(built_store: StoreVersion) -> ox.Store:
    return ox.Store.read_only(str(built_store.database))


@st.composite
def variants(draw: st.DrawFn) -> list[str]:
    """A few edits of one example, in sequence: each text is sent after the ones before it."""
    query = draw(st.sampled_from(EXAMPLES))
    texts = [query]
    for old, new in draw(st.lists(st.sampled_from(EDITS), min_size=1, max_size=4)):
        if old in query:
            count = query.count(old)
            which = draw(st.integers(0, count - 1))
            parts = query.split(old)
            query = old.join(parts[: which + 1]) + new + old.join(parts[which + 1 :])
        texts.append(query)
    return texts


def _truth(store: ox.Store, query: str) -> object:
    try:
        result = store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True)
    except SyntaxError:
        return "syntax error"
    assert isinstance(result, ox.QuerySolutions)
    body = result.serialize(format=ox.QueryResultsFormat.JSON)
    return json.loads(body)["results"]["bindings"]


@settings(
    max_examples=60,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(variants())
def test_every_answer_is_oxigraphs_answer_to_that_text(
    app_client: TestClient, store: ox.Store, texts: list[str]
) -> None:
    for text in texts:
        response = app_client.get("/sparql", params={"query": text, "format": "json"})
        truth = _truth(store, text)
        if truth == "syntax error":
            assert response.status_code == 400
            continue
        assert response.status_code == 200, response.text
        assert response.json()["results"]["bindings"] == truth, text
