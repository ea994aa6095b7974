"""The SPARQL 1.1 Protocol at /sparql, in-process (TestClient) on the real store and workers."""

from __future__ import annotations

import csv
import io
import json
import time
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from tipgraph.namespaces import GRAPH, ONTOLOGY_GRAPH, TIP
from tipgraph.store.location import StoreVersion

REPORT_GRAPH = f"{GRAPH}az-mia-thb-2018"
OBSERVATIONS = "SELECT ?o WHERE { ?o a qb:Observation }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SPARQL_JSON = "application/sparql-results+json"


def count_of(response_json: dict[str, object]) -> int:
    bindings = response_json["results"]["bindings"]  # type: ignore[index]
    return int(bindings[0]["n"]["value"])


def test_get_select_returns_sparql_json_with_datatypes_and_languages(client: TestClient) -> None:
    query = (
        "SELECT ?label ?value WHERE { ?o a qb:Observation ; sdmx-measure:obsValue ?value ; "
        "tip:indicator/skos:prefLabel ?label FILTER(LANG(?label) = 'en') } LIMIT 5"
    )
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(SPARQL_JSON)
    bindings = response.json()["results"]["bindings"]
    assert len(bindings) == 5
    assert all(b["label"]["xml:lang"] == "en" for b in bindings)
    assert all(
        b["value"]["datatype"].startswith("http://www.w3.org/2001/XMLSchema#") for b in bindings
    )


def test_post_form_and_post_sparql_query_give_the_get_answer(client: TestClient) -> None:
    by_get = client.get("/sparql", params={"query": COUNT}).json()
    by_form = client.post("/sparql", data={"query": COUNT}).json()
    direct = client.post(
        "/sparql", content=COUNT.encode(), headers={"Content-Type": "application/sparql-query"}
    ).json()
    assert by_get == by_form == direct
    assert count_of(by_get) > 4000


def test_default_graph_is_the_union_of_all_graphs(
    client: TestClient, built_store: StoreVersion
) -> None:
    assert (
        count_of(client.get("/sparql", params={"query": COUNT}).json())
        == built_store.manifest.triples
    )


def test_named_graphs_stay_addressable(client: TestClient, built_store: StoreVersion) -> None:
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    rows = client.get("/sparql", params={"query": query}).json()["results"]["bindings"]
    counts = {row["g"]["value"]: int(row["n"]["value"]) for row in rows}
    assert counts == built_store.manifest.graphs


def test_from_in_the_query_chooses_the_default_graph(
    client: TestClient, built_store: StoreVersion
) -> None:
    query = f"SELECT (COUNT(*) AS ?n) FROM <{ONTOLOGY_GRAPH}> WHERE {{ ?s ?p ?o }}"
    response = client.get("/sparql", params={"query": query})
    assert count_of(response.json()) == built_store.manifest.graphs[ONTOLOGY_GRAPH]


def test_protocol_dataset_overrides_from(client: TestClient, built_store: StoreVersion) -> None:
    query = f"SELECT (COUNT(*) AS ?n) FROM <{ONTOLOGY_GRAPH}> WHERE {{ ?s ?p ?o }}"
    params = {"query": query, "default-graph-uri": REPORT_GRAPH}
    assert (
        count_of(client.get("/sparql", params=params).json())
        == built_store.manifest.graphs[REPORT_GRAPH]
    )


def test_named_graph_uri_limits_graph_patterns(client: TestClient) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    params = {"query": query, "named-graph-uri": [REPORT_GRAPH, ONTOLOGY_GRAPH]}
    rows = client.get("/sparql", params=params).json()["results"]["bindings"]
    assert {row["g"]["value"] for row in rows} == {REPORT_GRAPH, ONTOLOGY_GRAPH}
    only_default = {"query": query, "default-graph-uri": REPORT_GRAPH}
    assert client.get("/sparql", params=only_default).json()["results"]["bindings"] == []


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/json", SPARQL_JSON),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("text/*;q=0.9, application/sparql-results+json;q=0.1", "text/csv"),
        ("*/*", SPARQL_JSON),
        ("", SPARQL_JSON),
    ],
)
def test_select_formats_by_accept_with_q_values(
    client: TestClient, accept: str, media_type: str
) -> None:
    response = client.get("/sparql", params={"query": OBSERVATIONS}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert "Accept" in response.headers["vary"]


def test_every_select_format_carries_every_row(client: TestClient) -> None:
    expected = len(
        client.get("/sparql", params={"query": OBSERVATIONS}).json()["results"]["bindings"]
    )
    assert expected == 65
    params = {"query": OBSERVATIONS}
    xml = client.get("/sparql", params={**params, "format": "xml"}).content
    results = ET.fromstring(xml).findall(".//{http://www.w3.org/2005/sparql-results#}result")
    rows_csv = list(
        csv.reader(io.StringIO(client.get("/sparql", params={**params, "format": "csv"}).text))
    )
    tsv = client.get("/sparql", params={**params, "format": "tsv"}).text.strip().split("\n")
    assert len(results) == len(rows_csv) - 1 == len(tsv) - 1 == expected


@pytest.mark.parametrize(
    ("accept", "rdf_format"),
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/n-quads", ox.RdfFormat.N_QUADS),
        ("application/trig", ox.RdfFormat.TRIG),
    ],
)
def test_construct_in_every_rdf_format(
    client: TestClient, accept: str, rdf_format: ox.RdfFormat
) -> None:
    query = "CONSTRUCT { ?o tip:indicator ?i } WHERE { ?o tip:indicator ?i }"
    response = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == accept
    triples = list(ox.parse(response.content, format=rdf_format))
    assert len(triples) == 65
    assert all(t.predicate == ox.NamedNode(f"{TIP}indicator") for t in triples)


