"""The home page, /dataset and /.well-known/void: HTML for people, RDF by content negotiation."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
import rdflib
from fastapi.testclient import TestClient

from tipgraph.catalog import DATASET, read_catalog
from tipgraph.quality import FILES, read_summary
from tipgraph.store.location import StoreVersion

RDF_TYPES = {
    "text/turtle": ("ttl", ox.RdfFormat.TURTLE, "turtle"),
    "application/n-triples": ("nt", ox.RdfFormat.N_TRIPLES, "nt"),
    "application/ld+json": ("jsonld", ox.RdfFormat.JSON_LD, "json-ld"),
    "application/rdf+xml": ("rdf", ox.RdfFormat.RDF_XML, "xml"),
}
VOID = "http://rdfs.org/ns/void#"


@pytest.fixture(scope="module")
def store(built_store: StoreVersion) -> Iterator[ox.Store]:
    yield ox.Store.read_only(str(built_store.database))


def count(store: ox.Store, query: str) -> int:
    solutions = store.query(query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    return int(next(iter(solutions))["n"].value)


def triples(store: ox.Store) -> int:
    return count(store, "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }")


def instances(store: ox.Store, kind: str) -> int:
    return count(store, f"SELECT (COUNT(DISTINCT ?s) AS ?n) {{ ?s a <{kind}> }}")


def parsed(body: bytes, media: str) -> list[ox.Triple]:
    _, oxigraph_format, rdflib_format = RDF_TYPES[media]
    graph = rdflib.Graph().parse(data=body, format=rdflib_format)
    triples = list(ox.parse(io.BytesIO(body), oxigraph_format))
    assert len(graph) == len(triples) > 100
    return [t.triple for t in triples]


def void_triples(description: list[ox.Triple]) -> int:
    return next(
        int(t.object.value)
        for t in description
        if t.subject == ox.NamedNode(DATASET) and t.predicate == ox.NamedNode(f"{VOID}triples")
    )


@pytest.mark.parametrize("path", ["/dataset", "/.well-known/void"])
@pytest.mark.parametrize("media", list(RDF_TYPES))
def test_description_by_accept_parses_and_counts_the_store(
    client: TestClient, store: ox.Store, path: str, media: str
) -> None:
    response = client.get(path, headers={"accept": media})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    assert "Accept" in response.headers["vary"]
    assert void_triples(parsed(response.content, media)) == triples(store)


@pytest.mark.parametrize("media", list(RDF_TYPES))
def test_twins_and_format_parameter(client: TestClient, media: str) -> None:
    extension = RDF_TYPES[media][0]
    twin = client.get(f"/dataset.{extension}", headers={"accept": "text/html"})
    assert twin.status_code == 200
    assert twin.headers["content-type"].split(";")[0] == media
    by_param = client.get(f"/dataset?format={extension}", headers={"accept": "text/html"})
    assert by_param.content == twin.content
    assert len(parsed(twin.content, media)) > 100


def test_unknown_twin_and_unacceptable_type(client: TestClient) -> None:
    assert client.get("/dataset.exe").status_code == 404
    assert client.get("/dataset", headers={"accept": "image/png"}).status_code == 406


def test_dataset_page_for_people(client: TestClient, store: ox.Store) -> None:
    response = client.get("/dataset", headers={"accept": "text/html,application/xhtml+xml"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert f"{triples(store):,}" in page
    assert 'rel="alternate" type="text/turtle" href="/dataset.ttl"' in page
    assert "https://creativecommons.org/licenses/by/4.0/" in page
    assert page.count("<caption>") >= 4 and '<th scope="row">' in page
    observations = instances(store, "http://purl.org/linked-data/cube#Observation")
    row = re.search(
        r'qb:Observation</a></th><td class="number"><a class="count" '
        r'href="/list\?class=qb%3AObservation">([\d,]+)<',
        page,
    )
    assert row is not None and row.group(1) == f"{observations:,}"
    assert 'href="/sparql"' in page and 'href="/ontology"' in page
    assert 'href="/dumps/tipgraph.nt.gz"' in page


def test_home_page_for_people_with_the_store_counts(client: TestClient, store: ox.Store) -> None:
    response = client.get("/", headers={"accept": "text/html"})
    assert response.status_code == 200
    page = response.text
    counts = dict(re.findall(r"<dt>([^<]+)</dt><dd>(?:<a [^>]+>)?([\d,]+)(?:</a>)?</dd>", page))
    assert counts["triples"] == f"{triples(store):,}"
    assert counts["observations (figures)"] == (
        f"{instances(store, 'http://purl.org/linked-data/cube#Observation'):,}"
    )
    assert counts["government agencies"] == (
        f"{instances(store, 'https://schema.org/GovernmentOrganization'):,}"
    )
    assert counts["source reports"] == (
        f"{instances(store, 'https://w3id.org/tipgraph/ontology#AnnualReport'):,}"
    )
    for link in ("/sparql", "/dumps/", "/ontology", "/dataset"):
        assert f'href="{link}"' in page
    assert 'href="/id/report/az-mia-thb-2018"' in page  # the source report, via links.href


def test_home_sends_rdf_clients_to_the_description(client: TestClient) -> None:
    response = client.get("/", headers={"accept": "text/turtle"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/dataset"
    assert client.get("/", headers={"accept": "*/*"}).status_code == 200


def test_description_is_cached_by_etag(client: TestClient) -> None:
    first = client.get("/dataset.ttl")
    again = client.get("/dataset.ttl", headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304


def test_dataset_page_says_the_data_passed_the_gate_and_links_the_proof(
    client: TestClient, built_store: StoreVersion
) -> None:
    description = read_catalog(built_store.path)
    assert description is not None
    summary = read_summary(description)
    assert summary is not None
    page = client.get("/dataset", headers={"accept": "text/html"}).text
    sentence = (
        f"Validated on {summary.ended[:10]} against {summary.shapes} shapes: conforms; every "
        f"numeral of the source text covered ({summary.found} of {summary.found})."
    )
    assert sentence in page
    assert page.index(sentence) < page.index('id="counts-heading"')  # near the top
    for name in FILES:
        assert f'href="/dumps/{name}"' in page
        response = client.get(f"/dumps/{name}")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/turtle")
        assert len(list(ox.parse(response.content, ox.RdfFormat.TURTLE))) > 0
    index = client.get("/dumps.json").json()["files"]
    assert {f["name"] for f in index if f["role"] == "validation"} == set(FILES)
