"""/search: a page for people and JSON for the search box, on the bundled data."""

from __future__ import annotations

import html
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tipgraph.config import EndpointSettings
from tipgraph.namespaces import ID
from tipgraph.search_index import SEARCH_FILE
from tipgraph.web.app import create_app
from tipgraph.web.state import AppState

MIA = f"{ID}agency/mia"
JSON = {"Accept": "application/json"}
PAGE = {"Accept": "text/html"}


def found(client: TestClient, query: str, **params: str) -> list[dict[str, str]]:
    answer = client.get("/search", params={"q": query, **params}, headers=JSON)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    assert body["query"] == query
    results: list[dict[str, str]] = body["results"]
    return results


def test_json_finds_the_ministry_by_its_azerbaijani_label_without_its_letters(
    client: TestClient,
) -> None:
    results = found(client, "Daxili Isler Nazirliyi")
    mia = next(r for r in results if r["iri"] == MIA)
    assert mia["language"] == "az"
    assert mia["label"] == "Azərbaycan Respublikasının Daxili İşlər Nazirliyi"
    assert mia["page"] == "/id/agency/mia"
    assert mia["type"]
    assert set(mia) == {"iri", "label", "language", "type", "page"}


def test_format_json_overrides_accept_and_limit_bounds_the_results(client: TestClient) -> None:
    answer = client.get("/search", params={"q": "minist", "format": "json", "limit": "2"})
    assert answer.status_code == 200
    results = answer.json()["results"]
    assert len(results) == 2
    assert all("minist" in r["label"].lower() for r in results)


def test_the_page_lists_results_linking_to_their_pages(client: TestClient) -> None:
    answer = client.get("/search", params={"q": "ministry of internal"}, headers=PAGE)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    page = answer.text
    assert 'href="/id/agency/mia"' in page
    assert "Ministry of Internal Affairs" in page
    assert 'value="ministry of internal"' in page
    assert 'rel="alternate" type="application/json"' in page


def test_an_empty_query_gives_the_page_with_no_results(client: TestClient) -> None:
    answer = client.get("/search", headers=PAGE)
    assert answer.status_code == 200
    assert "search-results" not in answer.text
    assert found(client, "") == []
    assert found(client, "   ") == []


def test_nothing_found_says_so(client: TestClient) -> None:
    assert found(client, "zzqxv") == []
    page = client.get("/search", params={"q": "zzqxv"}, headers=PAGE).text
    assert "Nothing is labelled “zzqxv”" in page


def test_the_query_is_escaped_in_the_page(client: TestClient) -> None:
    attack = '"><script>alert(1)</script>'
    page = client.get("/search", params={"q": attack}, headers=PAGE).text
    assert "<script>alert(1)</script>" not in page
    assert html.escape(attack) in page or "&#34;&gt;&lt;script&gt;" in page


@pytest.mark.parametrize("limit", ["0", "101", "-1", "ten"])
def test_a_limit_out_of_bounds_is_400(client: TestClient, limit: str) -> None:
    answer = client.get("/search", params={"q": "minist", "limit": limit}, headers=JSON)
    assert answer.status_code == 400
    assert "limit" in answer.text


def test_a_query_too_long_is_400(client: TestClient) -> None:
    answer = client.get("/search", params={"q": "a" * 201}, headers=JSON)
    assert answer.status_code == 400


def test_an_unacceptable_type_is_406(client: TestClient) -> None:
    answer = client.get("/search", params={"q": "minist"}, headers={"Accept": "text/turtle"})
    assert answer.status_code == 406


def test_etag_and_304(client: TestClient) -> None:
    first = client.get("/search", params={"q": "minist"}, headers=JSON)
    etag = first.headers["etag"]
    assert "max-age" in first.headers["cache-control"]
    again = client.get("/search", params={"q": "minist"}, headers=JSON | {"If-None-Match": etag})
    assert again.status_code == 304
    # Another query, limit or representation is another document.
    other = client.get("/search", params={"q": "ministry"}, headers=JSON)
    fewer = client.get("/search", params={"q": "minist", "limit": "3"}, headers=JSON)
    page = client.get("/search", params={"q": "minist"}, headers=PAGE)
    assert len({etag, other.headers["etag"], fewer.headers["etag"], page.headers["etag"]}) == 4
    # Case and accents make no other document: the same results.
    same = client.get("/search", params={"q": "MİNİST"}, headers=JSON)
    assert same.headers["etag"] == etag


def test_openapi_describes_the_route(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/search"]["get"]
    assert "label" in operation["summary"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"q", "limit", "format"} <= names
    content = operation["responses"]["200"]["content"]
    assert {"text/html", "application/json"} <= set(content)
    assert "400" in operation["responses"]


def test_a_store_without_a_saved_index_is_searched_all_the_same(
    store_dir: Path, tmp_path: Path
) -> None:
    """A version loaded before search existed (or a SPARQL service): the index is built from
    the store when first needed."""
    copy = tmp_path / "store"
    shutil.copytree(store_dir, copy, symlinks=True)
    (copy / "current" / SEARCH_FILE).unlink()
    app = create_app(EndpointSettings(store=copy, workers=1))
    state: AppState = app.state.tipgraph
    assert state.search_index is None
    results = TestClient(app).get("/search", params={"q": "daxili"}, headers=JSON).json()
    assert MIA in [r["iri"] for r in results["results"]]
    assert state.search_index is not None
    assert state.search_index.version == state.manifest.version
