"""Dereferencing: /id/ → 303 → /doc/, content negotiation, twins, 404, caching, languages."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from fastapi.testclient import TestClient

from tipgraph.config import EndpointSettings
from tipgraph.describe import resource_triples
from tipgraph.namespaces import BASE, ID
from tipgraph.store.location import StoreVersion
from tipgraph.store.reader import EmbeddedReader
from tipgraph.web import resources
from tipgraph.web.app import create_app

from ..helpers.documented import documented

RDF_FORMATS = {
    "text/turtle": ("ttl", "turtle"),
    "application/ld+json": ("jsonld", "json-ld"),
    "application/n-triples": ("nt", "nt"),
    "application/rdf+xml": ("rdf", "xml"),
}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
OBSERVATION = f"{ID}observation/az-mia-thb-2018/women-and-girls-share-2016"
MIA = f"{ID}agency/mia"


def local(iri: str) -> str:
    return "/" + iri[len(BASE) :]


def doc(iri: str) -> str:
    return "/doc/" + iri[len(ID) :]


def one_of_each_class(version: StoreVersion) -> dict[str, str]:
    """For every class with instances under /id/, its first instance (IRI order)."""
    store = ox.Store.read_only(str(version.database))
    query = f"""
        SELECT ?class (MIN(STR(?s)) AS ?sample) WHERE {{
          ?s a ?class FILTER(STRSTARTS(STR(?s), "{ID}"))
        }} GROUP BY ?class"""
    rows = store.query(query, use_default_graph_as_union=True)
    return {row["class"].value: row["sample"].value for row in rows}  # type: ignore[index,union-attr]


def own_triples(version: StoreVersion, iri: str) -> set[tuple[rdflib.term.Node, ...]]:
    """The resource's triples in the store whose object is not a blank node, as rdflib terms."""
    store = ox.Store.read_only(str(version.database))
    triples = {q.triple for q in store.quads_for_pattern(ox.NamedNode(iri), None, None)}
    graph = rdflib.Graph().parse(
        data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt"
    )
    return as_terms(graph, iri)


def as_terms(graph: rdflib.Graph, iri: str) -> set[tuple[rdflib.term.Node, ...]]:
    return {
        (p, o)
        for _, p, o in graph.triples((rdflib.URIRef(iri), None, None))
        if not isinstance(o, rdflib.BNode)
    }