def test_describe_and_ask(client: TestClient) -> None:
    describe = client.get(
        "/sparql", params={"query": f"DESCRIBE <{TIP}indicator>"}, headers={"Accept": "text/turtle"}
    )
    assert (
        describe.status_code == 200 and "rdfs:label" in describe.text
    ) or "label" in describe.text
    ask = client.get("/sparql", params={"query": "ASK { ?s a qb:Observation }"})
    assert ask.json() == {"head": {}, "boolean": True}
    ask_csv = client.get("/sparql", params={"query": "ASK { ?s a <urn:none> }", "format": "csv"})
    assert ask_csv.text == "false"


def test_format_parameter_overrides_accept(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": OBSERVATIONS, "format": "csv"}, headers={"Accept": SPARQL_JSON}
    )
    assert response.headers["content-type"].startswith("text/csv")


@pytest.mark.parametrize(
    ("request_options", "status", "message"),
    [
        ({"params": {"query": "SELECT * WHERE { ?s ?p "}}, 400, "error at 1:"),
        (
            {"params": {"query": "SELECT * WHERE { ?s ?p "}},
            400,
            "query does not parse: unbalanced braces: one `{` never closed",
        ),
        (
            {"params": {"query": "SELECT * { ?s wdt:P31 ?o }"}},
            400,
            "query does not parse: unknown prefix `wdt:` at line 1, column 15 — add "
            "`PREFIX wdt: <http://www.wikidata.org/prop/direct/>`",
        ),
        (
            {"params": {"query": "INSERT DATA { <a:b> <a:c> <a:d> }"}},
            403,
            "SPARQL Update is not accepted",
        ),
        ({"params": {"update": "INSERT DATA { <a:b> <a:c> <a:d> }"}}, 403, "read-only"),
        ({"params": [("query", "ASK {}"), ("query", "ASK {}")]}, 400, "2 times"),
        ({"params": {"query": "   "}}, 400, "empty"),
        (
            {"params": {"query": "ASK {}", "format": "png"}, "headers": {"Accept": "image/png"}},
            406,
            "image/png",
        ),
        ({"params": {"query": "ASK {}"}, "headers": {"Accept": "text/turtle"}}, 406, "boolean"),
        (
            {"params": {"query": "CONSTRUCT WHERE {?s ?p ?o}"}, "headers": {"Accept": "text/csv"}},
            406,
            "graph",
        ),
        ({"params": {"query": "ASK {}"}, "headers": {"Accept": "image/png"}}, 406, "image/png"),
        ({"params": {"query": "ASK {}", "default-graph-uri": "not an iri"}}, 400, "not an IRI"),
        (
            {"params": {"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}},
            400,
            "SERVICE",
        ),
    ],
)
def test_bad_requests_get_a_clear_4xx(
    client: TestClient, request_options: dict[str, object], status: int, message: str
) -> None:
    response = client.get("/sparql", **request_options)  # type: ignore[arg-type]
    assert response.status_code == status, response.text
    assert message in response.text
    assert response.headers["content-type"].startswith("text/plain")


LENIENT = "application/sparql-results+json", "text/tab-separated-values", "text/turtle"


@pytest.mark.parametrize(
    ("query", "params", "accept", "expected"),
    [
        ("ASK {}", [("format", "tsv"), ("format", "text/tab-separated-values")], None, LENIENT[1]),
        ("ASK {}", [("format", "png"), ("output", "tsv")], None, LENIENT[1]),
        ("ASK {}", [("format", "png")], "text/tab-separated-values", LENIENT[1]),
        ("ASK {}", [("results", "json"), ("output", "xml")], None, LENIENT[0]),
        ("ASK {}", [("format", "turtle"), ("format", "json")], None, LENIENT[0]),
        ("ASK {}", [("format", "")], "text/tab-separated-values", LENIENT[1]),
        ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", [("format", "n3")], None, LENIENT[2]),
        ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", [("format", "text/n3")], None, LENIENT[2]),
        ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", [], "text/n3", LENIENT[2]),
        ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", [("format", "json")], None, "application/ld+json"),
        ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", [("format", "xml")], None, "application/rdf+xml"),
        (
            "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1",
            [("output", "rdf+xml")],
            None,
            "application/rdf+xml",
        ),
        (
            "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1",
            [("format", "json-ld")],
            None,
            "application/ld+json",
        ),
        ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", [("format", "csv")], "text/turtle", LENIENT[2]),
    ],
)
def test_format_parameters_are_read_leniently(
    client: TestClient, query: str, params: list[tuple[str, str]], accept: str | None, expected: str
) -> None:
    """Repeated, unknown or unsuitable format/output/results values fall back to the first
    usable one, then to Accept, as the Oxigraph server, Fuseki and Virtuoso do."""
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", params=[("query", query), *params], headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == expected


def test_a_relative_iri_resolves_against_the_endpoint(client: TestClient) -> None:
    """W3C protocol test query_content_type_construct: relative IRIs need a base."""
    response = client.post(
        "/sparql",
        content=b"CONSTRUCT { <s> <p> 1 } WHERE {}",
        headers={"Content-Type": "application/sparql-query", "Accept": "application/n-triples"},
    )
    assert response.status_code == 200, response.text
    [triple] = ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)
    assert triple.subject.value.endswith("/s") and triple.object.value == "1"


def test_a_relative_service_iri_is_still_refused(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "ASK { SERVICE <x> { ?s ?p ?o } }"})
    assert response.status_code == 400
    assert "line 1, column 7: federated queries (SERVICE)" in response.text