def test_an_iri_redirects_303_to_its_document_keeping_the_query(client: TestClient) -> None:
    response = client.get(local(MIA) + "?lang=az", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/doc/agency/mia?lang=az"


@pytest.mark.parametrize("media_type", sorted(RDF_FORMATS))
def test_every_class_dereferences_to_rdf_containing_its_triples(
    client: TestClient, built_store: StoreVersion, media_type: str
) -> None:
    samples = one_of_each_class(built_store)
    assert len(samples) >= 30, "the bundled data has some thirty classes of resource"
    _, rdflib_format = RDF_FORMATS[media_type]
    for class_iri, iri in samples.items():
        response = client.get(local(iri), headers={"Accept": media_type})
        assert response.status_code == 200, (class_iri, iri, response.text)
        assert response.headers["content-type"].startswith(media_type)
        graph = rdflib.Graph().parse(data=response.content, format=rdflib_format)
        expected = own_triples(built_store, iri)
        assert expected, iri
        assert as_terms(graph, iri) == expected, (class_iri, iri)


@pytest.mark.parametrize(("extension", "media_type"), [
    ("ttl", "text/turtle"), ("jsonld", "application/ld+json"), ("nt", "application/n-triples"),
    ("rdf", "application/rdf+xml"), ("html", "text/html"),
])  # fmt: skip
def test_twins_and_format_override_beat_accept(
    client: TestClient, extension: str, media_type: str
) -> None:
    twin = client.get(f"{doc(MIA)}.{extension}", headers={"Accept": BROWSER})
    assert twin.status_code == 200
    assert twin.headers["content-type"].startswith(media_type)
    override = client.get(doc(MIA), params={"format": extension}, headers={"Accept": "text/turtle"})
    assert override.headers["content-type"].startswith(media_type)
    assert override.content == twin.content


def test_a_browser_gets_html_and_anything_else_turtle(client: TestClient) -> None:
    page = client.get(local(MIA), headers={"Accept": BROWSER})
    assert page.headers["content-type"].startswith("text/html")
    assert "Accept" in page.headers["vary"]
    assert (
        client.get(local(MIA), headers={"Accept": "*/*"})
        .headers["content-type"]
        .startswith("text/turtle")
    )


def test_documents_name_their_twins_in_link_headers_and_html(client: TestClient) -> None:
    response = client.get(doc(MIA), headers={"Accept": BROWSER})
    link = response.headers["link"]
    for extension, media_type in (
        ("ttl", "text/turtle"),
        ("jsonld", "application/ld+json"),
        ("nt", "application/n-triples"),
        ("rdf", "application/rdf+xml"),
    ):
        assert f'</doc/agency/mia.{extension}>; rel="alternate"; type="{media_type}"' in link
        assert f'<link rel="alternate" type="{media_type}" href="/doc/agency/mia.{extension}">' in (
            response.text
        )


def test_unknown_iris_and_formats_are_clear_errors(client: TestClient) -> None:
    page = client.get("/id/agency/no-such-agency", headers={"Accept": BROWSER})
    assert page.status_code == 404
    assert "text/html" in page.headers["content-type"]
    assert f"{ID}agency/no-such-agency" in page.text
    machine = client.get("/doc/agency/no-such-agency", headers={"Accept": "text/turtle"})
    assert machine.status_code == 404
    assert "nothing is known" in machine.text
    assert client.get("/no/such/path", headers={"Accept": BROWSER}).status_code == 404
    refused = client.get(doc(MIA), headers={"Accept": "image/png"})
    assert refused.status_code == 406
    assert client.get(doc(MIA), params={"format": "pdf"}).status_code == 406


def test_a_document_is_cached_by_etag(client: TestClient) -> None:
    first = client.get(doc(MIA), headers={"Accept": "text/turtle"})
    etag = first.headers["etag"]
    again = client.get(doc(MIA), headers={"Accept": "text/turtle", "If-None-Match": etag})
    assert again.status_code == 304
    other = client.get(doc(MIA), headers={"Accept": "application/n-triples", "If-None-Match": etag})
    assert other.status_code == 200


def title_of(html: str) -> str:
    match = re.search(r"<h1>(.*?)</h1>", html, re.S)
    assert match
    return match.group(1).strip()


def test_the_title_follows_the_readers_language(client: TestClient) -> None:
    english = client.get(doc(MIA), headers={"Accept": BROWSER})
    assert title_of(english.text) == "Ministry of Internal Affairs of the Republic of Azerbaijan"
    by_header = client.get(doc(MIA), headers={"Accept": BROWSER, "Accept-Language": "az,en;q=0.5"})
    assert title_of(by_header.text) == "Azərbaycan Respublikasının Daxili İşlər Nazirliyi"
    by_parameter = client.get(doc(MIA), params={"lang": "az"}, headers={"Accept": BROWSER})
    assert title_of(by_parameter.text) == title_of(by_header.text)
    # No Russian label: the fallback is English, then Azerbaijani.
    russian = client.get(doc(MIA), params={"lang": "ru"}, headers={"Accept": BROWSER})
    assert title_of(russian.text) == title_of(english.text)


class Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.append(dict(attrs))


def test_a_statistic_page_shows_value_dimensions_and_the_quote_in_its_paragraph(
    client: TestClient,
) -> None:
    page = client.get(local(OBSERVATION), headers={"Accept": BROWSER})
    assert page.status_code == 200
    html = page.text
    assert '<span class="qualifier">about</span> <span class="value">70 %</span>' in html
    for label in ("Share of women and girls among detected victims", "World", "2016", "Percent"):
        assert label in html
    assert re.search(
        r'<mark class="quote">It is not a coincidence.*?<strong class="numeral">'
        r"approximately 70 %</strong>",
        html,
        re.S,
    )
    assert "Characters 874–1232" in html
    anchors = Anchors()
    anchors.feed(html)
    hrefs = [a.get("href") or "" for a in anchors.links]
    assert "/id/report/az-mia-thb-2018/text/en?start=874&end=1232#passage" in hrefs
    assert "Vilayat Eyvazov" in html  # the report's citation


def test_the_source_text_marks_the_passage(client: TestClient) -> None:
    page = client.get(
        "/id/report/az-mia-thb-2018/text/en?start=874&end=1232", headers={"Accept": BROWSER}
    )
    paragraph = re.search(r'<p id="passage">(.*?)</p>', page.text, re.S)
    assert paragraph
    # The passage may run through marks of figures and numerals: its <mark> runs, untagged.
    runs = "".join(re.findall(r"<mark>(.*?)</mark>", paragraph.group(1), re.S))
    marked = re.sub(r"<[^>]+>", "", runs)
    assert marked.startswith("It is not a coincidence")
    plain = client.get("/doc/report/az-mia-thb-2018/text/en.txt")
    assert plain.headers["content-type"].startswith("text/plain")
    assert plain.text[874:1232] == marked.replace("&amp;", "&")


def test_a_contested_figure_shows_its_reading_next_to_the_number(client: TestClient) -> None:
    """Issue 14: the caveat stands in the figure's section, not only in the property table."""
    html = client.get(
        "/id/observation/az-mia-thb-2018/thb-victims-in-registered-crimes-2018",
        headers={"Accept": BROWSER},
    ).text
    figure = html.split('id="figure-heading"', 1)[1].split("</section>", 1)[0]
    caveat = figure.split('class="caveat"', 1)[1].split("</p>", 1)[0]
    assert "offences of trafficking" in caveat
    assert "interpretation/victims-or-offences" in caveat


def test_an_agency_page_lists_units_figures_and_agreements(client: TestClient) -> None:
    html = client.get(local(MIA), headers={"Accept": BROWSER}).text
    assert "Main Department for Combating Trafficking in Human Beings" in html
    assert "Pupils reached by awareness meetings, Azerbaijan, 2018: about 85,000" in html
    cabinet = client.get("/id/agency/cabinet-of-ministers", headers={"Accept": BROWSER}).text
    assert "General Collective Agreement 2018–2019" in cabinet


def test_an_indicator_page_charts_its_observations_with_a_csv_twin(client: TestClient) -> None:
    """Two shares of one year, by form: one chart, a bar each, its caption above it."""
    html = client.get(
        "/id/indicator/share-of-detected-victims-by-form", headers={"Accept": BROWSER}
    ).text
    assert html.count('<figure class="chart"><figcaption>') == 1
    assert html.count("<rect") == 2
    rows = client.get("/doc/indicator/share-of-detected-victims-by-form.csv").text.splitlines()
    assert rows[0].startswith("observation,")
    assert len(rows) - 1 == html.count("<rect")


def test_charts_do_not_set_a_total_or_a_span_beside_what_they_are_not(
    client: TestClient,
) -> None:
    """Victims identified: 2014–2018 in Azerbaijan, 2017 in the world; modern slavery: the
    total and one form. No pair is a series, so no chart draws them: the numbers are listed."""
    for indicator in ("victims-identified", "modern-slavery-victims"):
        html = client.get(f"/id/indicator/{indicator}", headers={"Accept": BROWSER}).text
        assert '<figure class="chart">' not in html, indicator


def test_external_links_are_marked(client: TestClient) -> None:
    html = client.get("/id/agency/milli-majlis", headers={"Accept": BROWSER}).text
    wikidata = re.findall(
        r'<a class="external" rel="external" href="(http://www.wikidata.org/[^"]+)"', html
    )
    assert wikidata, "the Milli Majlis has a verified Wikidata link"


EXACT = "https://w3id.org/tipgraph/id/qualifier/exact"


def test_backlinks_are_counted(client: TestClient) -> None:
    html = client.get("/id/qualifier/exact", headers={"Accept": BROWSER}).text
    count = client.get(
        "/sparql",
        params={"query": f"SELECT (COUNT(*) AS ?n) {{ ?o tip:valueQualifier <{EXACT}> }}"},
        headers={"Accept": "application/sparql-results+json"},
    ).json()["results"]["bindings"][0]["n"]["value"]
    assert int(count) > 25  # more than the 25 listed
    match = re.search(r"value qualifier</span> <small>\((\d+)\)</small>", html)
    assert match and match.group(1) == count
    assert f"All {count}</a>" in html


def test_the_ontology_resolves_to_docs_and_rdf(client: TestClient) -> None:
    page = client.get("/ontology", headers={"Accept": BROWSER})
    assert page.status_code == 200
    assert 'id="AnnualReport"' in page.text
    assert 'id="indicator"' in page.text  # a property anchor
    assert 'id="shapes"' in page.text and "ObservationShape" in page.text
    turtle = client.get("/ontology", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=turtle.content, format="turtle")
    assert (rdflib.URIRef(f"{BASE}ontology"), rdflib.RDF.type, rdflib.OWL.Ontology) in graph
    for extension in ("ttl", "rdf", "jsonld", "nt"):
        assert client.get(f"/ontology.{extension}").status_code == 200
    version = client.get("/ontology/0.2.0", follow_redirects=False)
    assert version.status_code == 303
    shapes = client.get("/shapes", headers={"Accept": "text/turtle"})
    assert "sh:NodeShape" in shapes.text or "NodeShape" in shapes.text


def test_named_graphs_resolve(client: TestClient) -> None:
    page = client.get("/graph/az-mia-thb-2018", headers={"Accept": BROWSER})
    assert page.status_code == 200
    assert "qb:Observation" in page.text
    nquads = client.get("/graph/az-mia-thb-2018.nt")
    assert len(nquads.text.strip().splitlines()) > 1000
    assert client.get("/graph/no-such-graph").status_code == 404


def test_a_base_url_makes_links_point_to_the_public_address(store_dir: Path) -> None:
    app = create_app(
        EndpointSettings(store=store_dir, workers=1, base_url="https://example.org/tipgraph")
    )
    with TestClient(app) as client:
        html = client.get(local(MIA), headers={"Accept": BROWSER}).text
        description = client.get("/sparql", headers={"Accept": "text/turtle"}).content
        page = client.get("/sparql", headers={"Accept": BROWSER}).text
    anchors = Anchors()
    anchors.feed(html)
    hrefs = {a.get("href") for a in anchors.links}
    assert "https://example.org/tipgraph/id/agency/mia-thb-department" in hrefs
    assert "/id/agency/mia-thb-department" not in hrefs
    endpoint = "https://example.org/tipgraph/sparql"
    said = ox.parse(description, ox.RdfFormat.TURTLE)
    assert {q.object.value for q in said if q.predicate.value == f"{SD}endpoint"} == {endpoint}
    assert f"<code>{endpoint}</code>" in page


def test_head_answers_like_get_without_a_body(client: TestClient) -> None:
    got = client.get(doc(MIA), headers={"Accept": "text/turtle"})
    head = client.head(doc(MIA), headers={"Accept": "text/turtle"})
    assert head.status_code == 200
    assert head.headers["etag"] == got.headers["etag"]
    assert head.content == b""
    operations = client.get("/openapi.json").json()["paths"]["/doc/{path}"]
    assert set(operations) == {"get"}


@pytest.mark.parametrize("path", [
    "/doc/agency/a%20b", "/doc/agency/a%3Cb", "/doc/agency/a%22b.csv", "/doc/agency/a%7Bb.txt",
    "/graph/a%20b", "/id/..%2F..%2Fdumps%2Ftipgraph.nt", "/doc/a/..%2F..%2Fx", "/doc/",
    "/ontologyXYZ.ttl", "/ontology.html.ttl", "/shapesfoo.ttl", "/ontology/9.9.9",
])  # fmt: skip
def test_paths_naming_no_resource_are_404(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Accept": BROWSER}, follow_redirects=False)
    assert response.status_code == 404, response.text


def test_the_ontology_version_iri_redirects(client: TestClient) -> None:
    response = client.get("/ontology/0.2.0", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/ontology"


SD = "http://www.w3.org/ns/sparql-service-description#"
HUGE = "9" * 4301  # more digits than int() converts (security review, issue 13, finding 6)


@pytest.mark.parametrize(
    "query",
    [
        "?start=1232&end=874",
        "?start=abc&end=12",
        "?start=-3&end=9",
        "?start=0&end=99999999",
        f"?start={HUGE}&end={HUGE}",
        f"?start=0&end={HUGE}",
    ],
)
def test_a_passage_that_is_not_one_is_not_marked(client: TestClient, query: str) -> None:
    page = client.get("/doc/report/az-mia-thb-2018/text/en" + query, headers={"Accept": BROWSER})
    assert page.status_code == 200
    assert 'id="passage"' not in page.text
    assert "It is not a coincidence" in page.text  # every paragraph still shown whole
    if HUGE in query:
        documented(
            "a passage offset that is none (?start=, ?end= of a source text)",
            page.status_code,
            page.text,
        )


def test_pages_are_kept_by_what_they_read_not_by_any_parameter(client: TestClient) -> None:
    """Security review (issue 13, finding 6): /ontology?bust=N kept a new 96 KB page per N."""

    def entries() -> int:
        return int(client.get("/health").json()["cache"]["entries"])

    pages = ["/ontology", local(MIA), "/doc/report/az-mia-thb-2018/text/en"]
    first = {path: client.get(path, headers={"Accept": BROWSER}) for path in pages}
    before = entries()
    for n in range(5):
        for path in pages:
            busted = client.get(f"{path}?bust={n}&lang=x{n}", headers={"Accept": BROWSER})
            assert busted.headers["etag"] == first[path].headers["etag"]
        marked = f"{pages[2]}?start={874 + n}&end=1232"  # a passage: rendered, not kept
        assert 'id="passage"' in client.get(marked, headers={"Accept": BROWSER}).text
    assert entries() == before
    azerbaijani = client.get("/ontology", headers={"Accept": BROWSER, "Accept-Language": "az"})
    assert azerbaijani.headers["etag"] != first["/ontology"].headers["etag"]  # Vary: it varies


def test_rdf_does_not_vary_by_language(client: TestClient) -> None:
    azerbaijani = client.get(doc(MIA), headers={"Accept": "text/turtle", "Accept-Language": "az"})
    plain = client.get(
        doc(MIA), headers={"Accept": "text/turtle", "If-None-Match": azerbaijani.headers["etag"]}
    )
    assert plain.status_code == 304
    assert "Accept-Language" not in azerbaijani.headers["vary"]


def test_a_description_follows_blank_nodes_all_the_way(built_store: StoreVersion) -> None:
    reader = EmbeddedReader(built_store.database)
    triples = resource_triples(reader, f"{BASE}shapes#ObservationShape")
    blanks = {t.object for t in triples if isinstance(t.object, ox.BlankNode)}
    described = {t.subject for t in triples}
    assert blanks and blanks <= described  # no blank node left dangling (lists included)
    assert any(t.predicate.value.endswith("#first") for t in triples)


def test_named_graphs_stream_as_turtle(client: TestClient, built_store: StoreVersion) -> None:
    response = client.get("/graph/az-mia-thb-2018.ttl")
    graph = rdflib.Graph().parse(data=response.content, format="turtle")
    assert len(graph) == built_store.manifest.graphs[f"{BASE}graph/az-mia-thb-2018"]


def test_a_root_path_prefixes_every_server_path(store_dir: Path) -> None:
    app = create_app(EndpointSettings(store=store_dir, workers=1, root_path="/tipgraph"))
    with TestClient(app) as client:
        moved = client.get("/id/agency/mia", follow_redirects=False)
        page = client.get("/doc/agency/mia", headers={"Accept": BROWSER})
        slash = client.get("/dumps", follow_redirects=False)
    assert moved.headers["location"] == "/tipgraph/doc/agency/mia"
    assert (slash.status_code, slash.headers["location"]) == (307, "/tipgraph/dumps/")
    assert "</tipgraph/doc/agency/mia.ttl>" in page.headers["link"]
    anchors = Anchors()
    anchors.feed(page.text)
    hrefs = {a.get("href") for a in anchors.links}
    assert {
        "/tipgraph/sparql",
        "/tipgraph/dumps/",
        "/tipgraph/id/agency/mia-thb-department",
    } <= hrefs
    assert not {h for h in hrefs if h and h.startswith("/") and not h.startswith("/tipgraph/")}


def test_every_iri_minted_under_the_base_resolves(
    client: TestClient, built_store: StoreVersion
) -> None:
    store = ox.Store.read_only(str(built_store.database))
    minted = {
        term.value
        for quad in store.quads_for_pattern(None, None, None)
        for term in (quad.subject, quad.predicate, quad.object, quad.graph_name)
        if isinstance(term, ox.NamedNode) and term.value.startswith(BASE)
    }
    paths = {local(iri.partition("#")[0]) for iri in minted}
    assert len(paths) > 400
    failed = {}
    for path in sorted(paths):
        response = client.get(path, headers={"Accept": "text/turtle"})
        if response.status_code != 200:
            failed[path] = response.status_code
    assert not failed, failed


TEXT_PAGE = "/id/report/az-mia-thb-2018/text/en"


def test_the_source_text_marks_every_passage_of_a_figure_and_every_numeral_that_is_none(
    client: TestClient,
) -> None:
    """The one page where a reader checks the whole report against the graph (issue 16)."""
    html = client.get(TEXT_PAGE, headers={"Accept": BROWSER}).text
    ask = (
        "SELECT (COUNT(DISTINCT ?span) AS ?n) { ?q oa:hasSelector ?p . ?p a "
        "oa:TextPositionSelector ; oa:start ?a ; oa:end ?b . %s BIND(CONCAT(STR(?a), '-', "
        "STR(?b)) AS ?span) }"
    )
    counted = [
        int(
            client.get(
                "/sparql",
                params={"query": ask % pattern},
                headers={"Accept": "application/sparql-results+json"},
            ).json()["results"]["bindings"][0]["n"]["value"]
        )
        for pattern in (
            "?o a qb:Observation ; prov:wasDerivedFrom ?q .",
            "?q a tip:NonStatisticalNumeral .",
        )
    ]
    assert counted[0] > 0 and counted[1] > 0
    assert f"{counted[0]} passages figures come from" in html
    assert f"{counted[1]} numerals that are no statistic" in html
    assert html.count('<span class="no-statistic" title="Not a statistic') >= counted[1]
    assert html.count('<a class="from-figure" href="') >= counted[0]


def test_a_passage_asked_for_is_marked_and_anchored(client: TestClient) -> None:
    html = client.get(f"{TEXT_PAGE}?start=0&end=5", headers={"Accept": BROWSER}).text
    assert html.count('id="passage"') == 1
    assert "<mark>Websi</mark>" in html


@pytest.mark.parametrize("iri", [OBSERVATION, MIA, f"{ID}report/az-mia-thb-2018"])
def test_documents_written_at_once_match_those_written_in_a_thread(
    client: TestClient, iri: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RDF for a machine is written on the event loop (up to QUICK_TRIPLES triples); for a
    browser following a .ttl link, or past the bound, in a page thread: the same document."""
    quick = client.get(doc(iri) + ".ttl", headers={"Accept": "text/turtle"})
    threaded = client.get(doc(iri) + ".ttl", headers={"Accept": BROWSER})
    assert quick.status_code == threaded.status_code == 200
    assert (quick.content, quick.headers) == (threaded.content, threaded.headers)
    monkeypatch.setattr(resources, "QUICK_TRIPLES", 3)  # every description is past it
    assert client.get(doc(iri) + ".ttl", headers={"Accept": "*/*"}).content == quick.content
    described = len(rdflib.Graph().parse(data=quick.text, format="turtle"))
    assert described > 3