def test_post_errors(client: TestClient) -> None:
    wrong_type = client.post("/sparql", content=b"ASK {}", headers={"Content-Type": "text/plain"})
    assert wrong_type.status_code == 415
    update = client.post(
        "/sparql", content=b"DROP ALL", headers={"Content-Type": "application/sparql-update"}
    )
    assert update.status_code == 403
    form_update = client.post("/sparql", data={"update": "DROP ALL"})
    assert form_update.status_code == 403
    twice = client.post("/sparql?query=ASK%7B%7D", data={"query": "ASK {}"})
    assert twice.status_code == 400
    no_query = client.post("/sparql", data={"format": "json"})
    assert no_query.status_code == 400
    huge = client.post(
        "/sparql",
        content=b"#" * (2 << 20),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert huge.status_code == 413
    bad_utf8_body = client.post(
        "/sparql",
        content=b"ASK { ?s ?p '\xff' }",
        headers={"Content-Type": "application/sparql-query"},
    )
    assert bad_utf8_body.status_code == 400 and "UTF-8" in bad_utf8_body.text


def test_invalid_utf8_in_the_url_is_a_400(client: TestClient) -> None:
    response = client.get("/sparql?query=ASK%20%7B%20%3Fs%20%3Fp%20%22%FF%22%20%7D")
    assert response.status_code == 400
    assert "UTF-8" in response.text


def test_too_many_rows_is_an_error_not_a_truncation(client: TestClient) -> None:
    # The test app allows 5,000 rows; twice the store's triples are more than that.
    twice = "SELECT ?s { { ?s ?p ?o } UNION { ?s ?p ?o } }"
    for output_format in ("json", "xml", "csv", "tsv"):
        response = client.get("/sparql", params={"query": twice, "format": output_format})
        assert response.status_code == 400
        assert "more than 5000 rows" in response.text
    allowed = client.get("/sparql", params={"query": f"{twice} LIMIT 5000"})
    assert len(allowed.json()["results"]["bindings"]) == 5000
    graph = "CONSTRUCT { ?s ?p ?o . ?o ?p ?s } WHERE { ?s ?p ?o FILTER(!ISLITERAL(?o)) }"
    response = client.get("/sparql", params={"query": graph, "format": "nt"})
    assert response.status_code == 400
    assert "more than 5000 triples" in response.text


def test_service_description_for_clients(client: TestClient, built_store: StoreVersion) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = ox.Store()
    graph.load(response.content, format=ox.RdfFormat.TURTLE)
    sd = "http://www.w3.org/ns/sparql-service-description#"
    answer = graph.query(
        f"ASK {{ ?service a <{sd}Service> ; <{sd}feature> <{sd}UnionDefaultGraph> ; "
        f"<{sd}supportedLanguage> <{sd}SPARQL11Query> ; <{sd}resultFormat> "
        f"<http://www.w3.org/ns/formats/SPARQL_Results_JSON> }}"
    )
    assert bool(answer)
    names = {str(s["g"].value) for s in graph.query(f"SELECT ?g {{ ?x <{sd}name> ?g }}")}
    assert names == set(built_store.manifest.graphs)
    default = client.get("/sparql")
    assert default.headers["content-type"].startswith("text/turtle")


def test_the_host_a_client_names_is_never_in_an_answer(client: TestClient) -> None:
    """Security review (issue 13, finding 6): the Host header ended up in the service
    description, on the query page and in the trailing-slash redirects."""
    evil = {"Host": "evil.example"}
    sd = "http://www.w3.org/ns/sparql-service-description#"
    description = client.get("/sparql", headers={**evil, "Accept": "text/turtle"})
    endpoint = "https://w3id.org/tipgraph/sparql"  # the dataset's own, as its VoID says
    said = ox.parse(description.content, ox.RdfFormat.TURTLE)
    assert {q.object.value for q in said if q.predicate.value == f"{sd}endpoint"} == {endpoint}
    page = client.get("/sparql", headers={**evil, "Accept": "text/html"})
    assert "<code>/sparql</code>" in page.text
    for path, target in [
        ("/sparql/?query=ASK{}", "/sparql?query=ASK%7B%7D"),
        ("/dumps", "/dumps/"),
    ]:
        moved = client.get(path, headers=evil, follow_redirects=False)
        assert (moved.status_code, moved.headers["location"]) == (307, target)
    for answer in (description, page):
        assert "evil.example" not in answer.text
    assert client.get("/no-such-page", headers=evil).status_code == 404


def test_browsers_get_the_query_page(client: TestClient) -> None:
    browser_accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/sparql", headers={"Accept": browser_accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<textarea" in response.text and "tip:indicator" in response.text
    # The editor's query relies on the predeclared prefixes: one comment line, no PREFIX block.
    assert "are predeclared here" in response.text and "\nPREFIX " not in response.text
    config = response.text.split('id="query-config">', 1)[1].split("</script>", 1)[0]
    assert json.loads(config)["prefixes"]["tip"] == "https://w3id.org/tipgraph/ontology#"


def test_etag_and_304(client: TestClient) -> None:
    first = client.get("/sparql", params={"query": OBSERVATIONS})
    etag = first.headers["etag"]
    assert "public" in first.headers["cache-control"]
    again = client.get("/sparql", params={"query": OBSERVATIONS})
    assert again.headers["etag"] == etag
    not_modified = client.get(
        "/sparql", params={"query": OBSERVATIONS}, headers={"If-None-Match": etag}
    )
    assert not_modified.status_code == 304 and not_modified.content == b""
    other_format = client.get("/sparql", params={"query": OBSERVATIONS, "format": "csv"})
    assert other_format.headers["etag"] != etag


def test_cors_preflight_and_simple_requests(client: TestClient) -> None:
    preflight = client.options(
        "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] in ("*", "https://example.org")
    assert "POST" in preflight.headers["access-control-allow-methods"]
    simple = client.get(
        "/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://example.org"}
    )
    assert simple.headers["access-control-allow-origin"] == "*"


def test_head_has_headers_and_no_body(client: TestClient) -> None:
    response = client.head("/sparql", params={"query": OBSERVATIONS})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(SPARQL_JSON)
    assert response.content == b""


def test_health_and_openapi(client: TestClient, built_store: StoreVersion) -> None:
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["triples"] == built_store.manifest.triples
    assert set(health["preparing"]) <= {"figures", "search"}
    deadline = time.monotonic() + 60
    while health["preparing"] and time.monotonic() < deadline:  # read in the background
        time.sleep(0.05)
        health = client.get("/health").json()
    assert health["preparing"] == []
    openapi = client.get("/openapi.json").json()
    operation = openapi["paths"]["/sparql"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"query", "default-graph-uri", "format"}
    assert (
        "application/sparql-query" in openapi["paths"]["/sparql"]["post"]["requestBody"]["content"]
    )


def test_no_write_route_exists(client: TestClient) -> None:
    for method in ("PUT", "DELETE", "PATCH"):
        assert client.request(method, "/sparql").status_code == 405
    assert client.post("/store", content=b"<a:b> <a:c> <a:d> .").status_code == 404
    before = count_of(client.get("/sparql", params={"query": COUNT}).json())
    client.post("/sparql", data={"update": "INSERT DATA { <a:b> <a:c> <a:d> }"})
    assert count_of(client.get("/sparql", params={"query": COUNT}).json()) == before


def test_results_parse_as_json(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": OBSERVATIONS, "format": "json"})
    assert json.loads(response.content)["head"]["vars"] == ["o"]
